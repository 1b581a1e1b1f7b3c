import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitState, callOutcome } from '../../src/connectors/breaker.js';

describe('callOutcome', () => {
  it.each([
    [200, null, 'success'],
    [404, null, 'success'],
    [401, null, 'success'],
    [429, 1, 'success'],
    [429, 120, 'failure'],
    [429, null, 'failure'],
    [500, null, 'failure'],
    [503, 5, 'failure'],
    [null, null, 'failure'],
  ] as const)('HTTP %s (Retry-After %s) is a %s', (status, retryAfter, want) => {
    expect(callOutcome(status, retryAfter, 2)).toBe(want);
  });
});

/** A deadline no test reaches (epoch ms on the breaker's clock). */
const FAR = 10_000_000;

describe('CircuitBreaker', () => {
  const make = () => {
    let now = 1_000_000;
    const breaker = new CircuitBreaker({ failureThreshold: 3, windowMs: 10_000, cooldownMs: 5_000, now: () => now });
    return { breaker, advance: (ms: number) => (now += ms) };
  };
  const fail = async (b: CircuitBreaker) => {
    const a = await b.admit(FAR);
    if (a.admitted) b.record('failure', a.probe);
    return a;
  };

  it('opens after the threshold of failures in a row, refuses during the cool-down, then probes once and closes', async () => {
    const { breaker, advance } = make();
    await fail(breaker);
    await fail(breaker);
    expect(breaker.snapshot().state).toBe(CircuitState.CLOSED);
    await fail(breaker);
    expect(breaker.snapshot()).toMatchObject({ state: CircuitState.OPEN, openUntil: new Date(1_005_000) });
    const refused = await breaker.admit(FAR);
    expect(refused).toMatchObject({ admitted: false, retryAfterMs: 5_000 });

    advance(5_000);
    expect(breaker.snapshot().state).toBe(CircuitState.HALF_OPEN);
    const probe = await breaker.admit(FAR);
    expect(probe).toEqual({ admitted: true, probe: true });
    // A second caller waits for the probe's outcome instead of calling too.
    const waiting = breaker.admit(FAR);
    breaker.record('success', true);
    expect(await waiting).toEqual({ admitted: true, probe: false });
    expect(breaker.snapshot()).toEqual({ state: CircuitState.CLOSED, openUntil: null, failures: 0 });
  });

  it('a failed probe opens it for another cool-down; a success in between resets the count; old failures expire', async () => {
    const { breaker, advance } = make();
    await fail(breaker);
    await fail(breaker);
    breaker.record('success', false);
    await fail(breaker);
    await fail(breaker);
    expect(breaker.snapshot().state).toBe(CircuitState.CLOSED);
    advance(10_001);
    await fail(breaker);
    expect(breaker.snapshot()).toMatchObject({ state: CircuitState.CLOSED, failures: 1 });
    await fail(breaker);
    await fail(breaker);
    expect(breaker.snapshot().state).toBe(CircuitState.OPEN);
    advance(5_000);
    const waiting = (async () => {
      const probe = await fail(breaker);
      expect(probe).toEqual({ admitted: true, probe: true });
    })();
    await waiting;
    expect(breaker.snapshot()).toMatchObject({ state: CircuitState.OPEN, openUntil: new Date(1_000_000 + 10_001 + 5_000 + 5_000) });
  });

  it('a caller waiting on a probe gives up at its own deadline', async () => {
    const { breaker, advance } = make();
    for (let i = 0; i < 3; i++) await fail(breaker);
    advance(5_000);
    await breaker.admit(FAR);
    const refused = await breaker.admit(1_005_000 + 10);
    expect(refused).toMatchObject({ admitted: false });
  });
});
