import { afterAll, beforeAll } from 'vitest';
import { PdfPrinter } from '../../src/render/pdf.js';

/**
 * Launches one Chromium for the calling test file and closes it when the
 * file ends. Returns a getter, because the browser exists only once the
 * file's tests start.
 */
export function printerForFile(): () => PdfPrinter {
  let printer: PdfPrinter | undefined;
  beforeAll(async () => {
    printer = await PdfPrinter.launch();
  });
  afterAll(async () => {
    await printer?.close();
  });
  return () => printer!;
}
