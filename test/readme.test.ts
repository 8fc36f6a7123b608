import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfig } from '../src/config/load.js';
import { PROJECT_ROOT } from '../src/paths.js';

/** Returns the README's fenced YAML blocks that start with a config file's path comment. */
function readmeConfigs(): string[] {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]).filter((block) => block.startsWith('# ') && block.includes('sources:'));
}

describe('README config examples', () => {
  it('finds the full example', () => {
    expect(readmeConfigs().length).toBeGreaterThan(0);
  });

  it.each(readmeConfigs().map((block, index) => [index, block]))('validates example %i', (_index, block) => {
    expect(() => validateConfig(parse(block as string), path.join(PROJECT_ROOT, 'portbrief.yaml'))).not.toThrow();
  });
});
