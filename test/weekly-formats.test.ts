import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Brief } from '../src/brief.js';
import { validateConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log.js';
import { PdfPrinter } from '../src/render/pdf.js';
import { runWeekly, type WeeklyResult } from '../src/weekly.js';
import { pdfText } from './helpers/pdf-text.js';
import { GEOLITE2_2019, SHARED_DATA, SKIP_REASON, hasSharedData, sharedFile } from './helpers/shared-data.js';
import { tempDir } from './helpers/temp.js';
import { freshStateDir } from './helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');

/** Runs the weekly job on `sources` for `week` and returns the result with the brief.json it wrote. */
function weeklyRun(sources: Array<Record<string, unknown>>, week: string) {
  const output = tempDir();
  const state: { printer?: PdfPrinter; result?: WeeklyResult; json?: Brief } = {};

  beforeAll(async () => {
    state.printer = await PdfPrinter.launch();
    const config = validateConfig({ sources, geoip: { country: GEOLITE2_2019 }, output, state: freshStateDir() }, path.join(output, 'portbrief.yaml'));
    state.result = await runWeekly({ config, week, now: NOW, log: silentLogger(), printer: state.printer });
    state.json = JSON.parse(readFileSync(path.join(state.result.clients[0].outputDir, 'brief.json'), 'utf8')) as Brief;
  });
  afterAll(async () => {
    await state.printer?.close();
  });

  return {
    result: () => state.result!,
    brief: () => state.json!,
    pdf: () => pdfText(path.join(state.result!.clients[0].outputDir, 'brief.pdf')),
  };
}

describe.skipIf(!hasSharedData)(`weekly brief of the ufw archive, 2024-W20 (${SKIP_REASON})`, () => {
  const run = weeklyRun([{ name: 'ufw', format: 'syslog-ufw', path: path.join(SHARED_DATA, 'ufw-vps-2024', '*.log.gz'), yearFrom: '_(\\d{4})-' }], '2024-W20');

  it('writes the brief and exits 0', () => {
    expect(run.result().exitCode).toBe(0);
    expect(run.result().failed).toEqual([]);
  });

  it('accounts for all eleven files', () => {
    const brief = run.brief();
    expect(brief.files).toHaveLength(11);
    // 280,513 lines from 2024 and 3,979 from 2023, whose last line is cut off.
    expect(brief.totals).toEqual({ rowsRead: 284_492, accepted: 284_491, rejected: 1 });
    expect(brief.rejectReasons).toEqual([{ reason: 'truncated file', rows: 1 }]);
    expect(brief.skippedRecords).toEqual([]);
    // The archive lies outside the config's folder, so the brief names it by source, without the folder.
    expect(brief.damagedFiles).toEqual([{ file: 'ufw: ufw_2023-08-20_truncated-1MiB.log.gz', damage: 'the last line is cut off (no line end)' }]);
  });

  it('ranks the week against the week before', () => {
    const brief = run.brief();
    // 25,922 lines of the 05-12 file and 4,318 Sunday lines of the 05-19 file.
    expect(brief.weekTotals.sessions).toBe(30_240);
    expect(brief.comparisonAvailable).toBe(true);
    expect(brief.archiveWeeks).toEqual(['2023-W33', '2024-W11', '2024-W12', '2024-W13', '2024-W14', '2024-W15', '2024-W16', '2024-W17', '2024-W18', '2024-W19', '2024-W20', '2024-W21']);
    expect(brief.countries).toHaveLength(5);
  });

  it('prints the damaged file in the PDF', () => {
    const text = run.pdf();
    expect(text).toContain('Damaged file');
    expect(text).toContain('ufw_2023-08-20_truncated-1MiB.log.gz');
    expect(text).toMatch(/truncated file\s+1/);
  });
});

describe.skipIf(!hasSharedData)(`weekly brief of the T-Pot JSON exports, 2025-W08 (${SKIP_REASON})`, () => {
  const run = weeklyRun(
    [
      {
        name: 'honeytrap',
        format: 'json',
        path: sharedFile('uqo-tpot-2025', 'honeytrap_5k.json.gz'),
        recordsPath: 'attacks',
        fields: { time: '@timestamp', srcIp: 'attack_connection.remote_ip', dstPort: 'attack_connection.local_port', proto: 'attack_connection.protocol' },
      },
      { name: 'dionaea', format: 'json', path: sharedFile('uqo-tpot-2025', 'dioneae_20k.json.gz'), fields: { time: 'timestamp', srcIp: 'src_ip', dstPort: 'dst_port', proto: 'connection.transport' } },
      { name: 'heralding', format: 'json', path: sharedFile('uqo-tpot-2025', 'heralding_82k.json.gz'), proto: 'tcp', fields: { time: 'timestamp', srcIp: 'source_ip', dstPort: 'destination_port' } },
    ],
    '2025-W08',
  );

  it('writes the brief and exits 0', () => {
    expect(run.result().exitCode).toBe(0);
  });

  it('lists each export with reject reasons', () => {
    const brief = run.brief();
    expect(brief.files.map((file) => [file.file, file.rowsRead, file.accepted, file.rejected])).toEqual([
      ['dionaea: dioneae_20k.json.gz', 20_799, 20_791, 8],
      ['heralding: heralding_82k.json.gz', 82_393, 82_393, 0],
      ['honeytrap: honeytrap_5k.json.gz', 4999, 4314, 685],
    ]);
    expect(brief.totals).toEqual({ rowsRead: 108_191, accepted: 107_498, rejected: 693 });
    expect(brief.rejectReasons).toEqual([
      { reason: 'placeholder record', rows: 685 },
      { reason: 'missing source IP', rows: 8 },
    ]);
    expect(brief.damagedFiles).toEqual([]);
  });

  it('counts the week from all three honeypots', () => {
    // W08 has 21 honeytrap, 4,280 dionaea and 73,194 heralding sessions.
    expect(run.brief().weekTotals.sessions).toBe(77_495);
  });

  it('prints the reject reasons in the PDF', () => {
    expect(run.pdf()).toMatch(/placeholder record\s+685/);
  });
});
