import { type DestinationStream, pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** `LOG_FORMAT`: `auto` picks pretty or JSON (see `logFormatOf`). */
export type LogFormat = 'auto' | 'pretty' | 'json';

/**
 * The format `auto` means (a plain function): pretty, colored human lines when stdout is a terminal
 * outside production; JSON lines in production (`NODE_ENV=production`) or when stdout is not a
 * terminal (a file, a pipe, a log collector). `pretty` and `json` force one.
 */
export function logFormatOf(format: LogFormat, env: { NODE_ENV?: string }, isTTY: boolean): 'pretty' | 'json' {
  if (format !== 'auto') return format;
  return env.NODE_ENV !== 'production' && isTTY ? 'pretty' : 'json';
}

/**
 * Logs (pino): JSON lines, or pretty lines for a person at a terminal (`logFormatOf`). Anything that
 * could carry a secret is redacted by path, as a second line of defence: the code never logs
 * credentials or tokens on purpose. `format` defaults to `LOG_FORMAT` from the environment.
 */
export function createLogger(
  level: string,
  format: LogFormat = (process.env.LOG_FORMAT as LogFormat | undefined) ?? 'auto',
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { service: 'bookgraph' },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.authorization',
        '*.accessToken',
        '*.refreshToken',
        '*.clientSecret',
        '*.apiKey',
        '*.access_token',
        '*.refresh_token',
        '*.client_secret',
        '*.credentials',
        'credentials',
      ],
      censor: '[redacted]',
    },
  };
  if (logFormatOf(format, process.env, process.stdout.isTTY === true) === 'json') return destination ? pino(options, destination) : pino(options);
  // Synchronous, in this thread: lines appear in order with the banner and nothing is lost at exit.
  const stream = pretty({
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: true,
    sync: true,
    destination: destination ?? 1,
  });
  return pino(options, stream);
}
