/** The deepest nesting of objects and arrays a request body may have (the top-level object is 1). */
export const MAX_BODY_DEPTH = 32;

/**
 * Whether `value` nests objects/arrays deeper than `limit`. Iterative (an explicit stack, never
 * recursion) and stops at the first level past the limit, so a hostile body costs at most one walk
 * of its first `limit` levels: class-transformer and class-validator, which recurse, never see it.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (!isContainer(value)) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (depth > limit) return true;
    const children = Array.isArray(current) ? current : Object.values(current as Record<string, unknown>);
    for (const child of children) if (isContainer(child)) stack.push([child, depth + 1]);
  }
  return false;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value);
}
