import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EXIT, PortbriefError } from '../src/errors.js';
import { acquireLock } from '../src/lock.js';
import { silentLogger } from '../src/log.js';
import { tempDir } from './helpers/temp.js';

/** Returns the PID of a process that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('acquireLock', () => {
  const dir = tempDir();

  it('writes the PID and removes the file on release', async () => {
    const file = path.join(dir, 'a', 'portbrief.lock');
    const lock = await acquireLock(file, silentLogger(), new Date('2026-12-04T12:00:00Z'));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ pid: process.pid, startedAt: '2026-12-04T12:00:00.000Z' });
    await lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it('rejects a second run while the owner lives', async () => {
    const file = path.join(dir, 'b.lock');
    const lock = await acquireLock(file, silentLogger());
    try {
      const error = await acquireLock(file, silentLogger()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortbriefError);
      expect((error as PortbriefError).exitCode).toBe(EXIT.locked);
      expect((error as PortbriefError).message).toContain(`Another portbrief run (PID ${process.pid}`);
    } finally {
      await lock.release();
    }
  });

  it('takes over a stale lock with a warning', async () => {
    const file = path.join(dir, 'c.lock');
    const stale = deadPid();
    writeFileSync(file, JSON.stringify({ pid: stale, startedAt: '2026-12-01T00:00:00Z' }));
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });

    const lock = await acquireLock(file, log);

    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ stalePid: stale, msg: 'taking over a stale lock: its process is gone' });
    await lock.release();
  });

  it("removes a stale run's browser profile folder, and only a folder named as one", async () => {
    const profile = path.join(dir, 'portbrief-chromium-AbC123');
    const other = path.join(dir, 'reports');
    for (const folder of [profile, other]) mkdirSync(path.join(folder, 'inside'), { recursive: true });
    const file = path.join(dir, 'e.lock');

    writeFileSync(file, JSON.stringify({ pid: deadPid(), startedAt: '2026-12-01T00:00:00Z', browserProfile: other }));
    await (await acquireLock(file, silentLogger())).release();
    expect(existsSync(other)).toBe(true);

    writeFileSync(file, JSON.stringify({ pid: deadPid(), startedAt: '2026-12-01T00:00:00Z', browserProfile: profile }));
    await (await acquireLock(file, silentLogger())).release();
    expect(existsSync(profile)).toBe(false);
  });

  it('leaves a lock taken over by another run in place', async () => {
    const file = path.join(dir, 'd.lock');
    const lock = await acquireLock(file, silentLogger());
    writeFileSync(file, JSON.stringify({ pid: 1, startedAt: '2026-12-01T00:00:00Z' }));
    await lock.release();
    expect(existsSync(file)).toBe(true);
  });
});
