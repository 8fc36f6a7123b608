import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, TEMPLATES_DIR } from '../../src/paths.js';
import { renderBriefHtml } from '../../src/render/brief-html.js';
import { PdfPrinter, findChromium } from '../../src/render/pdf.js';
import { loadTemplates } from '../../src/render/templates.js';
import { briefFixture } from '../helpers/brief-fixture.js';
import { pdfPages, pdfText } from '../helpers/pdf-text.js';
import { tempDir } from '../helpers/temp.js';

describe('PdfPrinter', () => {
  const dir = tempDir();
  let printer: PdfPrinter;
  let server: Server;
  let hits: string[];
  let origin: string;

  beforeAll(async () => {
    hits = [];
    server = createServer((request, response) => {
      hits.push(request.url ?? '');
      response.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    printer = await PdfPrinter.launch();
  });
  afterAll(async () => {
    await printer?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('prints header, footer and page numbers', async () => {
    const html = await renderBriefHtml(briefFixture(), await loadTemplates(TEMPLATES_DIR));
    const { pdf } = await printer.print(html, { header: 'Weekly port targeting brief · Week 2025-W08', footer: 'TLP:AMBER' });
    const file = path.join(dir, 'brief.pdf');
    writeFileSync(file, pdf);

    const pages = pdfPages(file);
    const text = pdfText(file);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text.match(/Weekly port targeting brief · Week 2025-W08/g)?.length).toBeGreaterThanOrEqual(pages);
    expect(text).toContain(`TLP:AMBER · Page 1 of ${pages}`);
    expect(text).toContain(`TLP:AMBER · Page ${pages} of ${pages}`);
    expect(text).toContain('Iran');
    expect(text).toMatch(/2\s+9530\s+unassigned\* FIRST SEEN\s+400\s+12\s+40\.0%\s+NEW/);
  });

  it('shows script and remote references as text and loads nothing', async () => {
    const payload = `<script>fetch('${origin}/script')</script><img src="${origin}/img"><img src="file:///etc/hostname">`;
    const brief = briefFixture({ organisation: payload });
    const html = await renderBriefHtml(brief, await loadTemplates(TEMPLATES_DIR));
    // Markup that bypasses both the templates' escaping and the content
    // security policy must still load nothing: request interception blocks it.
    const raw = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '').replace('</body>', `<img src="${origin}/raw"><link rel="stylesheet" href="${origin}/css"><iframe src="file:///etc/passwd"></iframe></body>`);

    const { pdf, blockedRequests } = await printer.print(raw, { header: 'h', footer: 'f' });
    const file = path.join(dir, 'hostile.pdf');
    writeFileSync(file, pdf);

    const text = pdfText(file).replace(/\s+/g, ' ');
    expect(text).toContain(`<script>fetch('${origin}/script')</script>`);
    expect(text).toContain('<img src="file:///etc/hostname">');
    expect(hits).toEqual([]);
    expect(blockedRequests).toEqual(expect.arrayContaining([`${origin}/raw`, `${origin}/css`]));
  });

  it('keeps printing after SIGTERM, which the run handles itself', async () => {
    // A process that prints once it receives SIGTERM, as the weekly run finishes its current brief.
    const script = path.join(dir, 'print-after-signal.mts');
    writeFileSync(
      script,
      `import { PdfPrinter } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src', 'render', 'pdf.ts'))};
const printer = await PdfPrinter.launch();
process.once('SIGTERM', async () => {
  try {
    const { pdf } = await printer.print('<p>after the signal</p>', { header: 'h', footer: 'f' });
    console.log('printed ' + pdf.subarray(0, 5).toString('latin1'));
  } catch (error) {
    console.log('failed: ' + (error as Error).message);
  }
  await printer.close();
});
console.log('ready');
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('ready\n') && !child.killed) child.kill('SIGTERM');
    });
    const code = await new Promise((resolve) => child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal)));

    expect(output).toBe('ready\nprinted %PDF-\n');
    expect(code).toBe(0);
  });

  it('names the variable to set when Chromium is missing', async () => {
    await expect(findChromium({ PORTBRIEF_CHROMIUM: '/nonexistent/chromium' })).rejects.toThrow(
      'Chromium not found at PORTBRIEF_CHROMIUM=/nonexistent/chromium. Fix the path or unset the variable.',
    );
  });
});
