import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Lock files this process holds, so a pid in a lock file that equals ours is told apart from a stale one. */
const held = new Set<string>();

/** Creates the data directory owner-only (0700): it holds the database and the collector's secret key. */
export function makeDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/** Creates a file owner-only (0600) unless it exists; SQLite gives its -wal and -shm files the same mode. */
export function touchOwnerOnly(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `dataDir/tillit.lock` for this process, or throws naming the process that holds it. Two
 * collectors on one SQLite file would each keep their own list of erased ids, so an erasure through one
 * would not stop late events through the other. A lock left by a crashed process (its pid no longer
 * runs, or is ours without our holding it: a restarted container) is taken over.
 */
export function lockDataDir(dataDir: string): { release(): void } {
  const file = join(dataDir, 'tillit.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    const ours = pid === process.pid && !held.has(file);
    if (pid > 0 && !ours && isRunning(pid)) {
      throw new Error(
        `[tillit-collector] another collector (process ${pid}) is using the data directory ${dataDir}. ` +
          'Run one collector per SQLite data directory (several collectors need PostgreSQL); ' +
          `if no collector is running, delete ${file}.`,
      );
    }
    unlinkSync(file);
  }
  held.add(file);
  return {
    release() {
      if (!held.delete(file)) return;
      try {
        unlinkSync(file);
      } catch {}
    },
  };
}
