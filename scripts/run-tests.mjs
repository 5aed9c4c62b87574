#!/usr/bin/env node
// Single entry for the test suite: finds every *.test.ts under packages/ and runs them with node's
// test runner (through tsx), then prints the closing line CI reads: "N passed, N failed".
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = findTests('packages').sort();
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', ...files];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
let pass = 0;
let fail = 0;
let buf = '';
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  buf += d.toString();
});
child.on('close', (code) => {
  const p = /ℹ pass (\d+)/.exec(buf);
  const f = /ℹ fail (\d+)/.exec(buf);
  // A test cancelled (its file's process ended, or an error escaped it) did not pass: it counts as
  // failed, so that the closing line never reads "0 failed" while the run fails.
  const c = /ℹ cancelled (\d+)/.exec(buf);
  pass = p ? Number(p[1]) : 0;
  fail = (f ? Number(f[1]) : 0) + (c ? Number(c[1]) : 0);
  if (fail === 0 && code !== 0) fail = 1;
  console.log(`${pass} passed, ${fail} failed`);
  process.exit(code ?? 1);
});
