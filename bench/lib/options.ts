/** The command-line options every bench script takes: `--quick`, `--rounds N`, `--duration S`, `--port-base B`, `--help`. */
export interface BenchOptions {
  quick: boolean;
  /** Interleaved rounds per comparison. */
  rounds: number;
  /** Seconds of one round. */
  duration: number;
  /** First of the ports the bench's processes take. */
  portBase: number;
}

/** Reads the options from `argv`; prints `usage` and exits on `--help`; throws on a bad number. */
export function benchOptions(argv: string[], usage: string, defaults: { portBase: number }): BenchOptions {
  const flag = (name: string) => argv.includes(`--${name}`);
  const numberArg = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
    return v;
  };
  if (flag('help')) {
    console.log(`usage: ${usage} [-- --quick] [--rounds N] [--duration SECONDS] [--port-base B]`);
    process.exit(0);
  }
  const quick = flag('quick');
  return {
    quick,
    rounds: numberArg('rounds', quick ? 3 : 7),
    duration: numberArg('duration', quick ? 2 : 4),
    portBase: numberArg('port-base', defaults.portBase),
  };
}
