// ESLint (typescript-eslint) for the whole tree. Prettier owns the formatting, and
// dependency-cruiser (.dependency-cruiser.cjs) owns the import rules (no cycles, ldapts only in
// src/directory/). `npm run lint` runs both; .ci/run runs it before the tests.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'openapi/**', '.sandbox/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Prettier breaks `t.http()\n[method](url)` chains that way (the rule eslint-config-prettier turns off).
      'no-unexpected-multiline': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits loses its error (and its ordering): await it, return it, or `void` it.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  { files: ['**/*.js', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    // One owner per table: only a repository (and the database infrastructure) queries the database.
    // Services inject the repository that owns the table; migrations and tests are outside src/.
    files: ['src/**/*.ts'],
    ignores: [
      'src/**/*.repository.ts',
      'src/database/**',
      'src/**/*.spec.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['getRepository', 'query', 'createQueryBuilder', 'createQueryRunner'].map((method) => ({
          selector: `CallExpression[callee.property.name='${method}']`,
          message: `${method}() belongs in the repository that owns the table (*.repository.ts) or in src/database/.`,
        })),
      ],
    },
  },
  {
    // Tests read deep into JSON bodies; `any` there is a reading aid, not an API.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
