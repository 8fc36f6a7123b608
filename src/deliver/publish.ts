import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PortbriefError, messageOf } from '../errors.js';

/**
 * Writes a file under a temporary name in the same folder, flushes it to
 * disk and renames it into place, so a killed or failed run never leaves a
 * half-written brief that could be mailed or read.
 */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  await rejectLinkedFile(file);
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    // 'wx' fails on any existing entry, so a link planted at the temporary name is never followed.
    await rm(partial, { force: true });
    const handle = await open(partial, 'wx');
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
 * Rejects a symbolic link at `file`. Renaming over it would replace the link
 * rather than write through it, but a link there means someone expects the
 * file elsewhere, so the run names it instead of silently replacing it.
 */
async function rejectLinkedFile(file: string): Promise<void> {
  try {
    if (!(await lstat(file)).isSymbolicLink()) return;
  } catch {
    // A missing file, or one that cannot exist, is reported by the write that follows.
    return;
  }
  throw new PortbriefError(`${file} is a symbolic link; portbrief replaces only regular files, so nothing was written. Remove the link.`);
}

/** The folder name and the kind of file that rejectLinkedFolders puts in its message. */
export interface FolderKind {
  label: string;
  contents: string;
}

export const OUTPUT_FOLDER: FolderKind = { label: 'Output folder', contents: 'briefs' };
export const OUTBOX_FOLDER: FolderKind = { label: 'Outbox folder', contents: 'messages' };

/**
 * Rejects `dir` when a folder between `root` and it is a symbolic link, so a
 * link planted at <output>/<client> or <outbox>/<week> cannot send a file
 * outside the folder the config names. `root` itself may be a link, because
 * the operator configured it.
 * NOTE: a link made between this check and the write is still followed.
 */
export async function rejectLinkedFolders(root: string, dir: string, kind: FolderKind = OUTPUT_FOLDER): Promise<void> {
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
      throw new PortbriefError(`Cannot check the ${kind.label.toLowerCase()} ${current}: ${messageOf(error)}.`, { cause: error });
    }
    if (isLink) {
      throw new PortbriefError(`${kind.label} ${current} is a symbolic link; portbrief writes ${kind.contents} only into real folders under ${root}. Replace the link with a folder.`);
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
  // An earlier run's PDF would not match the new brief.json, so a brief without a PDF removes it.
  if (!files.pdf) await rm(path.join(dir, 'brief.pdf'), { force: true });
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
