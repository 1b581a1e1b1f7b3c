/**
 * The emulator clock (README §5): real time plus an offset that only grows and returns to 0 on reset.
 */
export class Clock {
  private offsetMs = 0;

  /** Current emulator time in epoch milliseconds. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  nowDate(): Date {
    return new Date(this.now());
  }

  /** Moves the clock forward by `seconds` (integer ≥ 0). */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
