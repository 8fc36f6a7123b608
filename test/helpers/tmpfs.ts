import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { messageOf } from '../../src/errors.js';

export interface TestTmpfs {
  mountPoint: string;
  /** Skips the calling test, printing why, when the tmpfs could not be mounted. */
  skipUnlessMounted(context: { skip: () => void }, test: string): void;
}

/**
 * Mounts a tmpfs with the mount `options` (such as size=4m or ro,size=1m) on a
 * new folder before the calling file's or block's tests, and unmounts it
 * after them. A small tmpfs fails writes for real, where an injected error
 * would only imitate them. Mounting needs root.
 */
export function tmpfsForTests(options: string, prefix: string): TestTmpfs {
  const mountPoint = mkdtempSync(path.join(tmpdir(), prefix));
  let mountError: string | undefined;
  beforeAll(() => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      mountError = messageOf(error);
    }
  });
  afterAll(() => {
    if (mountError === undefined) execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });
  return {
    mountPoint,
    skipUnlessMounted(context, test) {
      if (mountError === undefined) return;
      process.stderr.write(`portbrief tests: skipping ${test}, because mounting a tmpfs failed: ${mountError}\n`);
      context.skip();
    },
  };
}
