/**
 * A zod schema compiled once into plain closures, for the collector's hot path: zod's own parse
 * (copies, issue objects, its generic run loop) costs ~4 µs per event, several times the rest of the
 * per-event work. The zod schema stays the only definition: every limit, pattern and refinement is
 * read from it here, and a construct this compiler does not know makes it throw instead of guessing.
 *
 * Same answers as `schema.safeParse` on JSON values (what `JSON.parse` returns), proven by the fuzz
 * suite (test/fuzz/compiled-check.test.ts). Unlike zod it works in place: the value it accepts is
 * the parse result (defaults filled in, own `__proto__` keys dropped, as zod does); only the key
 * order differs (zod writes the schema's keys first). On reject, ask zod for the reasons.
 */
import { z } from 'zod';
import { Event } from './event.js';

/** True when the value is accepted; may fill defaults and drop `__proto__` keys in place. */
export type Check = (value: unknown) => boolean;
type Fields = Record<string, unknown>;
type Schema = z.core.$ZodType;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const PROTO = '__proto__';
const codePoints = z.core.util.codePointLength;
/** zod never copies an own `__proto__` key (assigning it would replace the copy's prototype). */
function dropProto(o: Fields): void {
  if (Object.hasOwn(o, PROTO)) delete o[PROTO];
}

const unsupported = (what: string) => new Error(`compileCheck: ${what} is not supported; teach compiled-check.ts or keep zod`);

/** The length limits and patterns of a string or array schema, as one check over a value of that type. */
function lengthAndPattern(schema: Schema): (v: string | unknown[]) => boolean {
  const def = schema._zod.def as z.core.$ZodStringDef;
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  const patterns: RegExp[] = [];
  const formatOf = (d: { format?: string; pattern?: RegExp }) => {
    // Formats that are a pattern and nothing else; others (url, email…) check more than their regex.
    if (d.format !== 'regex' && d.format !== 'datetime') throw unsupported(`string format ${d.format}`);
    patterns.push(d.pattern as RegExp);
  };
  if ((def as { format?: string }).format) formatOf(def as { format?: string; pattern?: RegExp });
  for (const check of def.checks ?? []) {
    const c = check._zod.def as { check: string; minimum?: number; maximum?: number; format?: string; pattern?: RegExp };
    if (c.check === 'min_length') min = Math.max(min, c.minimum as number);
    else if (c.check === 'max_length') max = Math.min(max, c.maximum as number);
    else if (c.check === 'string_format') formatOf(c);
    else throw unsupported(`check ${c.check}`);
  }
  if ((def as { coerce?: boolean }).coerce) throw unsupported('coercion');
  const length = (v: string | unknown[]) => {
    const units = v.length;
    // zod counts a string's code points, not its UTF-16 units, when the units alone leave it in doubt.
    return typeof v === 'string' && (units > max || (units >= min && units < min * 2)) ? codePoints(v) : units;
  };
  const fits = (v: string | unknown[]) => {
    const n = length(v);
    return n >= min && n <= max;
  };
  if (patterns.length === 0) return fits;
  return (v) => fits(v) && patterns.every((p) => p.test(v as string));
}

function compileArray(schema: Schema): Check {
  const element = compileCheck((schema._zod.def as z.core.$ZodArrayDef).element);
  const length = lengthAndPattern(schema);
  return (v) => Array.isArray(v) && length(v) && v.every(element);
}

/** z.record(key, value): every own key and its value; a key-set record (z.record(z.enum…)) is not supported. */
function compileRecord(schema: Schema): Check {
  const def = schema._zod.def as z.core.$ZodRecordDef;
  if (def.keyType._zod.values) throw unsupported('a record over a fixed key set');
  if (def.keyType._zod.def.type !== 'string') throw unsupported(`record key type ${def.keyType._zod.def.type}`);
  const key = compileCheck(def.keyType);
  const value = compileCheck(def.valueType);
  const anyEntry = isTrivial(def.keyType) && def.valueType._zod.def.type === 'unknown';
  return (v) => {
    if (!z.core.util.isPlainObject(v)) return false;
    const o = v as Fields;
    dropProto(o);
    if (anyEntry) return true;
    for (const k of Object.keys(o)) if (!key(k) || !value(o[k])) return false;
    return true;
  };
}

/** A plain z.string() without checks: every record key passes it. */
const isTrivial = (schema: Schema) => schema._zod.def.type === 'string' && !(schema._zod.def.checks ?? []).length;

/** One field of an object: a default is filled in when the value is missing, as zod does. */
function compileField(key: string, schema: Schema): (o: Fields) => boolean {
  const def = schema._zod.def as z.core.$ZodDefaultDef;
  if (def.type === 'default') {
    const inner = compileCheck(def.innerType);
    return (o) => {
      if (o[key] !== undefined) return inner(o[key]);
      o[key] = def.defaultValue;
      return true;
    };
  }
  const check = compileCheck(schema);
  return (o) => check(o[key]);
}

/** z.looseObject(shape) with its refinements (superRefine), which run only once the shape holds, as in zod. */
function compileObject(schema: Schema): Check {
  const def = schema._zod.def as z.core.$ZodObjectDef;
  // Strip and strict objects would need unknown keys removed or refused: not used by the wire format yet.
  if (def.catchall?._zod.def.type !== 'unknown') throw unsupported('an object that is not loose (z.looseObject)');
  const fields = Object.entries(def.shape)
    .filter(([key]) => key !== PROTO)
    .map(([key, field]) => compileField(key, field));
  const refinements = (def.checks ?? []).map((check) => {
    if (check._zod.def.check !== 'custom') throw unsupported(`object check ${check._zod.def.check}`);
    return check;
  });
  return (v) => {
    if (!isObject(v)) return false;
    for (const field of fields) if (!field(v)) return false;
    dropProto(v);
    for (const refinement of refinements) {
      // zod's own check function, on a payload as zod passes it: it adds an issue when it refuses.
      const payload = { value: v, issues: [] as unknown[] };
      refinement._zod.check(payload as unknown as z.core.ParsePayload<never>);
      if (payload.issues.length) return false;
    }
    return true;
  };
}

/** Compiles `schema` into a check; throws for a construct it does not know, rather than answer differently from zod. */
export function compileCheck(schema: Schema): Check {
  const def = schema._zod.def;
  switch (def.type) {
    case 'string': {
      const rest = lengthAndPattern(schema);
      return (v) => typeof v === 'string' && rest(v);
    }
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'unknown':
      return () => true;
    case 'enum': {
      const values = schema._zod.values as Set<unknown>;
      return (v) => values.has(v);
    }
    case 'optional': {
      const inner = compileCheck((def as z.core.$ZodOptionalDef).innerType);
      return (v) => v === undefined || inner(v);
    }
    case 'nullable': {
      const inner = compileCheck((def as z.core.$ZodNullableDef).innerType);
      return (v) => v === null || inner(v);
    }
    case 'array':
      return compileArray(schema);
    case 'record':
      return compileRecord(schema);
    case 'object':
      return compileObject(schema);
    default:
      throw unsupported(`zod type ${def.type}`);
  }
}

let eventCheck: Check | undefined;

/**
 * `Event.safeParse` for the hot path: the event itself, checked and brought in place to what zod
 * returns, or null when zod rejects it (then `Event.safeParse` gives the reasons). For values the
 * caller owns, such as a freshly parsed request body. Compiled on first use: importing runs nothing.
 */
export function validateEvent(value: unknown): Event | null {
  eventCheck ??= compileCheck(Event);
  return eventCheck(value) ? (value as Event) : null;
}
