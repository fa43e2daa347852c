/**
 * Nesting depth, measured without recursion: an event nested thousands of levels deep must be refused
 * at ingest with a reason, and one stored before the limit existed must still be readable (a
 * recursive reader, JSON.stringify included, runs out of stack on it: issue 15 item 5).
 */

/** The first top-level field of `event` that nests deeper than `max` levels (the event itself is level 1), or null. */
export function fieldTooDeep(event: Record<string, unknown>, max: number): string | null {
  for (const [field, value] of Object.entries(event)) {
    const stack: [unknown, number][] = [[value, 2]];
    while (stack.length) {
      const [v, level] = stack.pop()!;
      if (v === null || typeof v !== 'object') continue;
      if (level > max) return field;
      for (const child of Object.values(v)) stack.push([child, level + 1]);
    }
  }
  return null;
}

/** How deep JSON text nests (`{}` is 1), in one pass over the text; strings are skipped. */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) max = Math.max(max, ++depth);
    else if (ch === 125 /* } */ || ch === 93 /* ] */) depth--;
  }
  return max;
}
