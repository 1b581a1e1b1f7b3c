// The GraphiQL app the gateway serves at GET /graphql. Bundled by build.mjs (esbuild);
// not compiled by tsc. Its config comes from the page (see index.ts, renderGraphiQLPage):
//   <script type="application/json" id="graphiql-config">{ endpoint, defaultHeaders, defaultQuery }</script>

import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './page.css';

// Monaco asks for a worker per language; each is its own file next to this script
// (build.mjs: workerEntries), so they load from the gateway's origin, never a CDN.
const workerUrls = {
  json: new URL('./workers/json.worker.js', import.meta.url),
  graphql: new URL('./workers/graphql.worker.js', import.meta.url),
  editor: new URL('./workers/editor.worker.js', import.meta.url),
};
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const url = label === 'json' || label === 'graphql' ? workerUrls[label] : workerUrls.editor;
    return new Worker(url, { name: label });
  },
};

/** @returns {{ endpoint: string; defaultHeaders?: Record<string, string>; defaultQuery?: string }} */
function readConfig() {
  const element = document.getElementById('graphiql-config');
  const config = element?.textContent ? JSON.parse(element.textContent) : {};
  return { endpoint: typeof config.endpoint === 'string' ? config.endpoint : '/graphql', ...config };
}

const config = readConfig();
const defaultHeaders = config.defaultHeaders ?? {};
const hasDefaultHeaders = Object.keys(defaultHeaders).length > 0;
const headersText = hasDefaultHeaders ? JSON.stringify(defaultHeaders, null, 2) : undefined;

// Subscriptions go over graphql-ws on the same path (src/server/websocket.ts); the toolkit sends the
// header editor's headers as connectionParams, so the API key authenticates the socket too.
const subscriptionUrl = new URL(config.endpoint, window.location.href);
subscriptionUrl.protocol = subscriptionUrl.protocol === 'https:' ? 'wss:' : 'ws:';
const baseFetcher = createGraphiQLFetcher({ url: config.endpoint, subscriptionUrl: subscriptionUrl.toString() });

/**
 * GraphiQL sends the header editor's headers with every request, introspection included,
 * but it introspects when it mounts, and Monaco (so the header editor) is loaded
 * asynchronously: whether the editor exists by then is a matter of timing. Without it the
 * introspection would go out with no Authorization header, the gateway would refuse it
 * and the docs explorer would stay empty. So an introspection sent with no headers at all
 * gets the configured default headers; every other request is left as GraphiQL made it.
 */
function fetcher(params, options) {
  const isIntrospection = params.operationName === 'IntrospectionQuery';
  if (isIntrospection && hasDefaultHeaders && options?.headers === undefined) {
    return baseFetcher(params, { ...options, headers: defaultHeaders });
  }
  return baseFetcher(params, options);
}

createRoot(document.getElementById('graphiql')).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={config.defaultQuery}
      initialHeaders={headersText}
      defaultHeaders={headersText}
      defaultEditorToolsVisibility={hasDefaultHeaders ? 'headers' : undefined}
    />
  </StrictMode>,
);
