import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Creates `dir` and its missing parents, one level at a time, like
 * `mkdir(dir, { recursive: true })`. Node 20's recursive mkdir reports a
 * read-only file system (EROFS) as ENOENT, which sends the reader looking
 * for a missing folder. Here each level's own error is raised.
 */
export async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await isFolder(dir))) return;
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
  }
  await makeFolder(path.dirname(dir));
  try {
    await mkdir(dir);
  } catch (error) {
    // Another process may have made it in between.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await isFolder(dir))) throw error;
  }
}

async function isFolder(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
