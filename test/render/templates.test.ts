import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { renderBriefHtml } from '../../src/render/brief-html.js';
import { loadTemplates } from '../../src/render/templates.js';
import { briefFixture } from '../helpers/brief-fixture.js';
import { tempDir } from '../helpers/temp.js';

/** Makes a template override folder holding one partial with the given text. */
function override(partial: string, text: string): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'partials'));
  writeFileSync(path.join(dir, 'partials', `${partial}.hbs`), text);
  return dir;
}

describe('loadTemplates errors', () => {
  it('names the block left open when a file ends inside it', async () => {
    const dir = override('cover', '<header>\n  {{#each tags}}{{this}}{{/each}}\n  {{#if title}}\n  <h1>{{title}}</h1>\n</header>\n');
    await expect(loadTemplates([dir, TEMPLATES_DIR])).rejects.toThrow(
      `${path.join(dir, 'partials', 'cover.hbs')}:6:1: template error: parse error: the file ends inside {{#if}}, opened on line 3; close it with {{/if}}`,
    );
  });

  it('names the column of a parse error', async () => {
    const dir = override('cover', '<header>\n  <h1>{{title bar=}}</h1>\n</header>\n');
    await expect(loadTemplates([dir, TEMPLATES_DIR])).rejects.toThrow(
      `${path.join(dir, 'partials', 'cover.hbs')}:2:19: template error: parse error: expected 'OPEN_SEXPR', 'ID', 'STRING', 'NUMBER', 'BOOLEAN', 'UNDEFINED', 'NULL', 'DATA', got 'CLOSE'`,
    );
  });

  it('names a tag cut short', async () => {
    const dir = override('cover', '<header>\n  <h1>{{title}</h1>\n</header>\n');
    await expect(loadTemplates([dir, TEMPLATES_DIR])).rejects.toThrow(
      `${path.join(dir, 'partials', 'cover.hbs')}:2:14: template error: parse error: a tag here is not closed with }} or contains a character that a tag cannot contain`,
    );
  });

  it('names a missing partial with its position', async () => {
    const dir = override('cover', '<header>\n  {{> letterhead}}\n</header>\n');
    await expect(loadTemplates([dir, TEMPLATES_DIR])).rejects.toThrow(`${path.join(dir, 'partials', 'cover.hbs')}:2:3: template error: partial 'letterhead' not found;`);
  });

  it('names an unknown helper with its position', async () => {
    const dir = override('cover', '<header>\n  <h1>{{shout title}}</h1>\n</header>\n');
    await expect(loadTemplates([dir, TEMPLATES_DIR])).rejects.toThrow(
      new RegExp(`^${path.join(dir, 'partials', 'cover.hbs')}:2:7: template error: unknown helper 'shout'; the helpers are .*\\bdate\\b.*\\bplural\\b`),
    );
  });

  it('names the partial and helper that threw while rendering', async () => {
    const dir = override('cover', '<header>{{date title}}</header>\n');
    const templates = await loadTemplates([dir, TEMPLATES_DIR]);
    await expect(renderBriefHtml(briefFixture(), templates)).rejects.toThrow(
      `${path.join(dir, 'partials', 'cover.hbs')}:1:9: template failed while rendering: helper 'date' failed on "Weekly port targeting brief": Invalid time value. Fix the template there or the value it passes.`,
    );
  });

  it('takes files from an override folder before the shipped ones', async () => {
    const dir = override('cover', '<header class="custom">{{client.name}} special edition</header>\n');
    const html = await renderBriefHtml(briefFixture(), await loadTemplates([dir, TEMPLATES_DIR]));
    expect(html).toContain('<header class="custom">Example Client special edition</header>');
    expect(html).toContain('<section class="methodology">');
  });

  it('rejects an override folder that does not exist', async () => {
    await expect(loadTemplates(['/nonexistent/templates', TEMPLATES_DIR])).rejects.toThrow('Template override folder /nonexistent/templates not found.');
  });
});
