/**
 * Answers handed, unchanged, to many requests at once (a hot target read by fifty clients gets one
 * view object): frozen when shared, and serialized once each by the HTTP layer instead of once per
 * response. Anything else is serialized as Fastify would (JSON.stringify). The freeze is shallow (no
 * field can be replaced); what shares an answer builds it whole first and never changes its parts
 * afterwards, which is what makes the kept JSON the answer's JSON.
 */
const shared = new WeakSet<object>();
const serialized = new WeakMap<object, string>();

/** Marks `answer` as shared: frozen (no field of what others were handed can be replaced) and serialized once. */
export function shareAnswer<T extends object>(answer: T): Readonly<T> {
  Object.freeze(answer);
  shared.add(answer);
  return answer;
}

/** The JSON of a reply's payload: computed once per shared answer, every time for the rest. */
export function serializeAnswer(payload: unknown): string {
  if (typeof payload !== 'object' || payload === null || !shared.has(payload)) return JSON.stringify(payload);
  let json = serialized.get(payload);
  if (json === undefined) {
    json = JSON.stringify(payload);
    serialized.set(payload, json);
  }
  return json;
}
