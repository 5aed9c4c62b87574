// What the federated tests share: a node process started and its address awaited, and the check
// that what crossed the wire holds no row-level value: every
// non-integer time, DV, dose and covariate of the patients and every individual estimate of their
// pooled fit (integers are iteration numbers and counts too), none of the model's own numbers and
// SAEM's starting scales (0.5, 0.3), which are public and also sampling times or DVs; no subject id
// as a string, and no field named as a row's would be.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PatientData } from '@dosetwin/engine';
import { REPO } from '../test-support.ts';

const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');

/**
 * `dosetwin federate node ARGS` as a process (kept in `children`, for the test to kill); resolves
 * with it and its address once it prints it, rejects with its stderr if it exits first.
 */
export function startFederateNode(
  args: readonly string[],
  children: ChildProcess[],
): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [BIN, 'federate', 'node', ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr!.on('data', (c: Buffer) => (err += c));
    proc.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.on('exit', (code) => reject(new Error(`node exited with ${code}: ${err}`)));
  });
}

export function assertNoRowLevelValue(
  exchanges: readonly { request: unknown; reply?: unknown }[],
  patients: readonly PatientData[],
  etas: readonly (readonly number[] | Float64Array)[],
  modelText: string,
): void {
  const rows = new Set<number>();
  const keep = (v: number): void => void (Number.isFinite(v) && !Number.isInteger(v) && rows.add(v));
  for (const p of patients) for (const a of [p.time, p.dv, p.amt, p.cov]) a.forEach(keep);
  etas.forEach((e) => e.forEach(keep));
  for (const m of modelText.matchAll(/\d+\.\d+/g)) rows.delete(Number(m[0]));
  rows.delete(0.5);
  rows.delete(0.3);
  const ids = patients.map((p) => p.id);
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'number') assert.ok(!rows.has(v), `${key} = ${v} is a row-level value`);
    else if (typeof v === 'string' && key !== 'model.text')
      assert.ok(!ids.includes(v), `${key} = '${v}' is a subject id`);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        assert.ok(!/^(id|ids|time|dv|eta|individuals?|rows?)$/i.test(k), `field ${k}`);
        walk(x, key ? `${key}.${k}` : k);
      }
  };
  for (const e of exchanges) {
    walk(e.request, '');
    walk(e.reply, '');
  }
}
