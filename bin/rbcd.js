#!/usr/bin/env node
// `rbcd` (package bin): the compiled CLI from dist/ (npm run build; the runtime image), or, in a
// development checkout, the TypeScript sources through ts-node + SWC.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'src', 'cli', 'main.ts');
const built = join(root, 'dist', 'src', 'cli', 'main.js');

function fromSources() {
  if (!existsSync(source)) return false;
  try {
    require('ts-node').register({ transpileOnly: true, swc: true, project: join(root, 'tsconfig.json') });
    return true;
  } catch {
    return false;
  }
}

if (fromSources()) require(source).main();
else if (existsSync(built)) require(built).main();
else {
  process.stderr.write('rbcd: the CLI is not built: run `npm run build`\n');
  process.exitCode = 1;
}
