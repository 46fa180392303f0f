/**
 * Awaits every promise (none is left running behind a failure), then returns their values, or
 * throws the error of the first one in argument order that failed: which error a caller sees does
 * not depend on which operation happened to fail first.
 */
export async function allInOrder<T extends readonly unknown[]>(
  promises: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(promises);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
