/**
 * Import rules for src/ (STYLE.md rules 10 and 12), checked by `npm run lint` (dependency-cruiser).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles between files (and so none between modules).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'ldapts-in-directory-only',
      comment: 'ldapts types stay inside the directory adapter (STYLE.md rule 12).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/directory/' },
      to: { path: 'node_modules/ldapts' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
  },
};
