#!/usr/bin/env node
// The dosetwin command as the bin ran it before it was compiled: the TypeScript sources transpiled
// by tsx at run time (the fit and ml worker threads register tsx too). Only the bench runs it, to
// compare with the compiled bin (bench/cli.ts).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../packages/cli/src/main.ts');
process.exitCode = await main(process.argv);
