/** Segment's call forms (analytics.js): which argument is which, the callback, and the promise each call returns. */
import type { Event } from '@tillit/schema';
import { warn } from './safe.js';
import { currentIdentity, privacyChunk, setUser, user } from './identity.js';
import type { State, User } from './state.js';
import type { CallOptions, CallResult, Tillit } from './types.js';

/** A call's leading names (ids, event or page names), absent ones undefined. */
export type Names = (string | undefined)[];
/** A call type's fields of its event, from the call's names, object and options; throws a string to refuse the call. */
export type Handler = (names: Names, properties?: Record<string, unknown>, options?: CallOptions) => Partial<Event>;

/**
 * One call type's public method. Its arguments, as analytics.js takes them: up to `max` names first
 * (a string of 1 to `limit` characters; a number becomes its string; null or undefined: none), then an
 * object (properties or traits), then options; a function is the callback and ends the arguments.
 * A name of any other kind (or too long: a user id the collector refuses would make it refuse every
 * later event) refuses the call, nothing recorded. `options.anonymousId` is setAnonymousId() first.
 * Returns a promise of what became of the event (the callback gets the same); it never rejects.
 */
export const call =
  (s: State, type: Event['type'], max: number, handle: Handler, limit = 200) =>
  (...a: unknown[]): Promise<CallResult> => {
    let result: CallResult | Promise<CallResult>;
    let callback: unknown;
    try {
      const i = a.findIndex((x) => typeof x === 'function');
      if (i >= 0) callback = a.splice(i)[0];
      const names: Names = [];
      while (names.length < max && (a[0] == null || typeof a[0] !== 'object')) {
        let name = a.shift() ?? undefined;
        if (typeof name === 'number') name = `${name}`;
        if (name !== undefined && (typeof name !== 'string' || !name || name.length > limit))
          throw `${type}: expected a string or number of 1 to ${limit} characters, got ${JSON.stringify(name)}`;
        names.push(name as string | undefined);
      }
      const [properties, options] = a as [Record<string, unknown>?, CallOptions?];
      const fields = handle(names, properties, options);
      // Its purpose: eventPurposes of a track event's name, else analytics.
      const record = () => s.events_!.record_(type, s.eventPurposes_[fields.event!] ?? 'analytics', fields, options?.context);
      result = options?.anonymousId ? s.adopt_!(options.anonymousId).catch(s.log_).then(record) : record();
    } catch (e) {
      // A refused name is the caller's mistake (a debug message); anything else ours (a warning).
      if (typeof e === 'string') s.log_(e);
      else warn(e);
      result = { status: 'dropped', reason: `${e}` };
    }
    const settled = Promise.resolve(result);
    if (callback) settled.then(callback as (r: CallResult) => void).catch(warn);
    return settled;
  };

/**
 * identify() and group(), as Segment keeps them: no id keeps the stored one; the traits merge over the
 * stored ones when the id is the same (or there was none), else replace them; stored after consent only.
 */
export const remember = (
  s: State,
  idKey: 'userId' | 'groupId',
  traitsKey: 'traits' | 'groupTraits',
  id?: string,
  traits?: Record<string, unknown>,
  extra?: User,
) => {
  const u = user(s);
  const known = u[idKey];
  id ??= known;
  traits = { ...(known === undefined || known === id ? u[traitsKey] : 0), ...traits };
  setUser(s, { [idKey]: id, [traitsKey]: traits, ...extra });
  return { [idKey]: id, traits };
};

/** page() and screen(): `(name)` or `(category, name)`, then properties. */
export const page: Handler = ([a, b], properties) =>
  b === undefined ? { name: a, properties } : { category: a, name: b, properties };

type RareCall = 'group' | 'alias' | 'screen';

/** group(), alias(), screen(), as the core has them: each loads the privacy chunk, which makes them (`rare`). */
export const rareCalls = (s: State) => {
  const calls = {} as Pick<Tillit, RareCall>;
  for (const name of ['group', 'alias', 'screen'] as const)
    calls[name] = (...a: unknown[]) =>
      privacyChunk(s).then(
        (c) => (c[name] as (...a: unknown[]) => Promise<CallResult>)(...a),
        (e): CallResult => ({ status: 'dropped', reason: `${e}` }),
      );
  return calls;
};

/** The chunk's group(), alias(), screen(), parsed by the core's `call` (one copy of it). */
export const rare = (s: State, call = s.call_!): Pick<Tillit, RareCall> => ({
  group: call(s, 'group', 1, ([id], traits) => remember(s, 'groupId', 'groupTraits', id, traits), 128),
  alias: call(
    s,
    'alias',
    2,
    ([userId, previousId = user(s).userId ?? currentIdentity(s)?.id]) => {
      if (!userId) throw 'alias: needs a user id';
      return { userId, previousId };
    },
    128,
  ),
  screen: call(s, 'screen', 2, page),
});
