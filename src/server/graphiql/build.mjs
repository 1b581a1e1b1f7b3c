#!/usr/bin/env node
// Bundles the GraphiQL page that the gateway serves at GET /graphql into dist/graphiql/,
// so that it works with no internet: no CDN, every script, style, font and web worker
// comes from the gateway's own origin.
//
// Output (names are stable, the server serves them by name):
//   graphiql.js                      the React app (app.jsx), ESM, minified
//   graphiql.css                     GraphiQL's stylesheet, Monaco's included, fonts inlined
//   workers/editor.worker.js         Monaco's base worker (diffs, links, word completion)
//   workers/json.worker.js           JSON language features (variables and headers editors)
//   workers/graphql.worker.js        monaco-graphql: validation, completion, hover
//   assets/*                         any file a stylesheet references by URL (none today)
//
// Run by `npm run build:graphiql` and by `prepare` (so `npm ci` builds it); the server
// also calls buildGraphiQL() on first use when dist/graphiql is missing.
// Prints one line; exits non-zero on failure.

import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

/** Where the bundle is written: `<repo>/dist/graphiql`. */
export const graphiqlDistDir = join(repoRoot, 'dist', 'graphiql');

/**
 * Monaco's web workers, bundled one file each. The file names are what app.jsx's
 * `MonacoEnvironment.getWorker` asks for; keep the two in step.
 */
const workerEntries = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

/** Hosts that must never appear in the bundle as something the page loads. */
const forbiddenHosts = ['esm.sh', 'unpkg.com', 'cdn.jsdelivr.net', 'cdnjs.cloudflare.com', 'fonts.googleapis.com', 'fonts.gstatic.com'];

/**
 * Monaco's ESM modules import their own CSS files; graphiql/style.css already contains
 * all of it (plus the codicon font as a data URL), so those imports are dropped rather
 * than bundled a second time.
 * @type {import('esbuild').Plugin}
 */
const dropMonacoCss = {
  name: 'drop-monaco-css',
  setup(build) {
    build.onResolve({ filter: /\.css$/ }, (args) => {
      const fromMonaco = /[\\/]node_modules[\\/]monaco-editor[\\/]/.test(args.importer);
      return fromMonaco ? { path: args.path, namespace: 'empty-css' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'empty-css' }, () => ({ contents: '', loader: 'css' }));
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
  absWorkingDir: repoRoot,
  bundle: true,
  minify: true,
  legalComments: 'none',
  target: ['es2022'],
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'silent',
};

/**
 * Builds the bundle into dist/graphiql (removed first).
 * @returns {Promise<{ outDir: string; files: { path: string; bytes: number }[]; ms: number }>}
 * @throws when esbuild fails or the output references an external host.
 */
export async function buildGraphiQL() {
  const started = performance.now();
  await rm(graphiqlDistDir, { recursive: true, force: true });
  await mkdir(graphiqlDistDir, { recursive: true });

  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { graphiql: join(here, 'app.jsx') },
      outdir: graphiqlDistDir,
      format: 'esm',
      platform: 'browser',
      jsx: 'automatic',
      assetNames: 'assets/[name]-[hash]',
      loader: {
        '.woff': 'file',
        '.woff2': 'file',
        '.ttf': 'file',
        '.svg': 'file',
      },
      plugins: [dropMonacoCss],
    }),
    // Classic (non-module) workers: `new Worker(url)` works in every browser Monaco supports.
    esbuild.build({
      ...common,
      entryPoints: workerEntries,
      outdir: join(graphiqlDistDir, 'workers'),
      format: 'iife',
      platform: 'browser',
      plugins: [dropMonacoCss],
    }),
  ]);

  const files = await listFiles(graphiqlDistDir);
  for (const file of files) {
    if (!/\.(js|css)$/.test(file.path)) continue;
    const text = await readFile(join(graphiqlDistDir, file.path), 'utf8');
    const host = forbiddenHosts.find((h) => text.includes(h));
    if (host) throw new Error(`${file.path} references ${host}: the page must work offline`);
    if (file.path.endsWith('.css') && /url\(\s*["']?(https?:)?\/\//i.test(text)) {
      throw new Error(`${file.path} loads a resource from another origin`);
    }
  }
  return { outDir: graphiqlDistDir, files, ms: Math.round(performance.now() - started) };
}

/** @returns {Promise<{ path: string; bytes: number }[]>} paths relative to `dir`, '/'-separated */
async function listFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.push({ path: relative(dir, full).split('\\').join('/'), bytes: (await stat(full)).size });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function formatBytes(bytes) {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1000)} kB`;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  try {
    const { outDir, files, ms } = await buildGraphiQL();
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    const list = files.map((f) => `${f.path} ${formatBytes(f.bytes)}`).join(', ');
    console.log(`graphiql: wrote ${files.length} files (${formatBytes(total)}) to ${relative(process.cwd(), outDir) || '.'} in ${ms} ms: ${list}`);
  } catch (error) {
    console.error(`graphiql: build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
