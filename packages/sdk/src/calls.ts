/** Segment's call forms (analytics.js): which argument is which, the callback, and the promise each call returns. */
import { warn } from './safe.js';
import type { State } from './state.js';
import type { CallOptions, CallResult } from './types.js';

/** A call's leading names (ids, event or page names), absent ones undefined. */
export type Names = (string | undefined)[];
type Handler = (names: Names, properties?: Record<string, unknown>, options?: CallOptions) => CallResult | Promise<CallResult>;

/**
 * One call type's public method. Its arguments, as analytics.js takes them: up to `max` names first
 * (a string of 1 to `limit` characters; a number becomes its string; null or undefined: none), then an
 * object (properties or traits), then options; a function is the callback and ends the arguments.
 * A name of any other kind (or too long: a user id the collector refuses would make it refuse every
 * later event) refuses the call, nothing recorded. `options.anonymousId` is setAnonymousId() first.
 * Returns a promise of what became of the event (the callback gets the same); it never rejects.
 */
export const call =
  (s: State, type: string, max: number, handle: Handler, limit = 200) =>
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
          throw `${type}: expected a string or number of 1 to ${limit} characters, got ${typeof name === 'string' ? `${name.length} characters` : String(name)}`;
        names.push(name as string | undefined);
      }
      const [properties, options] = a as [Record<string, unknown>?, CallOptions?];
      result = options?.anonymousId
        ? s.adopt_!(options.anonymousId)
            .catch(s.log_)
            .then(() => handle(names, properties, options))
        : handle(names, properties, options);
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
