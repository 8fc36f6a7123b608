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
