import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from './testing.js';

// Issue 15 items 6 and 11: one collector per SQLite data directory, and nobody else may read it.

const running: RunningCollector[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newDataDir(): string {
  const parent = mkdtempSync(join(tmpdir(), 'tillit-data-'));
  dirs.push(parent);
  return join(parent, 'data');
}

async function start(dataDir: string): Promise<RunningCollector> {
  const collector = await startCollector({}, dataDir);
  running.push(collector);
  return collector;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

it('creates the data directory and every file in it owner-only', async () => {
  const dataDir = newDataDir();
  const collector = await start(dataDir);
  await fetch(`${collector.url}/v1/consent`, { method: 'POST', body: '{}' });
  expect(mode(dataDir)).toBe('700');
  const files = readdirSync(dataDir);
  expect(files).toEqual(
    expect.arrayContaining(['tillit.db', 'tillit.db-wal', 'tillit.db-shm', 'tillit-secret.key', 'tillit.lock']),
  );
  for (const file of files) expect(`${file} ${mode(join(dataDir, file))}`).toBe(`${file} 600`);
});

it('refuses a second collector on a data directory in use, naming it, and starts once the first has stopped', async () => {
  const dataDir = newDataDir();
  const first = await start(dataDir);
  await expect(startCollector({}, dataDir)).rejects.toThrow(
    new RegExp(`another collector \\(process ${process.pid}\\) is using the data directory ${dataDir}`),
  );
  await first.stop();
  running.splice(0);
  await start(dataDir);
});

it('refuses to share a data directory with another live process, and takes over the lock once that process died', async () => {
  const dataDir = newDataDir();
  await (await start(dataDir)).stop();
  running.splice(0);
  // Another process holds the lock (what a second collector process would find), then dies by SIGKILL.
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync(join(dataDir, 'tillit.lock'), `${other.pid}\n`);
  await expect(startCollector({}, dataDir)).rejects.toThrow(`another collector (process ${other.pid})`);
  const exited = new Promise((resolve) => other.once('exit', resolve));
  other.kill('SIGKILL');
  await exited;
  const collector = await start(dataDir);
  expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
});
