// A local version of Thomson 2009 from a simulated hospital whose patients have 0.6 × the published
// clearance (24 patients, seed 3): fitted on half, judged on the other half; an uploaded model is
// judged on all; the analysis of a record under the local version uses its parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DosetwinError } from '@dosetwin/engine';
import { analyse } from './analysis.ts';
import { localLibraryModel, proposeLocalModel } from './local-model.ts';
import { getModel } from './registry.ts';
import { simulatedHospital } from './simulated-hospital.ts';

const MODEL = 'vancomycin/thomson2009';
const records = simulatedHospital({ patients: 24, seed: 3, clearanceFactor: 0.6 });
const proposal = proposeLocalModel({
  modelId: MODEL,
  records,
  date: '2026-12-06',
  version: '2009+local.1',
  estimate: ['TVCL'],
  replicates: 50,
});
const ev = proposal.evidence;

test('fitted on 12 of 24 patients with 0.6 × CL: TVCL moves from 2.99 towards 1.79 L/h, the other θ stay published; held-out next-level bias and median |rPE| lower than the published model', () => {
  assert.deepEqual(ev.patients, { local: 24, fitted: 12, heldOut: 12, excluded: [] });
  assert.equal(ev.method, 'focei-prior');
  assert.equal(proposal.ir.version, '2009+local.1');
  const p = Object.fromEntries(ev.parameters.map((x) => [x.name, x]));
  assert.equal(p.TVCL.published, 2.99);
  assert.ok(p.TVCL.local > 1.6 && p.TVCL.local < 2.4, `TVCL ${p.TVCL.local}`);
  assert.equal(p.TVCL.estimated, true);
  for (const n of ['CRCL_CL', 'TVV1', 'TVV2', 'TVQ']) {
    assert.equal(p[n].local, p[n].published, n);
    assert.equal(p[n].estimated, false, n);
  }
  const c = ev.predictiveCheck;
  assert.equal(c.patients, 12);
  assert.ok(c.published.bias < -0.1, `published bias ${c.published.bias}`);
  assert.ok(Math.abs(c.updated.bias) < Math.abs(c.published.bias), JSON.stringify(c));
  assert.equal(c.better, true, JSON.stringify(c));
  // The audit's overall rows are the predictive check's (same forecasts, same held-out patients).
  assert.equal(ev.biasAudit.published.overall.bias, c.published.bias);
  assert.equal(ev.biasAudit.local.overall.bias, c.updated.bias);
  assert.ok(ev.biasAudit.published.groups.some((g) => g.by === 'ward' && g.group === 'ICU'));
});

test('diagnostics of the local model on its 12 fitted patients: 36 GOF points with PRED, IPRED and CWRES, VPC and pcVPC bins covering the 36 levels, one individual fit per patient', () => {
  assert.equal(ev.gof.length, 36);
  assert.ok(ev.gof.every((g) => g.pred !== null && g.ipred !== null && g.cwres !== null));
  // Troughs before doses 4, 6, 8 of q12h: 35.5, 59.5, 83.5 h.
  assert.deepEqual(
    [...new Set(ev.gof.map((g) => g.time))].sort((a, b) => a - b),
    [35.5, 59.5, 83.5],
  );
  assert.equal(
    ev.vpc.reduce((s, b) => s + b.count, 0),
    36,
  );
  assert.equal(
    ev.pcvpc.reduce((s, b) => s + b.count, 0),
    36,
  );
  assert.equal(ev.individual.length, 12);
  assert.deepEqual(
    ev.individual.map((f) => f.id).sort(),
    ev.gof
      .map((g) => g.id)
      .filter((x, i, a) => a.indexOf(x) === i)
      .sort(),
  );
  // JSON round trip: nothing is lost (no NaN turned into null behind the page's back).
  assert.deepEqual(JSON.parse(JSON.stringify(ev)), ev);
});

test('an uploaded model (TVCL 1.9 L/h) is judged on all 24 patients, not fitted; a model of another structure is refused with DT_LOCAL_MODEL_DATA', () => {
  const source = getModel(MODEL).source.replace(/^(\s*TVCL\s+)2\.99(\s)/m, '$11.9 $2');
  const up = proposeLocalModel({
    modelId: MODEL,
    records,
    date: '2026-12-06',
    version: '2009+local.2',
    uploaded: source,
    replicates: 20,
  });
  assert.equal(up.evidence.method, 'uploaded');
  assert.equal(up.evidence.patients.heldOut, 24);
  const tvcl = up.evidence.parameters.find((x) => x.name === 'TVCL')!;
  assert.equal(tvcl.local, 1.9);
  assert.equal(up.evidence.predictiveCheck.better, true);
  const other = getModel('vancomycin/goti2018').source;
  assert.throws(
    () => proposeLocalModel({ modelId: MODEL, records, date: '2026-12-06', version: 'x', uploaded: other }),
    (e: unknown) =>
      e instanceof DosetwinError &&
      e.issues[0].code === 'DT_LOCAL_MODEL_DATA' &&
      /goti2018/.test(e.issues[0].message),
  );
});

test('too few patients, and an unknown parameter to estimate, are refused with DT_LOCAL_MODEL_DATA naming the field', () => {
  const refused = (f: () => unknown, field: string, re: RegExp): void =>
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof DosetwinError);
      assert.equal(e.issues[0].code, 'DT_LOCAL_MODEL_DATA');
      assert.equal(e.issues[0].field, field);
      assert.match(e.issues[0].message, re);
      assert.ok(e.issues[0].fr?.message);
      return true;
    });
  refused(
    () =>
      proposeLocalModel({ modelId: MODEL, records: records.slice(0, 3), date: '2026-12-06', version: 'x' }),
    'records',
    /3 patient\(s\).*at least 4/,
  );
  refused(
    () =>
      proposeLocalModel({ modelId: MODEL, records, date: '2026-12-06', version: 'x', estimate: ['TVCLL'] }),
    'estimate',
    /TVCLL is not a parameter/,
  );
});

test('an analysis under the local version reports the local version; a priori (no level) the patient’s CL is the published CL × local TVCL / published TVCL (1e-9)', () => {
  const local = localLibraryModel(getModel(MODEL), proposal.ir);
  const inputs = { ...records[0], samples: [], modelId: MODEL, targets: [], start: null };
  const a = analyse(inputs, { samples: 20, maxCandidates: 1 });
  const b = analyse(inputs, { samples: 20, maxCandidates: 1, model: local });
  assert.equal(a.model.version, getModel(MODEL).ir.version);
  assert.equal(b.model.version, '2009+local.1');
  assert.equal(b.model.id, MODEL);
  assert.equal(b.fit.kind, 'a priori');
  const tv = Object.fromEntries(ev.parameters.map((x) => [x.name, x]));
  const ratio = tv.TVCL.local / tv.TVCL.published;
  assert.ok(
    Math.abs(b.fit.parameters.CL / (a.fit.parameters.CL * ratio) - 1) < 1e-9,
    `${b.fit.parameters.CL} vs ${a.fit.parameters.CL} × ${ratio}`,
  );
});
