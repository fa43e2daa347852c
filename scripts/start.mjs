// `npm start`: install, build, then run the collector and the demo shop, printing their URLs.
// TILLIT_PORT (collector, 8787) and DEMO_PORT (demo shop, 8080) choose the ports; TILLIT_DATA_DIR
// the database's directory (./data), as for the collector itself.
import { spawn } from 'node:child_process';
import { build, ensureInstalled, root } from './setup.mjs';

ensureInstalled();
build();

const collectorPort = Number(process.env.TILLIT_PORT ?? 8787);
const demoPort = Number(process.env.DEMO_PORT ?? 8080);
const collectorUrl = `http://127.0.0.1:${collectorPort}`;
const demoUrl = `http://127.0.0.1:${demoPort}`;
const dataDir = process.env.TILLIT_DATA_DIR ?? './data';

// The demo's one site comes from the environment (TILLIT_WRITE_KEY, TILLIT_ORIGINS), so that its
// allowed origins follow DEMO_PORT; demo/collector.json holds the rest.
const collectorEnv = {
  ...process.env,
  TILLIT_PORT: String(collectorPort),
  TILLIT_DATA_DIR: dataDir,
  TILLIT_SITE_NAME: 'Tillit demo shop',
  TILLIT_WRITE_KEY: 'demo-write-key',
  TILLIT_ORIGINS: `${demoUrl},http://localhost:${demoPort}`,
};
const children = [
  spawn(process.execPath, ['packages/collector/dist/cli.js', '--config', 'demo/collector.json'], {
    cwd: root,
    stdio: 'inherit',
    env: collectorEnv,
  }),
  spawn(process.execPath, ['demo/server.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, DEMO_PORT: String(demoPort), TILLIT_COLLECTOR_URL: collectorUrl },
  }),
];

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() =>
    process.exit(code),
  );
}
for (const child of children) {
  child.once('exit', (code) => {
    if (stopping) return;
    // Ctrl-C reaches the children too and one may exit (0) before this process handles it.
    if (code !== 0) console.error(`[tillit] a process stopped (exit ${code ?? 'by a signal'}); stopping the others`);
    stop(code ?? 1);
  });
}
process.once('SIGINT', () => stop());
process.once('SIGTERM', () => stop());

// Print the URLs once both answer; stop if they do not.
const deadline = Date.now() + 60_000; // generous: a loaded machine starts slowly
async function ready(url) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
Promise.all([ready(`${collectorUrl}/healthz`), ready(`${demoUrl}/`)]).then(([c, d]) => {
  if (!c || !d) {
    console.error('[tillit] the collector or the demo did not come up; see the messages above');
    return stop(1);
  }
  console.log(`
  Tillit is running.
    Demo shop:        ${demoUrl}/
    Collector:        ${collectorUrl}  (health: ${collectorUrl}/healthz)
    Privacy portal:   ${demoUrl}/privacy.html
    Database:         ${dataDir}/tillit.db  (sqlite3 ${dataDir}/tillit.db 'select type, event from events')
  Press Ctrl-C to stop.
`);
});
