import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PushedRequest } from '../../src/connectors/types.js';

/**
 * A local HTTP receiver on 127.0.0.1 that records every request it gets: the tests' stand-in for a
 * customer's webhook target and for the gateway's receiver of platform pushes.
 */

/** One request as received: what the gateway's receiver hands a connector, plus where and when it came. */
export interface RecordedRequest extends PushedRequest {
  headers: IncomingHttpHeaders;
  /** The path called, without the query (which is in `query`). */
  path: string;
  /** `Date.now()` when the whole body had arrived, in ms. */
  at: number;
}

export interface Recorder {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** `origin` + the path given to `startRecorder`. */
  url: string;
  /** Every request in arrival order; each is recorded before it is answered. */
  received: RecordedRequest[];
  /** The status of the `n`-th request since the last `clear()` (1-based, `request` included in `received`). */
  answer: (n: number, request: RecordedRequest) => number;
  /** Empties `received` (the same array) and so restarts the count `answer` sees. */
  clear(): void;
  /** Starts listening again on the same port after `close()`. */
  listen(): Promise<void>;
  /** Stops listening; `received` is kept. */
  close(): Promise<void>;
}

/**
 * Starts a recorder at `path` (default `/hook`) on `port` (default: any free one) that answers
 * `status` (default 200) unless its `answer` is replaced.
 */
export async function startRecorder({ path = '/hook', port = 0, status = 200 }: { path?: string; port?: number; status?: number } = {}): Promise<Recorder> {
  let server: Server | null = null;
  const recorder: Recorder = {
    origin: '',
    url: '',
    received: [],
    answer: () => status,
    clear() {
      recorder.received.length = 0;
    },
    async listen() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const url = new URL(req.url ?? '/', 'http://recorder');
          const request: RecordedRequest = {
            headers: req.headers,
            rawBody: Buffer.concat(chunks),
            query: url.searchParams,
            path: url.pathname,
            at: Date.now(),
          };
          recorder.received.push(request);
          res.writeHead(recorder.answer(recorder.received.length, request)).end();
        });
      });
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
      port = (server?.address() as AddressInfo).port;
      recorder.origin = `http://127.0.0.1:${port}`;
      recorder.url = `${recorder.origin}${path}`;
    },
    async close() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await recorder.listen();
  return recorder;
}
