import { parseArgs } from 'node:util';
import { keyedHasher, loadServerKey } from './auth.js';
import { ConfigError, loadConfig } from './config.js';
import { openStore } from './open-store.js';

/**
 * `tillit-collector destinations list` prints each destination's outbox (depth, oldest age, failing, dead
 * letters, open erasure propagations); `destinations replay --name X` puts X's dead letters back in the
 * queue. Both open the configured store beside the running collectors, whose workers deliver.
 */
export async function destinationsCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, config: { type: 'string' } },
  });
  const action = positionals[0];
  if (action !== 'list' && action !== 'replay') {
    throw new ConfigError('[tillit-collector] destinations: say `list` or `replay --name NAME`');
  }
  const config = loadConfig(env, values.config ?? env.TILLIT_CONFIG);
  const names = config.sites.flatMap((s) => s.destinations.map((d) => d.name));
  if (action === 'replay' && (!values.name || !names.includes(values.name))) {
    throw new ConfigError(
      `[tillit-collector] destinations replay: --name must name a configured destination (${names.join(', ') || 'none configured'})`,
    );
  }
  const store = openStore(config, keyedHasher(loadServerKey(config.serverKey, config.dataDir)), { reader: true });
  try {
    const outbox = store.outbox;
    if (!outbox) throw new ConfigError('[tillit-collector] destinations: this store keeps no outbox');
    if (action === 'replay') {
      const replayed = await outbox.replay(values.name!, Date.now());
      return `[tillit-collector] ${values.name}: ${replayed} dead letter(s) queued again`;
    }
    const counts = new Map((await outbox.counts()).map((c) => [c.destination, c]));
    const now = Date.now();
    return names
      .map((name) => {
        const c = counts.get(name);
        const age = c?.oldestQueuedAt == null ? '-' : `${Math.round((now - Number(c.oldestQueuedAt)) / 1000)} s`;
        const erasures = c ? Number(c.erasuresPending) + Number(c.erasuresDead) + Number(c.erasuresManual) : 0;
        return `${name}: depth ${Number(c?.pending ?? 0)}, oldest ${age}, failing ${Number(c?.failing ?? 0)}, dead letters ${Number(c?.dead ?? 0)}, open erasures ${erasures}`;
      })
      .join('\n');
  } finally {
    await store.close();
  }
}
