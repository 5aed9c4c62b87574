#!/usr/bin/env node
// Runs the compiled JavaScript (packages/*/dist, written by scripts/build.mjs at `npm ci` and
// `npm start`). The sources may have changed since (an edit, a pull): the bin checks at each start
// that nothing the last build compiled has changed (scripts/build-state.mjs: the stamp's sizes and
// times, a few ms) and otherwise asks the build, which compares the sources' fingerprint and
// compiles what changed first (about a second), so it never runs code older than the sources and
// never transpiles at run time. The build script itself is loaded only then.
import { quickState, ROOT } from '../../../scripts/build-state.mjs';

// A closed pipe (`dosetwin simulate ... | head`) is a normal end, not a crash.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
if (quickState() !== 'fresh') {
  const { build, buildState } = await import('../../../scripts/build.mjs');
  const state = buildState();
  if (state === 'fresh') {
    // Only a folder's or manifest's time moved (an editor's temporary file): the build writes the
    // stamp again with the new times, so the next start's quick check passes. Without write access
    // the stamp stays as it was, and each start compares the full fingerprint (still correct).
    await build().catch(() => undefined);
  } else {
    const why = state === 'missing' ? 'not compiled yet' : 'changed since they were compiled';
    if (process.stderr.isTTY) process.stderr.write(`dosetwin: the sources are ${why}; compiling them…\n`);
    try {
      await build();
    } catch (e) {
      process.stderr.write(
        `dosetwin: the sources are ${why}, and compiling them failed:\n${e instanceof Error ? e.message : String(e)}\n` +
          `Fix the error above, or run \`node scripts/build.mjs\` in ${ROOT} once it can write packages/*/dist.\n`,
      );
      process.exit(1);
    }
  }
}
try {
  const { main } = await import('../dist/main.js');
  process.exitCode = await main(process.argv);
} catch (e) {
  // A source with a syntax error has no compiled module: whatever imports it fails; say why.
  const broken = (await import('../../../scripts/build.mjs')).compileErrors();
  if (broken.length > 0)
    process.stderr.write(`dosetwin: some sources do not compile:\n${broken.join('\n')}\n`);
  throw e;
}
