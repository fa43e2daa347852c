import { parseArgs } from 'node:util';
import { keyedHasher, loadServerKey } from './auth.js';
import { ConfigError, loadConfig } from './config.js';
import { insightCsv } from './insights-csv.js';
import { ANALYSES, ParamError, parseAnalysis, parseParams } from './insights-params.js';
import { runInsight } from './insights-run.js';
import { openStore } from './open-store.js';

const PARAMS = [
  'from',
  'to',
  'model',
  'lookbackDays',
  'halfLifeDays',
  'topPaths',
  'asOf',
  'horizon',
  'unit',
  'discountRate',
  'minSupport',
  'minConfidence',
  'period',
  'basis',
];

/**
 * `tillit-collector insights <analysis> [--from ISO --to ISO --model NAME ...] [--json|--csv] [--site NAME]`:
 * the operator API's answer, read straight from the configured store (data dir or PostgreSQL).
 */
export async function insightsCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(PARAMS.map((name) => [name, { type: 'string' as const }])),
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      site: { type: 'string' },
      config: { type: 'string' },
    },
  });
  const given = values as Record<string, string | boolean | undefined>;
  let analysis: ReturnType<typeof parseAnalysis>;
  let params: ReturnType<typeof parseParams>;
  try {
    analysis = parseAnalysis(positionals[0] ?? '');
    const names = PARAMS.filter((name) => given[name] !== undefined);
    params = parseParams(analysis, (name) => given[name] as string | undefined, names);
  } catch (error) {
    if (error instanceof ParamError)
      throw new ConfigError(`[tillit-collector] insights: --${error.message} (analyses: ${ANALYSES.join(', ')})`);
    throw error;
  }
  const config = loadConfig(env, (given.config as string | undefined) ?? env.TILLIT_CONFIG);
  const site = (given.site as string | undefined) ?? config.sites[0]?.name;
  if (!site || !config.sites.some((s) => s.name === site))
    throw new ConfigError(`[tillit-collector] insights: no site named ${site} in the config`);
  const hashOf = keyedHasher(loadServerKey(config.serverKey, config.dataDir));
  const store = openStore(config, hashOf, { reader: true });
  try {
    const result = await runInsight({ store, hashOf, serverSidePurposes: config.serverSidePurposes }, site, analysis, params);
    return given.csv ? insightCsv(analysis, result as unknown as Record<string, unknown>) : JSON.stringify(result, null, 2);
  } finally {
    await store.close();
  }
}
