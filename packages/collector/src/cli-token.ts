import { parseArgs } from 'node:util';
import { mintToken } from './auth.js';
import { ConfigError, loadConfig } from './config.js';

/** `tillit-collector token --user ID [--minutes 10] [--site NAME]`: a token signed with the site's first token key. */
export function tokenCommand(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: 'string' },
      minutes: { type: 'string', default: '10' },
      site: { type: 'string' },
      config: { type: 'string' },
    },
  });
  if (!values.user) throw new ConfigError('[tillit-collector] token: name the user with --user ID');
  const config = loadConfig(env, values.config ?? env.TILLIT_CONFIG);
  const site = values.site ? config.sites.find((s) => s.name === values.site) : config.sites[0];
  if (!site) throw new ConfigError(`[tillit-collector] token: no site named ${values.site} in the config`);
  const key = site.tokenKeys[0];
  if (!key)
    throw new ConfigError(`[tillit-collector] token: site ${site.name} has no tokenKeys in the config (or TILLIT_TOKEN_KEYS)`);
  return mintToken({ key, userId: values.user, minutes: Number(values.minutes) });
}
