// ESLint (flat config) with typescript-eslint and import-x: what `npm run lint` and CI check,
// including the habits of ../docs (STYLE): no import cycles, named exports only, and production code
// reaches the emulators (src/sandbox/) only through the sandbox-mode loader.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SANDBOX_ONLY_THROUGH_LOADER =
  'Production code reaches the emulators only through src/server/sandbox-mode.ts (loaded with import() in sandbox mode), so a production gateway never loads test doubles.';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'examples/__generated__/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-control-regex': 'off',
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-default-export': 'error',
    },
  },
  {
    // Production code: everything that runs in a gateway, except the emulators themselves and the loader.
    files: ['src/**/*.ts', 'resolvers/**/*.ts', 'schema/**/*.ts'],
    ignores: ['src/sandbox/**', 'src/server/sandbox-mode.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/sandbox/**', '**/sandbox'], message: SANDBOX_ONLY_THROUGH_LOADER }] }],
      'no-restricted-syntax': ['error', { selector: 'ImportExpression[source.value=/(^|\\/)sandbox\\//]', message: SANDBOX_ONLY_THROUGH_LOADER }],
    },
  },
  {
    // Tool configuration files are loaded by their tools through a default export.
    files: ['eslint.config.js', 'vitest.config.ts'],
    rules: { 'import-x/no-default-export': 'off' },
  },
  {
    files: ['src/server/graphiql/app.jsx'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { ecmaFeatures: { jsx: true } } },
  },
);
