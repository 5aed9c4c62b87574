#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a fresh checkout needs only `npm ci`.
import { register } from 'tsx/esm/api';

// A closed pipe (`dosetwin simulate ... | head`) is a normal end, not a crash.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
