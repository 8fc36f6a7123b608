import { execFileSync } from 'node:child_process';

/** Extracts a PDF's text with poppler's pdftotext, in reading order with the layout kept. */
export function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** Counts a PDF's pages with poppler's pdfinfo. */
export function pdfPages(file: string): number {
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
}

/** Chromium prints each page's header and footer inside the 18 mm top and bottom margins that src/render/pdf.ts sets. */
const MARGIN_POINTS = Math.ceil((18 / 25.4) * 72);

/** Extracts a PDF's text like pdfText, without the page headers and footers (the first page's size applies to all). */
export function pdfBodyText(file: string): string {
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const [width, height] = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(info)!.slice(1, 3).map(Number);
  const crop = ['-x', '0', '-y', String(MARGIN_POINTS), '-W', String(Math.ceil(width)), '-H', String(Math.floor(height) - 2 * MARGIN_POINTS)];
  return execFileSync('pdftotext', ['-layout', ...crop, file, '-'], { encoding: 'utf8' });
}
