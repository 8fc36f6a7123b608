import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PortbriefError, messageOf } from '../errors.js';

/**
 * Writes a file under a temporary name in the same folder, flushes it to
 * disk and renames it into place, so a killed or failed run never leaves a
 * half-written brief that could be mailed or read.
 */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(partial, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, file);
  } catch (error) {
    // rm fails too when the folder cannot exist (ENOTDIR), and that must not hide the write error.
    await rm(partial, { force: true }).catch(() => undefined);
    throw new PortbriefError(`Cannot write ${file}: ${messageOf(error)}. Check that the output folder is writable and has free space.`, {
      cause: error,
    });
  }
}

/**
 * Rejects `dir` when a folder between `root` and it is a symbolic link, so a
 * link planted at <output>/<client> cannot send a brief outside the output
 * folder. `root` itself may be a link, because the operator configured it.
 * NOTE: a link made between this check and the write is still followed.
 */
export async function rejectLinkedFolders(root: string, dir: string): Promise<void> {
  const relative = path.relative(root, dir);
  let current = root;
  for (const part of relative.split(path.sep).filter((segment) => segment !== '')) {
    current = path.join(current, part);
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch (error) {
      // A folder that is missing, or cannot exist under a file, is reported by the write that follows.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw new PortbriefError(`Cannot check the output folder ${current}: ${messageOf(error)}.`, { cause: error });
    }
    if (isLink) {
      throw new PortbriefError(`Output folder ${current} is a symbolic link; portbrief writes briefs only into real folders under ${root}. Replace the link with a folder.`);
    }
  }
}

export interface BriefFiles {
  json: string;
  html: string;
  pdf?: Buffer;
}

/**
 * Publishes a brief's files into `dir`: JSON first and the PDF last, so a
 * brief.pdf on disk always has its matching brief.json and brief.html.
 */
export async function publishBrief(dir: string, files: BriefFiles): Promise<string[]> {
  await removeLeftovers(dir);
  const written = [path.join(dir, 'brief.json'), path.join(dir, 'brief.html')];
  await writeFileAtomic(written[0], files.json);
  await writeFileAtomic(written[1], files.html);
  if (files.pdf) {
    const pdfFile = path.join(dir, 'brief.pdf');
    await writeFileAtomic(pdfFile, files.pdf);
    written.push(pdfFile);
  }
  return written;
}

/**
 * Removes temporary files that a killed run left in an output folder. The
 * caller holds the run lock, so no other writer can own them.
 */
async function removeLeftovers(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names.filter((entry) => /^\..+\.\d+\.tmp$/.test(entry))) {
    await rm(path.join(dir, name), { force: true });
  }
}
