// `dosetwin federate` as hospitals run it: theo_sd split into three CSV files, one node process each
// on loopback, and the coordinator (`dosetwin federate run`, in the test's process). The federated SAEM equals the pooled SAEM of the same seed
// (acceptance: 1e-8; it is equal to the last bit), no exchange of the wire log holds a row-level
// value, a wrong token and a node under its minimum of patients are refused and excluded, and a
// node killed mid-run is retried, excluded and reported, the fit then equal to the pooled fit of
// the other nodes' patients.
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fitSaem, loadModel, parseDataset, type PatientData } from '@dosetwin/engine';
import { REPO } from '../test-support.ts';
import { type FederateOutput, federateRun, type WireEntry } from './federate.ts';
import { assertNoRowLevelValue, startFederateNode } from './federate-test-support.ts';

const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');
const F = join(REPO, 'packages/engine/src/population/fixtures');
const MODEL = join(F, 'theophylline.dtm');
const model = loadModel(readFileSync(MODEL, 'utf8'), 'theophylline.dtm');
const dir = mkdtempSync(join(tmpdir(), 'federate-'));
const fitOptions = { seed: 3, explore: 20, smooth: 10, covariance: false };

/** theo_sd's subjects 1–4, 5–8 and 9–12, each hospital's own file. */
const files = ((): string[] => {
  const lines = readFileSync(join(F, 'theo_sd.csv'), 'utf8').trim().split('\n');
  return [
    [1, 4],
    [5, 8],
    [9, 12],
  ].map(([a, b], k) => {
    const rows = lines.slice(1).filter((l) => {
      const id = Number(l.split(',')[0]);
      return id >= a && id <= b;
    });
    const f = join(dir, `hospital${k}.csv`);
    writeFileSync(f, [lines[0], ...rows].join('\n') + '\n');
    return f;
  });
})();
const patientsOf = (k: number): PatientData[] =>
  parseDataset(readFileSync(files[k], 'utf8'), model.ir, files[k]).patients;

interface Node {
  proc: ChildProcess;
  url: string;
}
const children: ChildProcess[] = [];
const startNode = (file: string, token: string, ...extra: string[]): Promise<Node> =>
  startFederateNode(['--data', file, '--token', token, ...extra], children);

/** The coordinator, in this process (`dosetwin federate run`'s function): its output and wire log. */
async function run(
  nodes: { name: string; url: string; token: string }[],
  log: string,
  onLog?: (lines: string[]) => void,
): Promise<{ out: FederateOutput; wire: WireEntry[] }> {
  const nodesFile = join(dir, `${log}.nodes.json`);
  writeFileSync(nodesFile, JSON.stringify(nodes));
  const logFile = join(dir, log);
  const poll = onLog
    ? setInterval(() => {
        try {
          onLog(readFileSync(logFile, 'utf8').trim().split('\n'));
        } catch {
          // not written yet
        }
      }, 20)
    : undefined;
  try {
    const out = await federateRun({
      model: MODEL,
      nodes: nodesFile,
      method: 'saem',
      seed: '3',
      explore: '20',
      smooth: '10',
      retries: '2',
      retryDelay: '100',
      timeout: '20000',
      log: logFile,
      format: 'json',
    });
    const wire = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as WireEntry);
    return { out, wire };
  } finally {
    clearInterval(poll);
  }
}

const assertPooled = (out: FederateOutput, patients: PatientData[]): void => {
  const pooled = fitSaem(model, patients, fitOptions);
  for (const [k, v] of Object.entries(pooled.theta)) assert.ok(Math.abs(out.theta[k] / v - 1) < 1e-8, k);
  for (const [k, v] of Object.entries(pooled.sigma)) assert.ok(Math.abs(out.sigma[k] / v - 1) < 1e-8, k);
  pooled.omega.matrix.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(out.omega.matrix[i][j] - v) <= 1e-8 * Math.abs(v), `Ω${i}${j}`)),
  );
  assert.ok(Math.abs(out.ofv! - pooled.ofv) < 1e-8, `${out.ofv} vs ${pooled.ofv}`);
  for (const [k, v] of Object.entries(pooled.shrinkage))
    assert.ok(Math.abs(out.shrinkage[k] - v) < 1e-8, `shrinkage ${k}`);
  // Equal to the last bit, in fact: exact sums and per-subject streams.
  assert.deepEqual(out.theta, pooled.theta);
  assert.deepEqual(out.omega, pooled.omega);
};

describe('dosetwin federate: three hospitals on loopback', () => {
  let nodes: Node[] = [];
  const tokens = ['token-limoges-0', 'token-poitiers-1', 'token-tours-22'];
  const spec = (k: number, token = tokens[k]): { name: string; url: string; token: string } => ({
    name: ['limoges', 'poitiers', 'tours'][k],
    url: nodes[k].url,
    token,
  });
  before(async () => {
    // Compile once before several processes start at the same time.
    assert.equal(spawnSync(process.execPath, [BIN, '--version'], { cwd: REPO }).status, 0);
    nodes = await Promise.all(files.map((f, k) => startNode(f, tokens[k], '--min-patients', '4')));
  });
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill();
  });

  test('federated SAEM over 3 node processes = pooled SAEM (seed 3) within 1e-8; the wire holds no row-level value', async () => {
    const r = await run(
      [0, 1, 2].map((k) => spec(k)),
      'wire-a.jsonl',
    );
    assertPooled(r.out, [0, 1, 2].flatMap(patientsOf));
    assert.equal(r.out.patients, 12);
    assert.equal(r.out.restarts, 0);
    assert.deepEqual(r.out.warnings, []);
    // open, 30 E-steps, summary and close per node; all answered at the first attempt.
    assert.equal(r.wire.length, 3 * 33);
    assert.equal(r.out.wire.exchanges, 3 * 33);
    assert.ok(r.wire.every((e) => e.status === 200 && e.attempt === 1));
    const all = [0, 1, 2].flatMap(patientsOf);
    const etas = fitSaem(model, all, fitOptions).individuals.map((i) => i.eta);
    assertNoRowLevelValue(r.wire, all, etas, readFileSync(MODEL, 'utf8'));
  });

  test('a wrong token (DT_FEDERATE_AUTH) and a node under the default minimum of 5 patients (DT_FEDERATE_TOO_FEW_PATIENTS) are excluded at open, and said so', async () => {
    const strict = await startNode(files[0], 'token-strict-9');
    const r = await run(
      [
        spec(0, 'not-the-token'),
        spec(1),
        spec(2),
        { name: 'strict', url: strict.url, token: 'token-strict-9' },
      ],
      'wire-b.jsonl',
    );
    assert.deepEqual(
      r.out.nodes.map((n) => [n.name, n.status, n.code ?? null, n.call ?? null]),
      [
        ['limoges', 'excluded', 'DT_FEDERATE_AUTH', 'open'],
        ['poitiers', 'used', null, null],
        ['tours', 'used', null, null],
        ['strict', 'excluded', 'DT_FEDERATE_TOO_FEW_PATIENTS', 'open'],
      ],
    );
    assert.ok(
      r.out.warnings.some(
        (w) =>
          w.code === 'DT_FEDERATE_NODE_EXCLUDED' &&
          /^node strict excluded at its open call: node strict refused open \(HTTP 422\): this node has fewer patients than its minimum of 5/.test(
            w.message,
          ),
      ),
    );
    assert.equal(r.out.patients, 8);
    assertPooled(r.out, [1, 2].flatMap(patientsOf));
    // The refusing node's reply carried no count.
    const refusal = r.wire.find((e) => e.node === 'strict')!;
    assert.equal(refusal.status, 422);
    assert.ok(!/\b4\b/.test(JSON.stringify(refusal.reply)));
  });

  test('a node killed mid-run is retried (3 attempts), excluded and reported; the fit restarts on the others and equals their pooled fit', async () => {
    let killedAt = 0;
    const r = await run(
      [0, 1, 2].map((k) => spec(k)),
      'wire-c.jsonl',
      (lines) => {
        if (killedAt) return;
        const last = JSON.parse(lines[lines.length - 1]) as WireEntry;
        const it = (last.request as { broadcast?: { iteration: number } }).broadcast?.iteration ?? 0;
        if (it >= 5) {
          killedAt = it;
          nodes[1].proc.kill('SIGKILL');
        }
      },
    );
    assert.ok(killedAt >= 5);
    const b = r.out.nodes[1];
    assert.equal(b.name, 'poitiers');
    assert.equal(b.status, 'excluded');
    assert.equal(b.call, 'estep');
    assert.ok(b.iteration! >= killedAt, `${b.iteration}`);
    assert.match(b.reason!, /node poitiers did not answer estep after 3 attempts/);
    assert.equal(r.out.restarts, 1);
    assert.equal(r.out.patients, 8);
    assert.ok(
      r.out.warnings.some(
        (w) =>
          w.code === 'DT_FEDERATE_NODE_EXCLUDED' &&
          /^node poitiers excluded at its estep call \(iteration \d+\)/.test(w.message),
      ),
    );
    // The wire log shows the three failed attempts.
    const failed = r.wire.filter((e) => e.node === 'poitiers' && e.error);
    assert.deepEqual(
      failed.map((e) => e.attempt),
      [1, 2, 3],
    );
    assertPooled(r.out, [0, 2].flatMap(patientsOf));
  });
});
