import {
  GraphQLError,
  Kind,
  type ASTNode,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

// Query limits, as GraphQL validation rules: a query over a limit is refused before anything
// runs, with an error that says which limit and by how much.

function fragmentsOf(ctx: ValidationContext): Map<string, FragmentDefinitionNode> {
  return new Map(
    ctx
      .getDocument()
      .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
}

const refuse = (ctx: ValidationContext, message: string, node: ASTNode) =>
  ctx.reportError(
    new GraphQLError(message, { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
  );

export function depthLimit(max: number) {
  return (ctx: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(ctx);
    const depth = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD)
          deepest = Math.max(deepest, s.selectionSet ? 1 + depth(s.selectionSet, seen) : 0);
        else if (s.kind === Kind.INLINE_FRAGMENT)
          deepest = Math.max(deepest, depth(s.selectionSet, seen));
        else if (!seen.has(s.name.value)) {
          deepest = Math.max(
            deepest,
            depth(fragments.get(s.name.value)?.selectionSet, new Set([...seen, s.name.value])),
          );
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const d = depth(node.selectionSet, new Set());
        if (d > max) refuse(ctx, `the query nests ${d} levels deep; the limit is ${max}`, node);
      },
    };
  };
}

/**
 * Cost: every field costs 1, and a field with a `first` argument multiplies what it selects by
 * that page size (a variable counts as the largest page, `maxPage`).
 */
export function costLimit(
  max: number,
  { defaultPage, maxPage }: { defaultPage: number; maxPage: number },
) {
  return (ctx: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(ctx);
    const cost = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let total = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          const first = s.arguments?.find((a) => a.name.value === 'first');
          const page = !first
            ? 1
            : first.value.kind === Kind.INT
              ? Number(first.value.value)
              : first.value.kind === Kind.VARIABLE
                ? maxPage
                : defaultPage;
          total += 1 + page * cost(s.selectionSet, seen);
        } else if (s.kind === Kind.INLINE_FRAGMENT) total += cost(s.selectionSet, seen);
        else if (!seen.has(s.name.value)) {
          total += cost(
            fragments.get(s.name.value)?.selectionSet,
            new Set([...seen, s.name.value]),
          );
        }
      }
      return total;
    };
    return {
      OperationDefinition(node) {
        const c = cost(node.selectionSet, new Set());
        if (c > max)
          refuse(
            ctx,
            `the query would cost ${c}; the limit is ${max} (ask for fewer fields or smaller pages)`,
            node,
          );
      },
    };
  };
}
