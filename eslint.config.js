import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '.data/**', '**/coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Packages take their configuration as arguments; only each app's config module reads the environment.
    files: ['packages/**/*.ts', 'apps/**/src/**/*.ts'],
    // The apps' env-files preloads write the .env files' values into process.env before config.ts reads it.
    ignores: [
      'apps/*/src/config.ts',
      'apps/*/src/env-files.ts',
      'packages/telemetry/src/instrumentation.ts',
      'packages/test-utils/**',
      // A package's README examples are a user's program: they read REDIS_URL as a user's would.
      'packages/*/examples/**',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read the environment in the app config module and pass values in.',
        },
      ],
    },
  },
  {
    // Command-line scripts and tests talk to a terminal.
    files: ['scripts/**', '**/scripts/**', '**/*.test.ts', 'bench/**', 'tooling/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // README examples print what they did; the test helper that runs them collects that output.
    files: ['packages/*/examples/**', 'packages/test-utils/src/readme-example.ts'],
    rules: { 'no-console': 'off' },
  },
);
