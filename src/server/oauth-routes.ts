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

/** Headers of every consent page and redirect: never cached, no referrer (the URLs carry state and codes). */
function pageHeaders(extra: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-frame-options': 'DENY',
    ...extra,
  };
}

/**
 * The consent flow's two browser routes:
 * - `GET /oauth/start/<id>`: the `authorizeUrl` startConnection answers; sets the cookie that binds
 *   the flow to this browser and 302-redirects to the platform's consent page (404/410 page otherwise).
 * - `GET /oauth/callback/<platform>`: the redirect URI registered with each consent platform; needs
 *   that cookie (`ConsentFlow.complete`), and drops it once the flow ends.
 */
export function oauthCallbackRoute(flow: ConsentFlow) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (req.method !== 'GET') return false;
    const start = /^\/oauth\/start\/([^/]+)$/.exec(url.pathname);
    if (start) {
      const outcome = await flow.open(start[1], req.headers.cookie);
      if (outcome.kind === 'redirect') {
        res.writeHead(302, pageHeaders({ location: outcome.location, 'set-cookie': outcome.setCookie }));
        res.end();
      } else {
        res.writeHead(outcome.status, pageHeaders());
        res.end(callbackPage(outcome.title, outcome.message));
      }
      return true;
    }
    const m = /^\/oauth\/callback\/([a-z]+)$/.exec(url.pathname);
    if (!m) return false;
    const platform = platformBySlug(m[1]);
    const outcome = platform
      ? await flow.complete(platform.key, url.searchParams, req.headers.cookie)
      : { status: 404, title: 'Unknown platform', message: 'There is no such platform.' };
    const cleared: Record<string, string> =
      'clearCookie' in outcome && outcome.clearCookie ? { 'set-cookie': flow.clearCookieHeader(outcome.clearCookie) } : {};
    res.writeHead(outcome.status, pageHeaders(cleared));
    res.end(callbackPage(outcome.title, outcome.message));
    return true;
  };
}
