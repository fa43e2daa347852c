import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig, parseConfig } from './config.js';

const site = { name: 'shop', writeKey: 'key-12345678', origins: ['https://shop.example'] };

it('fills defaults around the sites', () => {
  expect(parseConfig({ sites: [site] })).toMatchObject({
    host: '127.0.0.1',
    port: 8787,
    dataDir: './data',
    clientIp: 'truncate',
    durability: 'full',
    writerThread: true,
  });
});

it('commits on the request thread with TILLIT_WRITER_THREAD=off, and names a value that is neither on nor off', () => {
  const env = { TILLIT_WRITE_KEY: 'env-key-123' };
  expect(loadConfig({ ...env, TILLIT_WRITER_THREAD: 'off' }).writerThread).toBe(false);
  expect(loadConfig({ ...env, TILLIT_WRITER_THREAD: 'on' }).writerThread).toBe(true);
  expect(() => loadConfig({ ...env, TILLIT_WRITER_THREAD: 'no' })).toThrow(/writerThread: /);
});

it('names every wrong field of a bad config', () => {
  expect(() => parseConfig({ port: 70000, sites: [{ ...site, writeKey: 'short', origins: ['https://shop.example/'] }] })).toThrow(
    /port: Too big[\s\S]*sites\.0\.writeKey: must be at least 8 characters[\s\S]*sites\.0\.origins\.0: must be an origin/,
  );
  expect(() => parseConfig({})).toThrow(/sites: /);
});

it('reads a JSON file and lets environment variables override it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tillit-config-'));
  const file = join(dir, 'tillit.json');
  writeFileSync(file, JSON.stringify({ port: 9000, sites: [site] }));
  expect(loadConfig({}, file)).toMatchObject({ port: 9000, sites: [site] });
  const fromEnv = loadConfig(
    { TILLIT_PORT: '9100', TILLIT_WRITE_KEY: 'env-key-123', TILLIT_ORIGINS: 'http://a.test, http://b.test' },
    file,
  );
  expect(fromEnv.port).toBe(9100);
  expect(fromEnv.sites).toEqual([
    {
      name: 'default',
      writeKey: 'env-key-123',
      origins: ['http://a.test', 'http://b.test'],
      tokenKeys: [],
      serverKeys: [],
      destinations: [],
      serverCookie: false,
    },
  ]);
});

it('says which file is unreadable or not JSON', () => {
  expect(() => loadConfig({}, '/nonexistent/tillit.json')).toThrow(/cannot read the config file \/nonexistent\/tillit.json/);
  const dir = mkdtempSync(join(tmpdir(), 'tillit-config-'));
  const file = join(dir, 'bad.json');
  writeFileSync(file, '{ port: 1 }');
  expect(() => loadConfig({}, file)).toThrow(/bad\.json is not valid JSON/);
});
