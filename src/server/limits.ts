import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  validate,
  type ValidationRule,
  parse,
} from 'graphql';
import { type ComplexityEstimatorArgs, getComplexity } from 'graphql-query-complexity';

/**
 * Operation limits, checked before anything executes, and the bound on the size of an answer.
 *
 * - `tokens`: the parser stops after this many lexical tokens (graphql-js `maxTokens`), so a huge
 *   document costs neither parsing nor validation.
 * - `depth`, `aliases`, `directives`: graphql-armor's rules, over the operation with its fragments
 *   (introspection's `__schema` does not count towards depth).
 * - `fields`: selections the operation has once every fragment is spread (a fragment spread a
 *   thousand times counts a thousand times), so fragment fan-out is bounded.
 * - `cost`: graphql-query-complexity with the estimator below: an upper bound of the platform calls
 *   the operation can make plus the objects it can return, where a connection field multiplies its
 *   selection by `first` and a root list asks every connection.
 * - `responseBytes`: a serialized answer larger than this is replaced by one RESPONSE_TOO_LARGE error.
 *
 * Refusals are `QUERY_TOO_COMPLEX` (HTTP 400) with `extensions.limit = { name, max, actual }`.
 */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxFields: number;
  maxCost: number;
  /** Bytes of the UTF-8 JSON answer. */
  maxResponseBytes: number;
  /** Largest `first` a connection accepts (bigger values are refused by the resolver, not counted). */
  maxPageSize: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 15,
  maxAliases: 100,
  maxDirectives: 50,
  maxTokens: 5_000,
  maxFields: 2_000,
  maxCost: 5_000,
  maxResponseBytes: 5_000_000,
  maxPageSize: 100,
};

export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'fields' | 'cost' | 'responseBytes';

/** What `extensions.limit` of a refusal says. `actual` is absent where counting stopped at the limit. */
export interface LimitReport {
  name: LimitName;
  max: number;
  actual?: number;
}

/** A refused operation; `report` goes to the client as `extensions.limit`. */
export class LimitExceededError extends GraphQLError {
  constructor(
    message: string,
    readonly report: LimitReport,
  ) {
    super(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
  }
}

/**
 * The cost model's assumptions: how many connections a root list asks (one per platform), how long
 * a list without `first` is, and how many platform calls a page of `first` items takes at most
 * (platforms page by 25 at the least, bookingtime's page).
 */
export const COST_MODEL = {
  connections: 5,
  organizationsPerConnection: 5,
  listLength: 10,
  platformPageSize: 25,
  /** `first` when the argument is omitted (the schema's default). */
  defaultFirst: 50,
} as const;

/** Fields that ask a platform once per parent object (a loader may batch them; counted one each). */
const PLATFORM_LOOKUPS = new Set([
  'Booking.service',
  'Booking.customer',
  'Booking.organization',
  'Customer.organization',
  'Service.organization',
  'TimeSlot.service',
  'ProviderConnection.organizations',
  'Query.node',
  'Query.availability',
]);

/** Items a list without `first` is assumed to hold at most; `edges` is counted by its connection's `first`. */
function listLength(coordinate: string, typeName: string): number {
  if (typeName.endsWith('Connection') && coordinate.endsWith('.edges')) return 1;
  switch (coordinate) {
    case 'Query.connections':
      return COST_MODEL.connections;
    case 'Query.organizations':
      return COST_MODEL.connections * COST_MODEL.organizationsPerConnection;
    case 'ProviderConnection.organizations':
      return COST_MODEL.organizationsPerConnection;
    case 'Query.availability':
      return 100;
    default:
      return COST_MODEL.listLength;
  }
}

/** Root lists that ask every connection of the tenant. */
const FAN_OUT = new Set(['Query.bookings', 'Query.customers', 'Query.services', 'Query.organizations']);

function pagesFor(first: number): number {
  return Math.max(1, Math.ceil((first + 1) / COST_MODEL.platformPageSize));
}

function isListOutput(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/**
 * Cost of one field per parent object: the platform calls it makes, plus its selection times the
 * number of items it can return. Leaves and introspection cost nothing (tokens and fields bound them).
 */
export function fieldCost(maxPageSize: number) {
  return ({ type, field, args, childComplexity }: ComplexityEstimatorArgs): number => {
    if (field.name.startsWith('__') || type.name.startsWith('__')) return 0;
    if (isLeafType(getNamedType(field.type))) return 0;
    const coordinate = `${type.name}.${field.name}`;
    const fanOut = FAN_OUT.has(coordinate) ? COST_MODEL.connections : 1;
    if (hasFirst(field)) {
      // A connection: `first` items per call; a value beyond maxPageSize is refused by the resolver.
      const raw = typeof args.first === 'number' ? args.first : args.first === undefined ? COST_MODEL.defaultFirst : 0;
      const first = Math.min(Math.max(0, raw), maxPageSize);
      const platform = type.name === 'WebhookSubscription' ? 0 : fanOut * pagesFor(first);
      return platform + Math.max(1, first) * (1 + childComplexity);
    }
    const calls = (FAN_OUT.has(coordinate) ? COST_MODEL.connections : 0) + (PLATFORM_LOOKUPS.has(coordinate) ? 1 : 0);
    const items = isListOutput(field.type) ? listLength(coordinate, type.name) : 1;
    return calls + items * (1 + childComplexity);
  };
}

function hasFirst(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((a) => a.name === 'first');
}

/** The number in armor's "… limit of N exceeded, found M." message. */
function foundIn(message: string): number | undefined {
  const m = /found (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

const RULE_NAMES: Record<string, { name: LimitName; what: string }> = {
  depth: { name: 'depth', what: 'selection depth' },
  aliases: { name: 'aliases', what: 'aliases' },
  directives: { name: 'directives', what: 'directives' },
};

/**
 * The document-only limits (depth, aliases, directives) through graphql-armor's rules; the first
 * refusal, or null. Pure: the same document always gives the same answer.
 */
export function checkShape(schema: GraphQLSchema, document: DocumentNode, limits: OperationLimits): LimitExceededError | null {
  const refusals: LimitExceededError[] = [];
  const onReject = (key: keyof typeof RULE_NAMES, max: number) => [
    (_ctx: unknown, err: GraphQLError) => {
      const { name, what } = RULE_NAMES[key];
      const actual = foundIn(err.message);
      refusals.push(new LimitExceededError(`The operation has ${actual ?? 'more than ' + max} ${what}; the limit is ${max} (${name})`, { name, max, actual }));
    },
  ];
  const common = { propagateOnRejection: false, exposeLimits: true };
  const rules: ValidationRule[] = [
    maxDepthRule({ ...common, n: limits.maxDepth, ignoreIntrospection: true, onReject: onReject('depth', limits.maxDepth) }),
    maxAliasesRule({ ...common, n: limits.maxAliases, onReject: onReject('aliases', limits.maxAliases) }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: onReject('directives', limits.maxDirectives) }),
  ];
  validate(schema, document, rules);
  return refusals[0] ?? null;
}

/**
 * The operation's cost (see `fieldCost`); throws `LimitExceededError` (fields) when the operation
 * spreads to more than `maxFields` selections, GraphQLError BAD_USER_INPUT for variables that do
 * not fit their types.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  limits: Pick<OperationLimits, 'maxFields' | 'maxPageSize'>,
): number {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName,
      estimators: [fieldCost(limits.maxPageSize)],
      maxQueryNodes: limits.maxFields + 1,
    });
  } catch (err) {
    if (err instanceof GraphQLError && /maximum allowed number of nodes/.test(err.message)) {
      throw new LimitExceededError(
        `The operation spreads to more than ${limits.maxFields} fields (fragments counted where spread); the limit is ${limits.maxFields} (fields)`,
        {
          name: 'fields',
          max: limits.maxFields,
        },
      );
    }
    throw new GraphQLError(err instanceof Error ? err.message : String(err), { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
}

/**
 * The first limit a whole request breaks (tokens while parsing, then shape, fields and cost), or
 * null: for transports that do not go through Apollo's plugins (subscriptions over graphql-ws).
 * A document that does not parse for another reason is left to the transport's own validation.
 */
export function requestRefusal(
  schema: GraphQLSchema,
  request: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
  limits: OperationLimits,
): LimitExceededError | null {
  let document: DocumentNode;
  try {
    document = parse(request.query, limitsParseOptions(limits));
  } catch (err) {
    if (err instanceof Error && TOO_MANY_TOKENS.test(err.message)) {
      return new LimitExceededError(`The operation has more than ${limits.maxTokens} tokens; the limit is ${limits.maxTokens} (tokens)`, {
        name: 'tokens',
        max: limits.maxTokens,
      });
    }
    return null;
  }
  const shape = checkShape(schema, document, limits);
  if (shape) return shape;
  try {
    const cost = operationCost(schema, document, request.variables ?? undefined, request.operationName ?? undefined, limits);
    if (cost <= limits.maxCost) return null;
    return new LimitExceededError(
      `The operation may cost ${cost} (platform calls plus objects, \`first\` multiplying its selection); the limit is ${limits.maxCost} (cost)`,
      { name: 'cost', max: limits.maxCost, actual: cost },
    );
  } catch (err) {
    if (err instanceof LimitExceededError) return err;
    return null;
  }
}

/** graphql-js's message when `maxTokens` stopped the parser (16.x spells it "more that"). */
const TOO_MANY_TOKENS = /Document contains more tha[nt] (\d+) tokens/;

/**
 * Size of `value` as JSON in UTF-8 bytes, counting stops once it passes `max` (then the answer is
 * some number above `max`). Walks the answer instead of serializing it, so a huge answer is not
 * copied into a huge string first. Exact for what GraphQL answers hold, except escapes in strings.
 */
export function jsonSizeAtMost(value: unknown, max: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= max) {
    const v = stack.pop();
    if (v === null || v === undefined) size += 4;
    else if (typeof v === 'string') size += Buffer.byteLength(v) + 2;
    else if (typeof v === 'number' || typeof v === 'boolean') size += String(v).length;
    else if (Array.isArray(v)) {
      size += 1 + v.length;
      for (const item of v) stack.push(item);
    } else if (typeof v === 'object') {
      if (v instanceof Date) {
        size += 26;
        continue;
      }
      const entries = Object.entries(v);
      size += 1 + entries.length;
      for (const [k, item] of entries) {
        size += Buffer.byteLength(k) + 3;
        stack.push(item);
      }
    }
  }
  return size;
}

function refusalBody(message: string, code: 'QUERY_TOO_COMPLEX' | 'RESPONSE_TOO_LARGE', report: LimitReport): GraphQLFormattedError {
  return { message, extensions: { code, limit: report } };
}

/** Apollo options that go with `operationLimitsPlugin`: the parser's token bound. */
export function limitsParseOptions(limits: Pick<OperationLimits, 'maxTokens'> = DEFAULT_LIMITS) {
  return { maxTokens: limits.maxTokens };
}

/**
 * Apollo plugin enforcing `limits` (defaults in `DEFAULT_LIMITS`): refuses an operation over a limit
 * before it executes with one QUERY_TOO_COMPLEX error naming the limit, and replaces an answer larger
 * than `maxResponseBytes` by one RESPONSE_TOO_LARGE error. Needs `limitsParseOptions(limits)` as the
 * server's `parseOptions` for the token limit.
 */
export function operationLimitsPlugin<C extends BaseContext>(options: Partial<OperationLimits> = {}): ApolloServerPlugin<C> {
  const limits: OperationLimits = { ...DEFAULT_LIMITS, ...options };
  const shapes = new WeakMap<DocumentNode, LimitExceededError | null>();
  return {
    async requestDidStart() {
      let refusal: LimitExceededError | null = null;
      return {
        async parsingDidStart() {
          return async (err?: Error) => {
            const m = err ? TOO_MANY_TOKENS.exec(err.message) : null;
            if (m) {
              refusal = new LimitExceededError(`The operation has more than ${limits.maxTokens} tokens; the limit is ${limits.maxTokens} (tokens)`, {
                name: 'tokens',
                max: limits.maxTokens,
              });
            }
          };
        },
        async didResolveOperation({ document, request, schema, operationName }) {
          let shape = shapes.get(document);
          if (shape === undefined) {
            shape = checkShape(schema, document, limits);
            shapes.set(document, shape);
          }
          if (shape) throw (refusal = shape);
          try {
            const cost = operationCost(schema, document, request.variables, operationName ?? undefined, limits);
            if (cost > limits.maxCost) {
              refusal = new LimitExceededError(
                `The operation may cost ${cost} (platform calls plus objects, \`first\` multiplying its selection); the limit is ${limits.maxCost} (cost)`,
                { name: 'cost', max: limits.maxCost, actual: cost },
              );
            }
          } catch (err) {
            if (err instanceof LimitExceededError) refusal = err;
            else throw err;
          }
          if (refusal) throw refusal;
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          if (refusal) {
            // formatError keeps codes and messages only: the limit's figures are put back here.
            response.body.singleResult = { errors: [refusalBody(refusal.message, 'QUERY_TOO_COMPLEX', refusal.report)] };
            response.http.status = 400;
            return;
          }
          const size = jsonSizeAtMost(response.body.singleResult, limits.maxResponseBytes);
          if (size > limits.maxResponseBytes) {
            response.body.singleResult = {
              errors: [
                refusalBody(
                  `The answer is larger than ${limits.maxResponseBytes} bytes, the limit (responseBytes): ask for fewer fields or smaller pages`,
                  'RESPONSE_TOO_LARGE',
                  { name: 'responseBytes', max: limits.maxResponseBytes },
                ),
              ],
            };
          }
        },
      };
    },
  };
}
