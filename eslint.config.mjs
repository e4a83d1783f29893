// Type-aware lint for the whole monorepo. The rules that matter most in call code:
// no floating or misused promises, exhaustive switches over unions, and a hard wall
// between services (they talk over NATS, never by import).
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

const serviceNames = ['call-control', 'twiml-interpreter', 'consent', 'webhook-dispatch', 'media'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '.data/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // A relative path into another workspace package is an import across a boundary.
      'import/no-relative-packages': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@parley/*/src', '@parley/*/src/**', '@parley/*/dist', '@parley/*/dist/**'],
              message: 'Import a package by its name or a subpath it exports, never its internals.',
            },
            {
              // Relative paths into another service or package, e.g. '../../consent/src/x'.
              group: [
                ...serviceNames.flatMap((s) => [
                  `**/${s}/src`,
                  `**/${s}/src/**`,
                  `**/${s}/dist/**`,
                ]),
                '**/packages/*/src/**',
                '**/packages/*/dist/**',
              ],
              message: 'Never reach into another service or package by path.',
            },
            {
              group: serviceNames.flatMap((s) => [`@parley/${s}`, `@parley/${s}/**`]),
              message:
                'Services never import each other: talk over the NATS subjects in @parley/contracts.',
            },
          ],
        },
      ],
    },
  },
  {
    // NestJS modules are classes with decorators only; DI makes some parameters look unused.
    files: ['**/*.module.ts'],
    rules: { '@typescript-eslint/no-extraneous-class': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
