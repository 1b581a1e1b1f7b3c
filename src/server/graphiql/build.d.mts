// Types of build.mjs (a plain Node script, so that `npm ci` can run it before any TypeScript loader exists).

/** Where the bundle is written: `<repo>/dist/graphiql`. */
export declare const graphiqlDistDir: string;

/**
 * Builds the GraphiQL bundle into dist/graphiql (removed first).
 * @throws when esbuild fails or the output references an external host.
 */
export declare function buildGraphiQL(): Promise<{ outDir: string; files: { path: string; bytes: number }[]; ms: number }>;
