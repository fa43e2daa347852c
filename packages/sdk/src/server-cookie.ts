/**
 * The collector's identity cookie (`serverCookie`; the collector's routes/identity-cookie.ts): an HttpOnly
 * cookie that the collector sets on the site, which Safari keeps when it deletes what scripts stored after 7
 * days without a visit. Asked for once per decision (after the collector holds the id's secret), deleted
 * when nothing is granted, and read back at a decision in a browser that has no stored id. In the privacy
 * chunk: sites without it never load these bytes, and every page that has them loads the chunk anyway.
 */
import type { ConsentRecord } from '@tillit/schema';
import type { StoredDecision } from './consent-rules.js';
import type { Identity } from './state.js';
import type { KeyValueStorage } from './types.js';

/** How long a decision waits for the restore before it makes a new id: held events wait as long. */
const RESTORE_WAIT_MS = 3000;

export function serverCookie(base: string, f: typeof fetch, writeKey: string | false | undefined, save: () => void) {
  // The one request of the SDK that carries cookies (`credentials: 'include'`); a string body, so no preflight.
  const ask = (body: object) =>
    f(`${base}/v1/identity`, {
      method: 'POST',
      body: JSON.stringify({ writeKey, ...body }),
      credentials: 'include',
      keepalive: true,
    });
  /** What this page last asked for (a decision's time, or '' for deletion): two syncs in a row send one request. */
  let asked: string | undefined;
  let restoring: Promise<Identity | undefined> | undefined;
  return {
    /**
     * After a decision, an identity change, a withdrawal or an erasure (and on each page, where it costs
     * nothing once asked): the cookie for the id as long as the decision lives (`seconds`), once the collector
     * has acknowledged the id's secret (`sent`), or its deletion when nothing is granted. A 5xx, 429 or network
     * error is tried again at the next sync; a refusal (an id whose secret this browser does not hold) is not.
     */
    sync(decision: StoredDecision | null, seconds: number, identity: Identity | null) {
      const want = identity ? decision!.decidedAt : '';
      if (!writeKey || want === asked || (identity && (!identity.sent || identity.sc === want))) return;
      asked = want;
      ask(identity ? { anonymousId: identity.id, secret: identity.secret, maxAge: seconds } : {}).then(
        (res) => {
          if (res.status > 499 || res.status === 429) asked = undefined;
          else if (identity) {
            identity.sc = want;
            save();
          }
        },
        () => (asked = undefined),
      );
    },
    /**
     * At a decision that grants something in a browser with no stored id (`local`, the SDK's localStorage):
     * the id the cookie holds, with a new secret the collector has bound to it, or undefined (no cookie, an
     * erased or withdrawn id, no answer within RESTORE_WAIT_MS). Never rejects: the decision goes on with a new id.
     */
    restore(record: ConsentRecord, local: KeyValueStorage): Promise<Identity | undefined> | undefined {
      // identity.ts ID_KEY: a stored identity (also one granted before this decision) needs no restore.
      if (!writeKey || local.getItem('tillit_id') || !Object.values(record.purposes).includes(true)) return;
      restoring ??= Promise.race([
        (async () => {
          const secret = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => (b + 256).toString(16).slice(1)).join('');
          const id = ((await (await ask({ secret })).json()) as { anonymousId?: string | null }).anonymousId;
          return id ? { id, secret, sent: 1 as const } : undefined;
        })(),
        new Promise<undefined>((resolve) => setTimeout(resolve, RESTORE_WAIT_MS)),
      ])
        .catch(() => undefined)
        // Shared by decisions made while it is in flight only: after a withdrawal the next one starts afresh.
        .finally(() => (restoring = undefined));
      return restoring;
    },
  };
}
