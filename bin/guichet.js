#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so there is no build step.
require('tsx/cjs');
require('../src/cli/main.ts').main(process.argv);
