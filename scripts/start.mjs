// `npm start`: install, build, then run the collector and the demo shop, printing their URLs.
import { spawn } from 'node:child_process';
import { build, ensureInstalled, root } from './setup.mjs';

ensureInstalled();
build();

const collectorUrl = 'http://127.0.0.1:8787';
const children = [
  spawn(process.execPath, ['packages/collector/dist/cli.js', '--config', 'demo/collector.json'], { cwd: root, stdio: 'inherit' }),
  spawn(process.execPath, ['demo/server.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TILLIT_COLLECTOR_URL: collectorUrl },
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
    if (!stopping) {
      console.error(`[tillit] a process stopped (exit ${code}); stopping the others`);
      stop(code || 1);
    }
  });
}
process.once('SIGINT', () => stop());
process.once('SIGTERM', () => stop());

// Print the URLs once both answer.
const deadline = Date.now() + 15_000;
async function ready(url) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
Promise.all([ready(`${collectorUrl}/healthz`), ready('http://127.0.0.1:8080/')]).then(([c, d]) => {
  if (!c || !d) return console.error('[tillit] the collector or the demo did not come up; see the messages above');
  console.log(`
  Tillit is running.
    Demo shop:        http://127.0.0.1:8080/
    Collector:        ${collectorUrl}  (health: ${collectorUrl}/healthz)
    Privacy portal:   http://127.0.0.1:8080/privacy.html
    Database:         ./data/tillit.db  (sqlite3 data/tillit.db 'select type, event from events')
  Press Ctrl-C to stop.
`);
});
