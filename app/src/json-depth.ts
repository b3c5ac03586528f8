/**
 * The deepest nesting of objects and arrays an item may have. JSON.parse copes with thousands of
 * levels, but JSON.stringify (storing the item) and every reader recurse: a body about 4,200 levels
 * deep made it throw, and the write came back as "outcome unknown".
 */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests deeper than `max` levels; iterative, so it never overflows the stack itself. */
export function exceedsDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
