import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookService } from '../events/webhooks.js';

/** Largest push body accepted (platform webhook payloads are a few KB). */
const MAX_PUSH_BYTES = 256 * 1024;

function readRaw(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
    'cache-control': 'no-store',
  });
  res.end(payload);
}

/**
 * `POST /webhooks/<platform>/<receiver id>`: the gateway's receiver of platform pushes. Verified over
 * the raw bytes before anything else (401 and nothing changes otherwise), acknowledged with 202 at
 * once, processed after the answer.
 */
export function webhookReceiverRoute(webhooks: WebhookService) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const m = /^\/webhooks\/([a-z]+)\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (!m) return false;
    if (req.method !== 'POST') {
      req.resume();
      answer(res, 405, { error: 'method not allowed: platforms POST here' });
      return true;
    }
    const rawBody = await readRaw(req, MAX_PUSH_BYTES);
    if (rawBody === null) {
      answer(res, 413, { error: `body larger than ${MAX_PUSH_BYTES} bytes` });
      return true;
    }
    const outcome = await webhooks.receive(m[1], m[2], { headers: req.headers, query: url.searchParams, rawBody });
    if (outcome.status === 401) answer(res, 401, { error: 'not verified' });
    else answer(res, outcome.status, { received: true });
    return true;
  };
}
