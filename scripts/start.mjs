// `npm start`: install, build, then run the collector and the demo shop, seed the collector with
// simulated traffic (so the insights show something on first run), and print the URLs.
// TILLIT_PORT (collector, 8787) and DEMO_PORT (demo shop, 8080) choose the ports; TILLIT_DATA_DIR
// the database's directory (./data), as for the collector itself; TILLIT_SIMULATE=0 skips the seeding.
import { spawn } from 'node:child_process';
import { build, ensureInstalled, root } from './setup.mjs';

ensureInstalled();
build();

const collectorPort = Number(process.env.TILLIT_PORT ?? 8787);
const demoPort = Number(process.env.DEMO_PORT ?? 8080);
const collectorUrl = `http://127.0.0.1:${collectorPort}`;
const demoUrl = `http://127.0.0.1:${demoPort}`;
const dataDir = process.env.TILLIT_DATA_DIR ?? './data';
// The demo's operator token (insights, audit log, register): for this local demo only, never a real site.
const operatorToken = process.env.TILLIT_OPERATOR_TOKEN ?? 'demo-operator-token-local-use-only';
const simulate = process.env.TILLIT_SIMULATE !== '0';

// The demo's one site comes from the environment (TILLIT_WRITE_KEY, TILLIT_ORIGINS), so that its
// allowed origins follow DEMO_PORT; demo/collector.json holds the rest.
const collectorEnv = {
  ...process.env,
  TILLIT_PORT: String(collectorPort),
  TILLIT_DATA_DIR: dataDir,
  TILLIT_SITE_NAME: 'Tillit demo shop',
  TILLIT_WRITE_KEY: 'demo-write-key',
  TILLIT_ORIGINS: `${demoUrl},http://localhost:${demoPort}`,
  TILLIT_OPERATOR_TOKEN: operatorToken,
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
/**
 * Four months of simulated traffic to the demo shop, through the collector's real ingest (consent
 * records, then batches), every event marked `context.simulated: true`. The days end at the start of
 * today (UTC) and the ids come from a fixed seed, so a restart the same day sends the same events and
 * the collector stores none twice (a later day's restart is all duplicates too).
 */
async function seed() {
  if (!simulate) return '    Simulated data:   off (TILLIT_SIMULATE=0)';
  // Imported only now: the build above has just written these files.
  const { seedSimulatedShop } = await import('@tillit/collector/testing');
  const end = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const r = await seedSimulatedShop(collectorUrl, { writeKey: 'demo-write-key', origin: demoUrl, seed: 1, end });
  const what = r.accepted ? `${r.accepted} new` : 'all there already';
  return `    Simulated data:   ${r.events} events (${what}) and ${r.consents} consent decisions of made-up visitors over
                      120 days, marked context.simulated: true (seeded in ${(r.milliseconds / 1000).toFixed(1)} s; TILLIT_SIMULATE=0 to skip)
    Insights API:     GET /v1/insights/attribution?model=markov (also cltv, segments, basket, cohorts, nps,
                      journeys) on the collector, with: Authorization: Bearer ${operatorToken}`;
}

Promise.all([ready(`${collectorUrl}/healthz`), ready(`${demoUrl}/`)]).then(async ([c, d]) => {
  if (!c || !d) {
    console.error('[tillit] the collector or the demo did not come up; see the messages above');
    return stop(1);
  }
  let seeded;
  try {
    seeded = await seed();
  } catch (error) {
    console.error(`[tillit] seeding the simulated data failed: ${error.message}`);
    return stop(1);
  }
  console.log(`
  Tillit is running.
    Demo shop:        ${demoUrl}/
    Collector:        ${collectorUrl}  (health: ${collectorUrl}/healthz)
    Privacy portal:   ${demoUrl}/privacy.html
    Database:         ${dataDir}/tillit.db  (sqlite3 ${dataDir}/tillit.db 'select type, event from events')
${seeded}
  Press Ctrl-C to stop.
`);
});
