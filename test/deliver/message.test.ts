import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/analyse/findings.js';
import { loadMessageTemplates } from '../../src/deliver/message.js';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { sampleBrief } from '../../src/render/sample-brief.js';

/** Returns the sample brief with its key finding and a noted port, as key finding F3 and lower-confidence F2, whose note carries markup. */
function briefWithFindings() {
  const brief = sampleBrief();
  const noted: Finding = {
    id: 'F2',
    kind: 'noted-port',
    country: 'US',
    countryName: 'United States',
    ports: [443],
    headline: false,
    fewSourcePorts: [{ port: 443, sources: 2 }],
    numbers: { rank: 1, sessions: 180, sources: 2, service: 'https' },
    ref: 'countries[1].topPorts[0]',
    label: 'Seen with <b>odd</b> TLS',
  };
  return { ...brief, findings: [...brief.findings, { ...noted, headline: true, id: 'F3' }, noted] };
}

describe('mail bodies', () => {
  it('list the key findings', async () => {
    const templates = await loadMessageTemplates([TEMPLATES_DIR]);
    const text = templates.text(briefWithFindings());

    expect(text).toContain(
      'Key findings:\n' +
        '- F1 Port 9530 was seen from Iran for the first time in the archive (the sessions of your sensors start on 2025-02-11), and ranks #2 with 400 sessions from 12 distinct sources.\n' +
        '- F3 Port 443 (https) ranks #1 for the United States: Seen with <b>odd</b> TLS This rests on 2 distinct sources.\n',
    );
    expect(text).toContain('The brief also lists lower-confidence observations, which rest on fewer distinct sources.');
  });

  it('escape markup in HTML only', async () => {
    const templates = await loadMessageTemplates([TEMPLATES_DIR]);
    const html = templates.html(briefWithFindings());

    expect(html).toContain('<li>F3 Port 443 (https) ranks #1 for the United States: Seen with &lt;b&gt;odd&lt;/b&gt; TLS This rests on 2 distinct sources.</li>');
    expect(html).not.toContain('<b>odd</b>');
  });

  it('say when nothing met the bar', async () => {
    const templates = await loadMessageTemplates([TEMPLATES_DIR]);
    const text = templates.text(sampleBrief({ findings: [] }));

    expect(text).toContain('No change this week met the bar for a key finding.');
    expect(text).not.toContain('Key findings:');
    expect(text).not.toContain('lower-confidence');
  });
});
