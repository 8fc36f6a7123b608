import { open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, PortbriefError, messageOf } from './errors.js';
import type { Logger } from './log.js';
import { makeFolder } from './make-folder.js';
import { BROWSER_PROFILE_PREFIX } from './paths.js';

interface LockOwner {
  pid: number;
  startedAt: string;
  /** The run's Chromium, whose process group outlives a killed run. */
  browserPid?: number;
  /** That browser's temporary profile folder, which a killed run leaves behind. */
  browserProfile?: string;
}

/** A held run lock; release() removes the file if this process still owns it. */
export interface RunLock {
  file: string;
  /** Records the run's browser, so a run that takes over a stale lock can end it and remove its profile. */
  recordBrowser(pid: number, profile: string): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the run lock, a file holding the owner's PID, so that two runs (cron
 * firing while a slow run is still going) never work on the same outputs and
 * ledger at once. A lock whose process is gone is taken over with a warning.
 */
export async function acquireLock(file: string, log: Logger, now = new Date()): Promise<RunLock> {
  await makeFolder(path.dirname(file));
  const owner: LockOwner = { pid: process.pid, startedAt: now.toISOString() };

  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(owner)}\n`);
      } finally {
        await handle.close();
      }
      return {
        file,
        recordBrowser: async (browserPid, browserProfile) => {
          owner.browserPid = browserPid;
          owner.browserProfile = browserProfile;
          await writeFile(file, `${JSON.stringify(owner)}\n`);
        },
        release: () => releaseLock(file, owner.pid),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new PortbriefError(`Cannot create the lock file ${file}: ${messageOf(error)}. Check that the state folder is writable and has free space.`, { cause: error });
      }
    }

    const holder = await readOwner(file);
    if (holder && isAlive(holder.pid)) {
      throw new PortbriefError(
        `Another portbrief run (PID ${holder.pid}, started ${holder.startedAt}) holds the lock ${file}. Wait for it to finish; this run did nothing.`,
        { exitCode: EXIT.locked },
      );
    }
    log.warn({ lock: file, stalePid: holder?.pid ?? null }, 'taking over a stale lock: its process is gone');
    if (holder?.browserPid && isAlive(holder.browserPid)) endBrowser(holder.browserPid, log);
    if (holder?.browserProfile) await removeProfile(holder.browserProfile, log);
    await rm(file, { force: true });
  }
  throw new PortbriefError(`Could not take the lock ${file}: another run took it at the same moment. This run did nothing.`, { exitCode: EXIT.locked });
}

async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : null;
  } catch {
    // An unreadable or half-written lock file has no live owner to protect.
    return null;
  }
}

/** Tells whether a process exists. EPERM means it exists but belongs to another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Ends a killed run's Chromium. Puppeteer starts the browser as the leader of
 * its own process group, so signalling the group also ends its helpers.
 */
function endBrowser(pid: number, log: Logger): void {
  try {
    process.kill(-pid, 'SIGKILL');
    log.warn({ browserPid: pid }, 'ended the browser the stale run left behind');
  } catch (error) {
    log.warn({ browserPid: pid, err: messageOf(error) }, 'could not end the browser the stale run left behind');
  }
}

/**
 * Removes a killed run's Chromium profile folder. Only an absolute path to a
 * folder named as PdfPrinter names them is removed, so a damaged or edited
 * lock file cannot make a run delete anything else.
 */
async function removeProfile(folder: string, log: Logger): Promise<void> {
  if (!path.isAbsolute(folder) || !path.basename(folder).startsWith(BROWSER_PROFILE_PREFIX)) return;
  try {
    await rm(folder, { recursive: true, force: true });
    log.warn({ browserProfile: folder }, 'removed the browser profile the stale run left behind');
  } catch (error) {
    log.warn({ browserProfile: folder, err: messageOf(error) }, 'could not remove the browser profile the stale run left behind');
  }
}

async function releaseLock(file: string, pid: number): Promise<void> {
  const owner = await readOwner(file);
  if (owner?.pid === pid) await rm(file, { force: true });
}
