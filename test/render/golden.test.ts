import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, TEMPLATES_DIR } from '../../src/paths.js';
import { renderBriefHtml } from '../../src/render/brief-html.js';
import { sampleBrief } from '../../src/render/sample-brief.js';
import { loadTemplates } from '../../src/render/templates.js';

const GOLDEN = path.join(PROJECT_ROOT, 'test', 'golden', 'sample-brief.html');

/**
 * The shipped templates rendered over the fixed sample model must match the
 * reviewed file byte for byte. After a deliberate template change, review the
 * new output and regenerate it with UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts
 * (refused on CI, so CI can only compare).
 */
describe('golden brief HTML', () => {
  it('matches the reviewed file', async () => {
    const html = await renderBriefHtml(sampleBrief(), await loadTemplates(TEMPLATES_DIR));

    if (process.env.UPDATE_GOLDEN === '1') {
      if (process.env.CI) throw new Error('UPDATE_GOLDEN is refused on CI: regenerate the golden file locally and review it.');
      writeFileSync(GOLDEN, html);
    }

    expect(existsSync(GOLDEN)).toBe(true);
    expect(html).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
