import { lstat, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PortbriefError, messageOf } from '../errors.js';
import { makeFolder } from '../make-folder.js';

/**
 * Writes a file under a temporary name in the same folder, flushes it to
 * disk and renames it into place, so a killed or failed run never leaves a
 * half-written brief that could be mailed or read. A failed write's error
 * names the config setting of `kind` to change.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, kind: FolderKind): Promise<void> {
  await commitFile(await stageFile(file, data, kind), kind);
}

/** A file written and flushed under its temporary name, waiting to be renamed into place. */
interface StagedFile {
  file: string;
  partial: string;
}

/** Writes `data` to a temporary name next to `file` and flushes it; on failure removes it and names `file`. */
async function stageFile(file: string, data: string | Buffer, kind: FolderKind): Promise<StagedFile> {
  await rejectLinkedFile(file);
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await makeFolder(path.dirname(file));
    // 'wx' fails on any existing entry, so a link planted at the temporary name is never followed.
    await rm(partial, { force: true });
    const handle = await open(partial, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { file, partial };
  } catch (error) {
    throw await writeError(file, partial, error, kind);
  }
}

async function commitFile(staged: StagedFile, kind: FolderKind): Promise<void> {
  try {
    await rename(staged.partial, staged.file);
  } catch (error) {
    throw await writeError(staged.file, staged.partial, error, kind);
  }
}

/** Removes the temporary file and returns the error to raise, naming the file that could not be written and what to do. */
async function writeError(file: string, partial: string, error: unknown, kind: FolderKind): Promise<PortbriefError> {
  // rm fails too when the folder cannot exist (ENOTDIR), and that must not hide the write error.
  await rm(partial, { force: true }).catch(() => undefined);
  return new PortbriefError(`Cannot write ${file}: ${messageOf(error)}. ${writeAdvice(error, kind)}`, { cause: error });
}

/** Returns what to do about a failed write, chosen by its error code. */
function writeAdvice(error: unknown, kind: FolderKind): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EROFS':
      return `The file system is mounted read-only, so remount it read-write or set ${kind.setting} in the config to a folder on a writable file system.`;
    case 'EACCES':
    case 'EPERM':
      return `The user running portbrief may not write there, so give it write permission on the folder or set ${kind.setting} in the config to a folder it may write.`;
    default:
      return 'Check that the output folder is writable and has free space.';
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

/** The folder name, the kind of file and the config setting that error messages about a folder name. */
export interface FolderKind {
  label: string;
  contents: string;
  setting: 'output' | 'outbox';
}

export const OUTPUT_FOLDER: FolderKind = { label: 'Output folder', contents: 'briefs', setting: 'output' };
export const OUTBOX_FOLDER: FolderKind = { label: 'Outbox folder', contents: 'messages', setting: 'outbox' };

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
 * Publishes a brief's files into `dir`. All of them are written and flushed
 * under temporary names first, so a full disk or another write error leaves
 * the folder as it was. Then the older brief.pdf and brief.html are removed
 * and the new files renamed into place, JSON first and the PDF last. A stop
 * in between leaves some of the new files without older ones, so a brief.pdf
 * on disk always has its matching brief.json and brief.html.
 */
export async function publishBrief(dir: string, files: BriefFiles): Promise<string[]> {
  await removeLeftovers(dir);
  const contents: Array<[string, string | Buffer]> = [
    ['brief.json', files.json],
    ['brief.html', files.html],
  ];
  if (files.pdf) contents.push(['brief.pdf', files.pdf]);

  const staged: StagedFile[] = [];
  try {
    for (const [name, data] of contents) staged.push(await stageFile(path.join(dir, name), data, OUTPUT_FOLDER));
  } catch (error) {
    await Promise.all(staged.map((file) => rm(file.partial, { force: true })));
    throw error;
  }

  // An older PDF or HTML must not stay beside the new brief.json, even when this brief has no PDF.
  await rm(path.join(dir, 'brief.pdf'), { force: true });
  await rm(path.join(dir, 'brief.html'), { force: true });
  for (const file of staged) await commitFile(file, OUTPUT_FOLDER);
  return staged.map((file) => file.file);
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
