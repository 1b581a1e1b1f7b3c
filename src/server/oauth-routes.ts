import type { IncomingMessage, ServerResponse } from 'node:http';
import { platformBySlug } from '../connectors/platforms.js';
import type { ConsentFlow } from '../gateway/consent.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A small self-contained page (no external resources). */
export function callbackPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · Bookgraph</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2330}h1{font-size:1.4rem}p{line-height:1.5}</style></head>
<body><h1 id="title">${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p></body></html>`;
}

/** `GET /oauth/callback/<provider>`: the redirect URI registered with each consent platform. */
export function oauthCallbackRoute(flow: ConsentFlow) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const m = /^\/oauth\/callback\/([a-z]+)$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return false;
    const platform = platformBySlug(m[1]);
    const outcome = platform
      ? await flow.complete(platform.key, url.searchParams)
      : { status: 404, title: 'Unknown platform', message: 'There is no such platform.' };
    res.writeHead(outcome.status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    res.end(callbackPage(outcome.title, outcome.message));
    return true;
  };
}
