// `dosetwin federate node --database` as hospitals run it beside their service: three SQLite data
// directories, each holding 5 patients of a simulated vancomycin hospital entered through the
// service's API, one node process each on loopback reading its database read-only, and the
// coordinator in this process. The federated SAEM equals the pooled SAEM of all 15 patients mapped
// by the same library function (acceptance: 1e-8), no exchange holds a row-level value, and a node
// serving another model refuses the coordinator's with DT_FEDERATE_MODEL.
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fitSaem, loadModel, type PatientData } from '@dosetwin/engine';
import { getModel, localLibraryModel, localPatients, simulatedHospital } from '@dosetwin/models';
import { buildApp, localRecords, openDb } from '@dosetwin/server';
import { caller, FAST_SCRYPT, userWithToken } from '../../../server/src/test-support.ts';
import { REPO } from '../test-support.ts';
import { federateRun, type WireEntry } from './federate.ts';
import { assertNoRowLevelValue, startFederateNode } from './federate-test-support.ts';

const BIN = join(REPO, 'packages/cli/bin/dosetwin.mjs');
const ID = 'vancomycin/thomson2009';
const root = mkdtempSync(join(tmpdir(), 'federate-db-'));
/**
 * The coordinator's model: Thomson 2009 as SAEM fits it (the same id, units and covariates; each
 * eta mu-referenced, the CrCL slope a constant, proportional error), the nodes mapping their
 * records to it.
 */
const MODEL = join(root, 'thomson2009-saem.dtm');
writeFileSync(
  MODEL,
  readFileSync(join(REPO, 'packages/models/vancomycin/thomson2009.dtm'), 'utf8')
    .replace(/^ {2}CRCL_CL .*\n/m, '')
    .replace(
      /^equations\n[\s\S]*?\n {2}pk /m,
      [
        'equations',
        '  TCL = TVCL * exp(eta_CL)',
        '  CL = TCL * (1 + 0.0154 * (CRCL - 66))',
        '  TV1 = TVV1 * exp(eta_V1)',
        '  V1 = TV1 * WT',
        '  TV2 = TVV2 * exp(eta_V2)',
        '  V2 = TV2 * WT',
        '  Q  = TVQ * exp(eta_Q)',
        '  pk ',
      ].join('\n'),
    )
    .replace(/^ {2}CP ~ prop\(0\.15\) \+ add\(1\.6\)$/m, '  CP ~ prop(0.2)'),
);
const model = loadModel(readFileSync(MODEL, 'utf8'), 'thomson2009-saem.dtm');
const dirs = [0, 1, 2].map((k) => join(root, `hospital${k}`));
const children: ChildProcess[] = [];
const startNode = async (args: string[]): Promise<string> => (await startFederateNode(args, children)).url;

/** A hospital's service database: its patients, levels, doses and covariates entered through the API. */
async function seed(dir: string, seedNo: number): Promise<void> {
  const db = await openDb({ dataDir: dir });
  const app = await buildApp({ db, scrypt: FAST_SCRYPT });
  try {
    const user = await userWithToken(app, 'pharmacologist', 'pharmacy');
    const { ok } = caller(app);
    for (const [i, r] of simulatedHospital({ patients: 5, seed: seedNo, clearanceFactor: 0.7 }).entries()) {
      const p = (
        await ok(user.auth, 'POST', '/api/patients', {
          identity: {
            familyName: `SIM${i + 1}`,
            givenName: 'Fed',
            birthDate: '1960-01-01',
            hospitalNumber: `F-${seedNo}-${i}`,
          },
          sex: r.covariates.find((c) => c.name === 'SEX')!.value === 0 ? 'male' : 'female',
          service: r.attributes.WARD,
        })
      ).json();
      for (const c of r.covariates) await ok(user.auth, 'POST', `/api/patients/${p.id}/covariates`, c);
      for (const a of r.administrations)
        await ok(user.auth, 'POST', `/api/patients/${p.id}/administrations`, a);
      for (const { lloq, ...s } of r.samples)
        await ok(user.auth, 'POST', `/api/patients/${p.id}/samples`, lloq === null ? s : { ...s, lloq });
      await ok(user.auth, 'POST', '/api/requests', { patientId: p.id, modelId: ID, question: '' });
    }
  } finally {
    await app.close();
    await db.close();
  }
}

/** A hospital's patients as the pooled fit sees them: its records read and mapped by the library. */
async function patientsOf(dir: string): Promise<PatientData[]> {
  const db = await openDb({ dataDir: dir, readOnly: true });
  try {
    const records = await localRecords(db.db, 'vancomycin');
    return localPatients(localLibraryModel(getModel(ID), model.ir), records).usable.map((u) => u.data);
  } finally {
    await db.close();
  }
}

describe('dosetwin federate node --database: three service databases on loopback', () => {
  const tokens = ['token-db-limoges', 'token-db-poitiers', 'token-db-tours'];
  let urls: string[] = [];
  before(async () => {
    for (const [k, d] of dirs.entries()) await seed(d, 41 + k);
    assert.equal(spawnSync(process.execPath, [BIN, '--version'], { cwd: REPO }).status, 0);
    urls = await Promise.all(
      dirs.map((d, k) => startNode(['--database', d, '--model-id', ID, '--token', tokens[k]])),
    );
  });
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill();
  });

  test('federated SAEM over the 3 databases = pooled SAEM of their 15 patients (seed 3) within 1e-8; no row-level value on the wire', async () => {
    const nodesFile = join(root, 'nodes.json');
    writeFileSync(
      nodesFile,
      JSON.stringify(urls.map((url, k) => ({ name: `h${k}`, url, token: tokens[k] }))),
    );
    const log = join(root, 'wire.jsonl');
    const out = await federateRun({
      model: MODEL,
      nodes: nodesFile,
      method: 'saem',
      seed: '3',
      explore: '20',
      smooth: '10',
      retries: '1',
      retryDelay: '100',
      timeout: '60000',
      log,
      format: 'json',
    });
    const all = (await Promise.all(dirs.map(patientsOf))).flat();
    assert.equal(all.length, 15);
    assert.equal(out.patients, 15);
    assert.deepEqual(
      out.nodes.map((n) => n.status),
      ['used', 'used', 'used'],
    );
    assert.deepEqual(out.warnings, []);
    const pooled = fitSaem(model, all, { seed: 3, explore: 20, smooth: 10, covariance: false });
    for (const [k, v] of Object.entries(pooled.theta)) assert.ok(Math.abs(out.theta[k] / v - 1) < 1e-8, k);
    for (const [k, v] of Object.entries(pooled.sigma)) assert.ok(Math.abs(out.sigma[k] / v - 1) < 1e-8, k);
    pooled.omega.matrix.forEach((row, i) =>
      row.forEach((v, j) =>
        assert.ok(Math.abs(out.omega.matrix[i][j] - v) <= 1e-8 * Math.abs(v), `Ω${i}${j}`),
      ),
    );
    assert.ok(Math.abs(out.ofv! - pooled.ofv) < 1e-8, `${out.ofv} vs ${pooled.ofv}`);
    // The hospital's lower clearance (0.7 × the published 2.99 L/h) is what the fit finds.
    assert.ok(out.theta.TVCL < 2.99 * 0.85, `TVCL ${out.theta.TVCL}`);
    const wire = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as WireEntry);
    assert.ok(wire.every((e) => e.status === 200));
    assertNoRowLevelValue(
      wire,
      all,
      pooled.individuals.map((i) => i.eta),
      readFileSync(MODEL, 'utf8'),
    );
  });

  test('a node serving another model refuses the coordinator’s with DT_FEDERATE_MODEL (422), naming both', async () => {
    const url = await startNode([
      '--database',
      dirs[0],
      '--model-id',
      'vancomycin/goti2018',
      '--token',
      tokens[0],
    ]);
    const r = await fetch(`${url}/federate/open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        run: 'r1',
        model: { file: 'thomson2009-saem.dtm', text: readFileSync(MODEL, 'utf8') },
      }),
    });
    assert.equal(r.status, 422);
    const { error } = (await r.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'DT_FEDERATE_MODEL');
    assert.equal(error.message, `the coordinator's model is '${ID}'; this node serves vancomycin/goti2018`);
  });

  test('bad arguments exit 2 naming the option: no database in the directory, --database without --drug or --model-id', () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    const a = spawnSync(
      process.execPath,
      [BIN, 'federate', 'node', '--database', empty, '--drug', 'vancomycin', '--token', 'token-xyz-1'],
      { cwd: REPO, encoding: 'utf8' },
    );
    assert.equal(a.status, 2, a.stderr);
    assert.match(a.stderr, /--database.*no dosetwin database in/);
    const b = spawnSync(
      process.execPath,
      [BIN, 'federate', 'node', '--database', dirs[0], '--token', 'token-xyz-1'],
      { cwd: REPO, encoding: 'utf8' },
    );
    assert.equal(b.status, 2, b.stderr);
    assert.match(b.stderr, /--model-id.*either --drug or --model-id/);
  });
});
