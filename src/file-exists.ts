import { stat } from 'node:fs/promises';

/** Tells whether a file or folder exists at `file`; one that cannot be read counts as missing. */
export async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
