import path from 'node:path';
import { type Config, validateConfig } from '../../src/config/load.js';
import { freshStateDir } from './two-clients.js';

/**
 * Builds the config of one CSV source at `archive` (a path or glob relative
 * to `folder`) with the columns ts, src, dport and proto, writing briefs to
 * <folder>/reports. `extra` adds or replaces top-level keys.
 */
export function csvSourceConfig(folder: string, archive: string, extra: Record<string, unknown> = {}): Config {
  return validateConfig(
    {
      sources: [{ name: 'sensors', format: 'csv', path: archive, fields: { time: 'ts', srcIp: 'src', dstPort: 'dport', proto: 'proto' } }],
      output: path.join(folder, 'reports'),
      state: freshStateDir(),
      ...extra,
    },
    path.join(folder, 'portbrief.yaml'),
  );
}
