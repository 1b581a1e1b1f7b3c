#!/usr/bin/env node
// Writes dist/config-variables.json: every configuration variable of src/config/config.ts's schema
// (EnvSchema), with its doc comment, default and allowed values, read from the source with the
// TypeScript compiler API. `bookgraph --help` prints it without loading the gateway, so the help
// never drifts from the schema and never needs a second hand-written list.
// Run by `npm run build` after tsc (the platform keys come from the compiled platform list).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sourcePath = join(root, 'src', 'config', 'config.ts');
const source = ts.createSourceFile(sourcePath, readFileSync(sourcePath, 'utf8'), ts.ScriptTarget.ES2022, true);

/** The text of a node's JSDoc comments, one line, or ''. */
function docOf(node) {
  return (node.jsDoc ?? [])
    .map((d) => (typeof d.comment === 'string' ? d.comment : (ts.getTextOfJSDocComment(d.comment) ?? '')))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `.default(x)` and `z.enum([...])` read off the validator's text (`optionalUrl` etc. have neither). */
function describeValidator(text) {
  const def = /\.default\(([^)]*)\)\s*$/.exec(text.replace(/\s+/g, ''));
  const values = /z\.enum\(\[([^\]]*)\]\)/.exec(text);
  let defaultValue = def ? def[1].replace(/^'(.*)'$/, '$1').replace(/_/g, '') : undefined;
  if (def && text.includes('bool')) defaultValue = def[1];
  return {
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    ...(values
      ? { values: values[1].split(',').map((v) => v.trim().replace(/^'(.*)'$/, '$1')) }
      : text.trim().startsWith('bool')
        ? { values: ['true', 'false'] }
        : {}),
  };
}

let schema;
let platformDoc = '';
let platformSuffixes = [];
ts.forEachChild(source, function visit(node) {
  if (ts.isVariableDeclaration(node) && node.name.getText() === 'EnvSchema') schema = node.initializer;
  if (ts.isVariableStatement(node) && node.declarationList.declarations[0].name.getText() === 'platformEnv') {
    platformDoc = docOf(node);
    platformSuffixes = [...node.getText().matchAll(/`\$\{p\}(_[A-Z_]+)`/g)].map((m) => m[1]);
  }
  ts.forEachChild(node, visit);
});
if (!schema || !ts.isCallExpression(schema) || !ts.isObjectLiteralExpression(schema.arguments[0])) {
  throw new Error(`config-variables: no z.object({...}) EnvSchema in ${sourcePath}`);
}

const variables = [];
for (const property of schema.arguments[0].properties) {
  if (!ts.isPropertyAssignment(property)) continue; // ...platformEnv, listed below
  variables.push({ name: property.name.getText(), doc: docOf(property), ...describeValidator(property.initializer.getText()) });
}

const { PLATFORMS } = await import(pathToFileURL(join(root, 'dist', 'src', 'connectors', 'platforms.js')).href);
const out = join(root, 'dist', 'config-variables.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ variables, platforms: { keys: PLATFORMS.map((p) => p.key), suffixes: platformSuffixes, doc: platformDoc } }, null, 2)}\n`,
);
console.log(`config-variables: ${variables.length} variables and ${platformSuffixes.length} per platform -> dist/config-variables.json`);
