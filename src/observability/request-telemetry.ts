import type { Span } from '@opentelemetry/api';

/**
 * What the observability plugins learn about one GraphQL request while it runs: the platforms its
 * calls reached and its operation span. Made by the request's context (`createContext`) and found
 * again from an upstream call through the request's unit of work (its `CallDeadlines`).
 */
export interface RequestTelemetry {
  tenantId: string;
  /** Platforms (keys) the request called, its failures included; cached answers do not count. */
  platforms: Set<string>;
  /** The operation's span while tracing records, else undefined. */
  span?: Span;
}

const byUnit = new WeakMap<object, RequestTelemetry>();

export function requestTelemetry(tenantId: string): RequestTelemetry {
  return { tenantId, platforms: new Set() };
}

/** Makes calls made under `unit` (a request's `CallDeadlines`) count for `telemetry`. */
export function bindUnit(unit: object, telemetry: RequestTelemetry): void {
  byUnit.set(unit, telemetry);
}

/** The telemetry of the request a unit of work belongs to, if any (background work has none). */
export function telemetryOf(unit: object | undefined): RequestTelemetry | undefined {
  return unit ? byUnit.get(unit) : undefined;
}
