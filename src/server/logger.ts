import { pino, type Logger } from 'pino';

/**
 * JSON logs (pino). Anything that could carry a secret is redacted by path, as a second line of
 * defence: the code never logs credentials or tokens on purpose.
 */
export function createLogger(level: string): Logger {
  return pino({
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
  });
}
