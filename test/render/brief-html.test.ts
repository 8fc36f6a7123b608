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
    expect(html).toContain('<span class="finding-id">F1</span> Port 9530 was seen from Iran for the first time in the archive (the sessions of your sensors start on 2025-02-11), and ranks #2 with 400 sessions from 12 distinct sources.');
    expect(html).toContain('Port 9530: Unassigned by IANA; known as the backdoor port of Xiongmai DVR firmware.');
    // A bar chart per country, plus the heatmap and the weekly sessions chart. The fixture's
    // ports have no weekly shares, so each share trend is a sentence instead of an empty chart.
    expect(html.match(/<svg/g)).toHaveLength(4);
    expect(html.match(/No share trend: there are no weekly shares of/g)).toHaveLength(2);
    expect(html).toContain('<td><span class="badge">NEW</span></td>');
    expect(html).toContain('<span class="muted">unassigned</span>');
    expect(html).toContain('>1,180<');
  });

  it('leaves the brief unchanged', async () => {
    const brief = briefFixture();
    const before = structuredClone(brief);

    await renderBriefHtml(brief, await loadTemplates(TEMPLATES_DIR));

    // toStrictEqual also compares symbol keys, which Vega adds to the rows it reads.
    expect(brief).toStrictEqual(before);
  });

  it('lists source networks under their port', async () => {
    const html = await renderBriefHtml(briefFixture(), await loadTemplates(TEMPLATES_DIR));

    expect(html).toContain(
      'Networks: AS58224 Iran Telecommunication Company PJS 70.0% (420 sessions, 21 sources); AS44244 Iran Cell Service and Communication Company 15.0% (90 sessions, 5 sources)</td>',
    );
    expect(html).toContain('Networks: AS16509 100.0% (180 sessions, 9 sources)</td>');
    expect(html).toContain('Networks: each port’s top 3 source autonomous systems by sessions, with their share of the port’s sessions from Iran.');
  });

  it('omits networks without an ASN database', async () => {
    const brief = briefFixture({ networksShown: 0, databases: briefFixture().databases.slice(0, 1) });
    for (const section of brief.countries) for (const port of section.topPorts) port.networks = [];

    const html = await renderBriefHtml(brief, await loadTemplates(TEMPLATES_DIR));

    expect(html).not.toContain('Networks:');
    expect(html).not.toContain('Networks (ASN)');
    expect(html).not.toContain('autonomous system (AS number and organisation)');
  });

  it('shows address-block labels with shares', async () => {
    const html = await renderBriefHtml(briefFixture(), await loadTemplates(TEMPLATES_DIR));
    expect(html).toContain('<tr><td>Private network (10/8, 172.16/12, 192.168/16, fc00::/7)</td><td class="num">10</td><td class="num">0.8%</td></tr>');
  });

  it('prints database warnings in two places', async () => {
    const warning = 'The country database GeoLite2-Country.mmdb was built on 2024-01-01, 420 days before the end of week 2025-W08.';
    const html = await renderBriefHtml(briefFixture({ databaseWarnings: [warning] }), await loadTemplates(TEMPLATES_DIR));
    expect(html).toContain(`<li>${warning}</li>`);
    expect(html).toContain('The GeoIP database does not fit this week well: see the warnings under Data quality.');
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
    expect(html).toContain('The sensors recorded no located sessions in week 2025-W07, so this brief does not compare rankings with that week.');
  });
});
