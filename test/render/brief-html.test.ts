import { describe, expect, it } from 'vitest';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { renderBriefHtml } from '../../src/render/brief-html.js';
import { loadTemplates } from '../../src/render/templates.js';
import { briefFixture } from '../helpers/brief-fixture.js';

const HOSTILE = '<script>alert(1)</script><img src="file:///etc/hostname">';

describe('renderBriefHtml', () => {
  it('renders the summary, tables and one chart per country', async () => {
    const html = await renderBriefHtml(briefFixture(), await loadTemplates(TEMPLATES_DIR));

    expect(html).toContain('Week 2025-W08 · 2025-02-17 to 2025-02-23 (UTC)');
    expect(html).toContain('<span class="finding-id">F1</span> Port 9530 was seen from Iran for the first time in the archive, and ranks #2 with 400 sessions from 12 distinct sources.');
    expect(html).toContain('Port 9530: Unassigned by IANA; known as the backdoor port of Xiongmai DVR firmware.');
    // A bar chart and a share trend per country, plus the heatmap and the weekly sessions chart.
    expect(html.match(/<svg/g)).toHaveLength(6);
    expect(html).toContain('<td><span class="badge">NEW</span></td>');
    expect(html).toContain('<span class="muted">unassigned</span>');
    expect(html).toContain('>1,180<');
  });

  it('escapes markup from the model', async () => {
    const brief = briefFixture({ organisation: HOSTILE, title: `Brief ${HOSTILE}` });
    brief.files[0].file = HOSTILE;

    const html = await renderBriefHtml(brief, await loadTemplates(TEMPLATES_DIR));

    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src&#x3D;&quot;file:///etc/hostname&quot;&gt;');
  });

  it('forbids every fetch with a content security policy', async () => {
    const html = await renderBriefHtml(briefFixture(), await loadTemplates(TEMPLATES_DIR));
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"`);
  });

  it('says when the previous week has no data', async () => {
    const html = await renderBriefHtml(briefFixture({ comparisonAvailable: false, newEntrants: [] }), await loadTemplates(TEMPLATES_DIR));
    expect(html).toContain('The archive holds no sessions for week 2025-W07, so this brief does not compare rankings with the previous week.');
  });
});
