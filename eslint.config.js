import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The engine is pure and isomorphic: no I/O, no Node or DOM globals, no unseeded randomness.
    files: ['packages/engine/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/test-support/**'],
    rules: {
      'no-restricted-globals': ['error', 'process', 'require', 'Buffer', 'window', 'document', '__dirname'],
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'os', 'child_process'] }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'use a seeded pure-rand stream' },
      ],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    // The web app: browser globals; its node-side tests and the Vite config also see node's.
    files: ['packages/web/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        self: 'readonly',
        navigator: 'readonly',
        localStorage: 'readonly',
        sessionStorage: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        Worker: 'readonly',
        ResizeObserver: 'readonly',
        MessageEvent: 'readonly',
        URL: 'readonly',
        console: 'readonly',
        process: 'readonly',
      },
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**', 'bench/**', 'packages/cli/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
