// GraphiQL served by the gateway itself: the HTML page and the files of the bundle that
// build.mjs writes to dist/graphiql. Everything the page loads comes from the gateway's
// origin, so it works with no internet.

import { access, readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, sep } from 'node:path';
import { packageRoot } from '../package-root.js';

/** `<repo>/dist/graphiql`, where build.mjs writes the bundle. */
const distDir = join(packageRoot, 'dist', 'graphiql');

/** The file whose presence says the bundle has been built (build.mjs empties the folder first). */
const entryFile = 'graphiql.js';

const contentTypes: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const defaultQuery = `# Welcome to Bookgraph: one GraphQL API over DaySchedule,
# bookingtime, yAppointment, Appointedd and OnSched.
#
# Run this query with Ctrl+Enter (Cmd+Enter on a Mac)
# or the run button. The Docs button on the left
# browses the schema.

{
  bookings(first: 5) {
    edges {
      node {
        id
        provider
        status
        startsAt
        service {
          name
        }
        customer {
          firstName
          lastName
        }
      }
    }
  }
}
`;

/**
 * The HTML page served for GET /graphql to a browser.
 *
 * It loads `${assetsPath}/graphiql.css` and `${assetsPath}/graphiql.js` (same origin) and
 * hands its config to the bundle in `<script type="application/json" id="graphiql-config">`.
 * `defaultHeaders` prefill GraphiQL's header editor and are sent with the first
 * introspection (in sandbox mode: `{ Authorization: 'Bearer <demo key>' }`).
 * A Content-Security-Policy meta tag keeps the page from loading anything from another
 * origin, except a cross-origin `endpoint`, which it may call.
 */
export function renderGraphiQLPage(options: { endpoint: string; assetsPath: string; defaultHeaders?: Record<string, string>; title?: string }): string {
  const assetsPath = options.assetsPath.replace(/\/+$/, '');
  const title = options.title ?? 'Bookgraph · GraphiQL';
  const config = { endpoint: options.endpoint, defaultHeaders: options.defaultHeaders ?? {}, defaultQuery };
  const csp = contentSecurityPolicy(options.endpoint);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(`${assetsPath}/graphiql.css`)}">
<script type="application/json" id="graphiql-config">${jsonForScript(config)}</script>
<script type="module" src="${escapeHtml(`${assetsPath}/${entryFile}`)}"></script>
</head>
<body>
<div id="graphiql"></div>
<noscript>GraphiQL needs JavaScript. Send GraphQL requests as POST to ${escapeHtml(options.endpoint)}.</noscript>
</body>
</html>
`;
}

/**
 * The HTTP headers of that page: the same Content-Security-Policy as its meta tag plus
 * `frame-ancestors 'none'` (which only works as a header) and `X-Frame-Options: DENY` for older
 * browsers, so no other site can frame it; never cached (it may carry the demo key).
 */
export function graphiqlPageHeaders(endpoint: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `${contentSecurityPolicy(endpoint)}; frame-ancestors 'none'`,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

let building: Promise<void> | undefined;

/**
 * A file of the bundle (path relative to assetsPath, e.g. 'graphiql.js'), or null when there is none.
 * Builds the bundle on first use if dist/graphiql is missing.
 *
 * `relativePath` is the already-decoded path after `${assetsPath}/`. Only regular files
 * inside dist/graphiql with a known extension are served; `..`, absolute paths,
 * backslashes and symlinks out of the folder give null.
 * @throws when the bundle is missing and building it fails.
 */
export async function graphiqlAsset(relativePath: string): Promise<{ contentType: string; body: Buffer } | null> {
  const contentType = contentTypes[extname(relativePath).toLowerCase()];
  if (contentType === undefined || !isSafeRelativePath(relativePath)) return null;

  await ensureBuilt();
  const root = await realpath(distDir);
  let file: string;
  try {
    file = await realpath(join(root, relativePath));
  } catch {
    return null;
  }
  if (!file.startsWith(root + sep)) return null;
  const info = await stat(file);
  if (!info.isFile()) return null;
  return { contentType, body: await readFile(file) };
}

/** True when `path` is a plain relative path: no empty, `.` or `..` segment, no backslash, no NUL. */
function isSafeRelativePath(path: string): boolean {
  if (path === '' || isAbsolute(path) || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** Builds the bundle once when dist/graphiql has none; concurrent callers share that build. */
async function ensureBuilt(): Promise<void> {
  if (await exists(join(distDir, entryFile))) return;
  building ??= import('./build.mjs')
    .then(({ buildGraphiQL }) => buildGraphiQL())
    .then(() => undefined)
    .finally(() => {
      building = undefined;
    });
  await building;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Only the gateway's origin (plus a cross-origin endpoint). Monaco and React set inline
 * styles, and GraphiQL's fonts are data: URLs.
 */
function contentSecurityPolicy(endpoint: string): string {
  const connect = ["'self'"];
  if (/^(https?|wss?):\/\//i.test(endpoint)) {
    const origin = new URL(endpoint).origin;
    connect.push(origin, origin.replace(/^http/i, 'ws'));
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data:",
    "worker-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 are escaped. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
