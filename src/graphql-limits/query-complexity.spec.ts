import { getOperationAST, parse } from 'graphql';
import { exceededLimit, measureOperation } from './query-complexity';

const LIMITS = { maxDepth: 15, maxAliases: 100, maxFields: 1000, maxDirectoryLookups: 200 };

function measure(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  return measureOperation(document, getOperationAST(document) as never, variables, LIMITS.maxFields);
}

describe('measureOperation', () => {
  it('counts depth, fields, aliases and look-ups, fragments expanded where spread', () => {
    const cost = measure(
      'query { a: delegation(target: "X") { target { dn } } ...F ...F } fragment F on Query { b: delegation(target: "Y") { sddl } }',
    );
    expect(cost).toEqual({ depth: 3, fields: 7, aliases: 3, directoryLookups: 3 });
  });

  it('reads list lengths from variables and inline values', () => {
    const cost = measure(
      'query($t: [String!]) { planDelegation(input: {action: "grant", targets: $t, principals: ["B$", "C$"]}) { action } }',
      { t: ['A', 'B', 'C'] },
    );
    expect(cost.directoryLookups).toBe(5);
  });

  it('ends on a fragment cycle (validation has not run yet) and reports the fields as over the bound', () => {
    const cost = measure('query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }');
    expect(exceededLimit(cost, LIMITS)).toMatchObject({ limit: 'maxFields' });
  });

  it('names the first limit exceeded, and nothing when within all', () => {
    expect(exceededLimit({ depth: 16, aliases: 0, fields: 1, directoryLookups: 0 }, LIMITS)).toEqual({
      limit: 'maxDepth',
      max: 15,
      actual: 16,
    });
    expect(exceededLimit({ depth: 15, aliases: 100, fields: 1000, directoryLookups: 200 }, LIMITS)).toBeUndefined();
  });
});
