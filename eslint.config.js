// Lint for every workspace: typescript-eslint with type information for the
// rules that need it (floating promises, type-only imports).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '**/.tmp/**',
      'grafana-plugin/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.tests.json'], tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'memberLike', modifiers: ['private'], format: ['camelCase'], leadingUnderscore: 'require' },
      ],
    },
  },
  // Import boundaries: a service imports only the SDK's shared subpaths (names, wire shapes, pricing),
  // never another service; the SDK imports no service.
  {
    files: ['quota-webhook/src/**/*.ts', 'collector-processor/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          {
            regex: '^@tokenmeter/instrumentation(?!/(pricing|protocol|semconv)$)',
            message: 'services import only @tokenmeter/instrumentation/{pricing,protocol,semconv}',
          },
          { group: ['@tokenmeter/quota-webhook', '@tokenmeter/quota-webhook/*', '@tokenmeter/collector-processor', '@tokenmeter/collector-processor/*'], message: 'no service imports another service' },
          { group: ['**/instrumentation/src/**', '**/quota-webhook/src/**', '**/collector-processor/src/**'], message: 'import other packages by name, not by path' },
        ],
      }],
    },
  },
  {
    files: ['instrumentation/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['@tokenmeter/quota-webhook', '@tokenmeter/quota-webhook/*', '@tokenmeter/collector-processor', '@tokenmeter/collector-processor/*', '**/quota-webhook/**', '**/collector-processor/**'], message: 'the SDK imports no service' }],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
