// `dosetwin fhir import` against a real FHIR R4 server (Medplum's router over its in-memory
// repository, served over HTTP, seeded with the synthetic vancomycin patient): the CSV it writes is
// the library's import of the same Bundle written with units (byte for byte), the summary lists
// each refusal with its code; `--into PATIENT --as USER` stores the record in a SQLite database
// (every resource created), and a second run changes nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import { clinicalPatient, drugFile, drugPatientCsv, importedRecord, importFhir } from '@dosetwin/models';
import { openDb } from '@dosetwin/server';
import { startFhirServer, type FhirTestServer } from '../../../server/src/fhir/fhir-test-server.ts';
import { REPO } from '../test-support.ts';

const bundle = JSON.parse(
  readFileSync(join(REPO, 'packages/models/src/fhir/fixtures/vancomycin-icu.json'), 'utf8'),
) as Bundle;

/** `dosetwin ARGS` without blocking this process (the FHIR server answers from it). */
function dosetwin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The SQLite data directory of the test, even where DATABASE_URL names PostgreSQL (CI).
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const c = spawn(process.execPath, [join(REPO, 'packages/cli/bin/dosetwin.mjs'), ...args], {
      cwd: REPO,
      env,
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let fhir: FhirTestServer;
const dir = mkdtempSync(join(tmpdir(), 'dt-fhir-cli-'));
before(async () => {
  fhir = await startFhirServer({ seed: [bundle] });
});
after(async () => {
  await fhir.close();
  rmSync(dir, { recursive: true, force: true });
});

test('fhir import --csv: the library’s import of the same Bundle, written with units; refusals listed with their codes', async () => {
  const file = join(dir, 'vanco.csv');
  const r = await dosetwin(
    'fhir',
    'import',
    '--server',
    fhir.url,
    '--patient',
    'vanco-icu-1',
    '--drug',
    'vancomycin',
    '--csv',
    file,
  );
  assert.equal(r.code, 0, r.stderr);
  const expected = drugPatientCsv(
    clinicalPatient(importedRecord('vanco-icu-1', importFhir(bundle, drugFile('vancomycin')!))).patient,
  );
  assert.equal(readFileSync(file, 'utf8'), expected);
  assert.match(r.stdout, /3 doses, 2 levels, 6 covariates taken; 4 refused/);
  assert.match(
    r.stdout,
    /error DT_FHIR_VOLUME_DOSE \[MedicationAdministration\/vi-d4\/_history\/[^\]]+\.dosage\.dose\] 250 mL of solution/,
  );
  assert.match(r.stdout, /Observation\/vi-scr1\/_history\/\S+ valueQuantity: 1\.4 mg\/dL → 123\.76 umol\/L/);
});

test('fhir import --into PATIENT --as USER: the record stored (every resource created); a second run: all unchanged', async () => {
  const db = await openDb({ dataDir: dir });
  await db.db
    .insertInto('users')
    .values({
      id: 'u1',
      username: 'dr.cli',
      display_name: 'Dr CLI',
      password_hash: 'x',
      role: 'prescriber',
      service: 'icu',
      active: 1,
      created_at: new Date().toISOString(),
    })
    .execute();
  await db.db
    .insertInto('patients')
    .values({
      id: 'p1',
      pseudonym: 'P-CLI',
      service: 'icu',
      sex: 'male',
      created_at: new Date().toISOString(),
      created_by: 'u1',
    })
    .execute();
  await db.close();
  const args = [
    'fhir',
    'import',
    '--server',
    fhir.url,
    '--patient',
    'vanco-icu-1',
    '--drug',
    'vancomycin',
    '--into',
    'p1',
    '--as',
    'dr.cli',
    '--data-dir',
    dir,
    '--json',
  ];
  const first = await dosetwin(...args);
  assert.equal(first.code, 0, first.stderr);
  const r1 = JSON.parse(first.stdout) as { entries: { outcome: string }[]; refused: unknown[] };
  assert.deepEqual([...new Set(r1.entries.map((e) => e.outcome))], ['created']);
  assert.equal(r1.entries.length, 11);
  assert.equal(r1.refused.length, 4);
  const second = await dosetwin(...args);
  assert.equal(second.code, 0, second.stderr);
  const r2 = JSON.parse(second.stdout) as { entries: { outcome: string }[] };
  assert.deepEqual([...new Set(r2.entries.map((e) => e.outcome))], ['unchanged']);
  const check = await openDb({ dataDir: dir });
  const n = await check.db
    .selectFrom('administrations')
    .select('id')
    .where('patient_id', '=', 'p1')
    .execute();
  await check.close();
  assert.equal(n.length, 3);
});

test('fhir import: bad arguments exit 2 naming the option; a server that does not answer exits 2 with DT_FHIR_SERVER, as any input the command cannot use', async () => {
  const bad = await dosetwin(
    'fhir',
    'import',
    '--server',
    'ftp://x',
    '--patient',
    'p',
    '--drug',
    'vancomycin',
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--server/);
  const down = await dosetwin(
    'fhir',
    'import',
    '--server',
    'http://127.0.0.1:9/fhir',
    '--patient',
    'p',
    '--drug',
    'vancomycin',
  );
  assert.equal(down.code, 2, down.stderr);
  assert.match(down.stderr, /DT_FHIR_SERVER/);
});

test('fhir export: the record stored by --into, as a Bundle under the linked FHIR id, read back by the import (3 doses, 2 levels); AGE listed as not exported', async () => {
  const r = await dosetwin('fhir', 'export', '--patient', 'p1', '--drug', 'vancomycin', '--data-dir', dir);
  assert.equal(r.code, 0, r.stderr);
  const b = JSON.parse(r.stdout) as Bundle;
  assert.equal(b.resourceType, 'Bundle');
  const back = importFhir(b, drugFile('vancomycin')!, { patientId: 'vanco-icu-1' });
  const original = importFhir(bundle, drugFile('vancomycin')!);
  assert.deepEqual(
    back.doses.map((d) => d.values),
    original.doses.map((d) => d.values),
  );
  assert.deepEqual(
    back.levels.map((l) => [l.values.at, l.values.value, l.values.unit]),
    original.levels.map((l) => [l.values.at, l.values.value, l.values.unit]),
  );
  assert.match(r.stderr, /not exported: covariates\[\d+\]: AGE 65\.58 y/);
  const bad = await dosetwin('fhir', 'export', '--patient', 'p1', '--drug', 'aspirin', '--data-dir', dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--drug/);
});
