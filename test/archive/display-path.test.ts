import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayPath, fileQuality } from '../../src/archive/accounting.js';
import type { ResolvedSource } from '../../src/archive/source.js';
import type { Config } from '../../src/config/load.js';

const config = { baseDir: '/etc/portbrief' } as Config;

/** Returns a resolved source with only the name and file paths that accounting reads. */
function source(name: string, files: string[]): ResolvedSource {
  return { config: { name }, files: files.map((file) => ({ path: file })) } as unknown as ResolvedSource;
}

describe('file names in the brief', () => {
  it('keep paths inside the config folder', () => {
    expect(displayPath(config, '/etc/portbrief/archive/a.csv', { name: 'tpot', folder: '/etc/portbrief/archive' })).toBe('archive/a.csv');
  });

  it('hide the folder of outside files', () => {
    const files = ['/var/lib/sensors/2025/02/17.json.gz', '/var/lib/sensors/2025/03/01.json.gz', '/srv/one.csv'];
    const lines = fileQuality(config, [source('tpot', files.slice(0, 2)), source('edge', files.slice(2))], [], [], new Map());

    expect(lines.map((line) => line.file)).toEqual(['edge: one.csv', 'tpot: 02/17.json.gz', 'tpot: 03/01.json.gz']);
  });

  it('stop at the root', () => {
    const lines = fileQuality(config, [source('spread', ['/a/x.csv', '/b/y.csv'])], [], [], new Map());

    expect(lines.map((line) => line.file)).toEqual([`spread: ${path.join('a', 'x.csv')}`, `spread: ${path.join('b', 'y.csv')}`]);
  });

  it('keep the path without a source', () => {
    expect(displayPath(config, '/srv/one.csv')).toBe('/srv/one.csv');
  });
});
