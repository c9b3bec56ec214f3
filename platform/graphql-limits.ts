import {
  getNamedType,
  GraphQLError,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type ASTNode,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

// Query limits, as GraphQL validation rules: a query over a limit is refused before anything
// runs, with an error that names the limit. Each rule walks every fragment ONCE and remembers
// what it found: a fragment spread twice by each of n nested fragments is 2^n spreads, and
// re-walking a fragment at each spread is what let an 800-byte query hold the event loop.

const refuse = (ctx: ValidationContext, message: string, node: ASTNode, code: string) =>
  ctx.reportError(new GraphQLError(message, { nodes: [node], extensions: { code } }));

const fragmentsOf = (ctx: ValidationContext): Map<string, FragmentDefinitionNode> =>
  new Map(
    ctx
      .getDocument()
      .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );

/**
 * A fold over an operation's selections where each fragment's value is computed once. A
 * fragment met again while it is being computed (a cycle, which graphql-js reports on its own)
 * counts as `cycle`.
 */
function memoisedFold<T>(
  ctx: ValidationContext,
  cycle: T,
  visit: (set: SelectionSetNode, type: GraphQLNamedType | undefined, spread: Spread<T>) => T,
) {
  const fragments = fragmentsOf(ctx);
  const done = new Map<string, T>();
  const open = new Set<string>();
  const spread: Spread<T> = (name) => {
    const known = done.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || open.has(name)) return cycle;
    open.add(name);
    const type = ctx.getSchema().getType(fragment.typeCondition.name.value) ?? undefined;
    const value = visit(fragment.selectionSet, type, spread);
    open.delete(name);
    done.set(name, value);
    return value;
  };
  return (set: SelectionSetNode, type: GraphQLNamedType | undefined) => visit(set, type, spread);
}
type Spread<T> = (fragmentName: string) => T;

/** The named type a field of `parent` returns, if the schema knows both. */
function fieldType(
  parent: GraphQLNamedType | undefined,
  field: FieldNode,
): GraphQLNamedType | undefined {
  if (!parent || !isObjectType(parent)) return undefined;
  const def = parent.getFields()[field.name.value];
  return def ? getNamedType(def.type) : undefined;
}

export function depthLimit(max: number) {
  return (ctx: ValidationContext): ASTVisitor => {
    const depth = memoisedFold<number>(ctx, 0, (set, _type, spread) => {
      let deepest = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD)
          deepest = Math.max(deepest, s.selectionSet ? 1 + depthOf(s.selectionSet) : 0);
        else if (s.kind === Kind.INLINE_FRAGMENT)
          deepest = Math.max(deepest, depthOf(s.selectionSet));
        else deepest = Math.max(deepest, spread(s.name.value));
      }
      return deepest;
    });
    const depthOf = (set: SelectionSetNode) => depth(set, undefined);
    return {
      OperationDefinition(node) {
        const d = depthOf(node.selectionSet);
        if (d > max)
          refuse(
            ctx,
            `the query nests ${d} levels deep; the limit is ${max}`,
            node,
            'GRAPHQL_VALIDATION_FAILED',
          );
      },
    };
  };
}

/**
 * Structure before meaning: how many fields an operation asks for at its root, and how many
 * fragment spreads and fragments a document holds (as written, not as expanded).
 */
export function structureLimit({
  maxRootFields,
  maxFragments,
  maxSpreads,
}: {
  maxRootFields: number;
  maxFragments: number;
  maxSpreads: number;
}) {
  return (ctx: ValidationContext): ASTVisitor => {
    let spreads = 0;
    let reported = false;
    return {
      Document(doc) {
        const fragments = doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
        if (fragments.length > maxFragments)
          refuse(
            ctx,
            `the document defines ${fragments.length} fragments; the limit is ${maxFragments}`,
            doc,
            'GRAPHQL_VALIDATION_FAILED',
          );
      },
      OperationDefinition(node) {
        const roots = rootFieldCount(ctx, node.selectionSet);
        if (roots > maxRootFields)
          refuse(
            ctx,
            `the operation asks for ${roots} root fields; the limit is ${maxRootFields}`,
            node,
            'GRAPHQL_VALIDATION_FAILED',
          );
      },
      FragmentSpread(node) {
        if (++spreads > maxSpreads && !reported) {
          reported = true;
          refuse(
            ctx,
            `the document has more than ${maxSpreads} fragment spreads`,
            node,
            'GRAPHQL_VALIDATION_FAILED',
          );
        }
      },
    };
  };
}

function rootFieldCount(ctx: ValidationContext, set: SelectionSetNode): number {
  const count = memoisedFold<number>(ctx, 0, (s, _type, spread) => {
    let n = 0;
    for (const sel of s.selections) {
      if (sel.kind === Kind.FIELD) n += sel.name.value === '__typename' ? 0 : 1;
      else if (sel.kind === Kind.INLINE_FRAGMENT) n += countOf(sel.selectionSet);
      else n += spread(sel.name.value);
    }
    return n;
  });
  const countOf = (s: SelectionSetNode) => count(s, undefined);
  return countOf(set);
}

/** What one field costs, before what it selects: a number, or a function of its arguments. */
export type FieldPrice = number | ((args: Record<string, unknown>) => number);

export interface CostModel {
  max: number;
  /** Largest page a `first` (or `last`) argument may ask for. */
  maxPage: number;
  /** A smaller largest page for some fields, by "Type.field" (what their resolvers accept). */
  fieldMaxPage?: Record<string, number>;
  /** Prices by "Type.field"; every other field costs 1. */
  prices: Record<string, FieldPrice>;
  /**
   * Fields whose argument is a page size multiplying what they select, by "Type.field": the
   * argument names summed (Series.occurrences: past + upcoming). Fields with a `first`
   * argument need no entry.
   */
  pageArgs?: Record<string, string[]>;
  /** A page size given as a variable counts as this (its value is checked at execution). */
  variablePage?: number;
}

/**
 * Cost: a field costs its price plus, for a list with a page argument, the page size times what
 * it selects. `first`/`last` written outside 1..maxPage is refused here, before any cost is
 * computed (a negative page would make the cost negative).
 */
export function costLimit(model: CostModel) {
  const { max, prices, pageArgs = {}, fieldMaxPage = {} } = model;
  return (ctx: ValidationContext): ASTVisitor => {
    const argsOf = (f: FieldNode): Record<string, unknown> =>
      Object.fromEntries(
        (f.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]),
      );
    const pageOf = (f: FieldNode, key: string, parent: GraphQLNamedType | undefined): number => {
      const maxPage = fieldMaxPage[key] ?? model.maxPage;
      const variablePage = Math.min(model.variablePage ?? maxPage, maxPage);
      const names = pageArgs[key] ?? ['first', 'last'];
      const defs =
        parent && isObjectType(parent) ? parent.getFields()[f.name.value]?.args : undefined;
      let page = 0;
      let any = false;
      for (const name of names) {
        const arg = f.arguments?.find((a) => a.name.value === name);
        const def = defs?.find((d) => d.name === name);
        if (!arg && !def) continue;
        any = true;
        // Left out or written null, a page is the resolver's default: the schema's, or, where the
        // schema names none, the largest (a null must not make a list cost nothing).
        if (!arg || arg.value.kind === Kind.NULL)
          page += typeof def?.defaultValue === 'number' ? def.defaultValue : variablePage;
        else if (arg.value.kind === Kind.VARIABLE) page += variablePage;
        else if (arg.value.kind === Kind.INT) {
          const n = Number(arg.value.value);
          if (n < 0 || n > maxPage || (n === 0 && !pageArgs[key])) {
            refuse(
              ctx,
              `${name} must be between ${pageArgs[key] ? 0 : 1} and ${maxPage}`,
              arg,
              'BAD_USER_INPUT',
            );
            return NaN;
          }
          page += n;
        } else page += variablePage;
      }
      return any ? page : 1;
    };
    const cost = memoisedFold<number>(ctx, 0, (set, parent, spread) => {
      let total = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          const key = `${parent?.name ?? '?'}.${s.name.value}`;
          const price = prices[key];
          const own = typeof price === 'function' ? price(argsOf(s)) : (price ?? 1);
          const page = pageOf(s, key, parent);
          const inner = s.selectionSet ? cost(s.selectionSet, fieldType(parent, s)) : 0;
          total += own + page * inner;
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          const type = s.typeCondition
            ? (ctx.getSchema().getType(s.typeCondition.name.value) ?? undefined)
            : parent;
          total += cost(s.selectionSet, type);
        } else total += spread(s.name.value);
      }
      return total;
    });
    return {
      OperationDefinition(node) {
        const root =
          node.operation === 'mutation'
            ? ctx.getSchema().getMutationType()
            : node.operation === 'subscription'
              ? ctx.getSchema().getSubscriptionType()
              : ctx.getSchema().getQueryType();
        const c = cost(node.selectionSet, root ?? undefined);
        // NaN: a page argument was refused above; that error says why.
        if (Number.isNaN(c)) return;
        if (c > max)
          refuse(
            ctx,
            `the query would cost ${c}; the limit is ${max} (ask for fewer fields or smaller pages)`,
            node,
            'TOO_EXPENSIVE',
          );
      },
    };
  };
}
