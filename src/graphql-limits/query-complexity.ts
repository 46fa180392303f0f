import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';

/** The limits one GraphQL request must stay within (RBCD_GRAPHQL_*). */
export interface GraphqlLimits {
  /** Deepest field nesting (a root field is depth 1). */
  maxDepth: number;
  /** Aliased fields in the whole operation, fragments expanded. */
  maxAliases: number;
  /** Fields in the whole operation, fragments expanded. */
  maxFields: number;
  /** Directory look-ups the operation's root fields may ask for (see DIRECTORY_LOOKUPS). */
  maxDirectoryLookups: number;
}

export const GRAPHQL_LIMIT_NAMES = ['maxDepth', 'maxAliases', 'maxFields', 'maxDirectoryLookups'] as const;
export type GraphqlLimitName = (typeof GRAPHQL_LIMIT_NAMES)[number];

export interface QueryCost {
  depth: number;
  aliases: number;
  fields: number;
  directoryLookups: number;
}

type Args = Record<string, unknown>;

/** Accounts an input names: each is one look-up (a target search counts as one). */
function namedAccounts(input: unknown): number {
  if (!input || typeof input !== 'object') return 1;
  const { targets, principals, targetSearch, requestedFor } = input as Record<string, unknown>;
  const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
  return Math.max(1, count(targets) + count(principals) + (targetSearch ? 1 : 0) + (requestedFor ? 1 : 0));
}

/**
 * Directory look-ups of each root field that reads Active Directory, from its arguments. Fields not
 * listed read only the database. The cost is known before anything runs, so an operation over the
 * budget is refused whole (never half answered).
 */
export const DIRECTORY_LOOKUPS: Readonly<Record<string, (args: Args) => number>> = {
  delegation: () => 1,
  delegationsForPrincipal: () => 1,
  inventory: () => 1,
  diagnose: () => 3,
  planDelegation: (args) => namedAccounts(args.input),
  requestDelegation: (args) => namedAccounts(args.input),
};

/**
 * Measures one operation: depth, aliases and fields with fragments expanded (each spread counted
 * where it is used), and the directory look-ups of its root fields. It runs before GraphQL
 * validation (whose cost grows with the square of the fields), so it trusts nothing: iterative over
 * an explicit stack, and it stops once it has visited `stopAfter` fields or four times as many
 * selections (fragment cycles, spreads of spreads), reporting the fields as over that bound.
 */
export function measureOperation(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Args = {},
  stopAfter = Infinity,
): QueryCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const cost: QueryCost = { depth: 0, aliases: 0, fields: 0, directoryLookups: 0 };
  const stack: { set: SelectionSetNode; depth: number }[] = [{ set: operation.selectionSet, depth: 1 }];
  let visited = 0;
  while (stack.length > 0 && cost.fields <= stopAfter) {
    const { set, depth } = stack.pop() as { set: SelectionSetNode; depth: number };
    for (const selection of set.selections) {
      if (++visited > stopAfter * 4) {
        cost.fields = Math.max(cost.fields, stopAfter + 1);
        return cost;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) stack.push({ set: fragment.selectionSet, depth });
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        stack.push({ set: selection.selectionSet, depth });
        continue;
      }
      cost.fields++;
      if (selection.alias) cost.aliases++;
      cost.depth = Math.max(cost.depth, depth);
      if (depth === 1) {
        const lookups = DIRECTORY_LOOKUPS[selection.name.value];
        if (lookups) {
          const args: Args = {};
          for (const arg of selection.arguments ?? []) args[arg.name.value] = valueFromASTUntyped(arg.value, variables);
          cost.directoryLookups += lookups(args);
        }
      }
      if (selection.selectionSet) stack.push({ set: selection.selectionSet, depth: depth + 1 });
    }
  }
  return cost;
}

const MEASURE: Record<GraphqlLimitName, keyof QueryCost> = {
  maxDepth: 'depth',
  maxAliases: 'aliases',
  maxFields: 'fields',
  maxDirectoryLookups: 'directoryLookups',
};

/** The first limit the cost exceeds, or undefined when it stays within all of them. */
export function exceededLimit(
  cost: QueryCost,
  limits: GraphqlLimits,
): { limit: GraphqlLimitName; max: number; actual: number } | undefined {
  for (const limit of GRAPHQL_LIMIT_NAMES) {
    const actual = cost[MEASURE[limit]];
    if (actual > limits[limit]) return { limit, max: limits[limit], actual };
  }
  return undefined;
}
