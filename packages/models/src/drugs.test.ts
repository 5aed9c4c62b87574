// The drug files: every library model is mapped to the formulations it applies to, every target
// text is one the engine reads in every model's units, every product's units convert to its
// models' units, the ML presets cover their models' covariates, and the estimator catalogue lists
// exactly the estimators shipped in packages/models/estimators/, with the design each was trained on.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { convert, parseTarget, validateEstimator } from '@dosetwin/engine';
import { DRUG_FILES, drugFile, modelUse } from './drugs.ts';
import { ML_PRESETS, presetFor, virtualModel } from './ml-presets.ts';
import { readTargetText } from './policy.ts';
import { getModel, listModels } from './registry.ts';

const ESTIMATORS = new URL('../estimators/', import.meta.url);
const shipped = readdirSync(ESTIMATORS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/estimator.json`, ESTIMATORS)))
  .map((d) => d.name)
  .sort();

test('every library model is in its folder’s drug file, and every model a drug file lists is in the library', () => {
  const listed = Object.entries(DRUG_FILES).flatMap(([folder, f]) =>
    Object.keys(f.models).map((id) => {
      assert.equal(id.split('/')[0], folder, `${id} listed in the ${folder} drug file`);
      return id;
    }),
  );
  assert.deepEqual(
    listed.sort(),
    listModels().map((m) => m.id),
  );
  for (const m of listModels()) {
    assert.ok(modelUse(m.id), m.id);
    assert.equal(
      modelUse(m.id)!.drug.drug,
      m.ir.drug,
      `${m.id}: the drug file's drug is the model's drug line`,
    );
  }
  assert.equal(drugFile('mycophenolic acid'), DRUG_FILES['mycophenolic-acid']);
  assert.equal(drugFile('Mycophenolic-Acid'), DRUG_FILES['mycophenolic-acid']);
  assert.equal(drugFile('aspirin'), null);
});

for (const [folder, f] of Object.entries(DRUG_FILES))
  describe(`drug file ${folder}`, () => {
    const models = Object.keys(f.models).map(getModel);

    test('formulation ids are unique and every model maps to formulations of the file', () => {
      const ids = f.formulations.map((x) => x.id);
      assert.equal(new Set(ids).size, ids.length);
      for (const [id, use] of Object.entries(f.models)) {
        assert.ok(use.formulations.length >= 1, `${id}: at least one formulation`);
        for (const x of use.formulations) assert.ok(ids.includes(x), `${id}: formulation ${x}`);
        assert.ok(use.why.length > 10, `${id}: why`);
      }
    });

    test('targets: each read by the engine in every model’s units, with the bounds the policy reads; citation with a year', () => {
      for (const t of f.targets) {
        assert.match(t.citation, /(19|20)\d{2}/, t.text);
        assert.ok(t.population.length > 5, `${t.text}: population`);
        const r = readTargetText(t.text);
        for (const m of models) {
          const p = parseTarget(t.text, m.ir.units.conc, m.ir.units.time);
          assert.equal(p.metric, r.metric, t.text);
          assert.equal(p.lo === null, r.lo === null, t.text);
          assert.equal(p.hi === null, r.hi === null, t.text);
        }
      }
    });

    test('formulations: strengths in a mass unit of every model’s dose, intervals and infusion in time units, a usual dose in mg or mg/kg', () => {
      for (const x of f.formulations) {
        assert.ok(x.strengths.values.length >= 1 && x.strengths.values.every((v) => v > 0), x.id);
        assert.ok(x.routes.length >= 1, `${x.id}: routes`);
        for (const [id, use] of Object.entries(f.models))
          if (use.formulations.includes(x.id))
            assert.ok(
              convert(1, x.strengths.unit, getModel(id).ir.units.dose) > 0,
              `${x.id} in ${id}'s dose unit`,
            );
        assert.ok(
          x.intervals.values.every((v) => convert(v, x.intervals.unit, 'h') > 0),
          `${x.id}: intervals`,
        );
        if (x.infusion) {
          assert.ok(x.routes.includes('infusion'), `${x.id}: infusion constraints for an infused product`);
          const d = x.infusion.duration;
          assert.ok(d.lo > 0 && d.lo <= d.hi && convert(d.hi, d.unit, 'h') > 0, `${x.id}: duration range`);
          if (x.infusion.maxRate) {
            const parts = x.infusion.maxRate.unit.split('/');
            const [mass, time] = parts.length === 3 && parts[1] === 'kg' ? [parts[0], parts[2]] : parts;
            assert.ok(convert(1, mass, 'mg') > 0 && convert(1, time, 'h') > 0, `${x.id}: max rate unit`);
          }
          for (const q of [x.infusion.maxDuration, x.infusion.step])
            if (q) assert.ok(convert(q.value, q.unit, 'h') > 0, `${x.id}: infusion durations in a time unit`);
        }
        const l = x.limits;
        for (const q of [...l.maxDose, ...l.maxDailyDose, ...l.maxLoadingDose])
          assert.ok(q.value > 0 && /^(mg|g|ug)(\/kg)?$/.test(q.unit), `${x.id}: limit ${q.value} ${q.unit}`);
        assert.ok(l.source.length > 10, `${x.id}: where the limits come from, or that none is stated`);
        if (x.usual) {
          assert.match(x.usual.dose.unit, /^(mg|g|ug)(\/kg)?$/, `${x.id}: usual dose unit`);
          assert.ok(convert(x.usual.every.value, x.usual.every.unit, 'h') > 0, `${x.id}: usual interval`);
        }
        assert.ok(x.source.length > 3, `${x.id}: source`);
      }
    });

    test('ML presets: the drug’s, named once, every covariate of their models mapped', () => {
      for (const p of f.mlPresets) {
        assert.equal(p.drug, f.drug);
        assert.equal(ML_PRESETS[p.name], p);
        for (const id of [...p.models, p.external]) {
          assert.ok(f.models[id], `${p.name}: ${id} is a model of the drug`);
          assert.equal(virtualModel(p, id).id, id);
        }
      }
    });
  });

test('vancomycin: the vial at most 10 mg/min over 1-2 h (EU SmPC), as the model files stated', () => {
  const vial = DRUG_FILES.vancomycin.formulations.find((x) => x.id === 'vial')!;
  assert.deepEqual(vial.infusion?.maxRate, { value: 10, unit: 'mg/min' });
  assert.deepEqual(vial.infusion?.duration, { lo: 1, hi: 2, unit: 'h' });
});

test('ML presets by name and by drug', () => {
  assert.deepEqual(Object.keys(ML_PRESETS).sort(), ['tacrolimus-ktx', 'vancomycin-adult']);
  assert.equal(presetFor('vancomycin')?.name, 'vancomycin-adult');
  assert.equal(presetFor('tacrolimus-ktx')?.drug, 'tacrolimus');
  assert.equal(presetFor('amikacin'), undefined);
});

test('the estimator catalogue lists exactly the estimators shipped in packages/models/estimators/', () => {
  const listed = Object.values(DRUG_FILES)
    .flatMap((f) => f.estimators.map((e) => e.id))
    .sort();
  assert.deepEqual(listed, shipped);
});

for (const f of Object.values(DRUG_FILES))
  for (const e of f.estimators)
    test(`estimator ${e.id}: the catalogue's drug, models, design, target and external model are the artefact's`, () => {
      const est = validateEstimator(
        JSON.parse(readFileSync(new URL(`${e.id}/estimator.json`, ESTIMATORS), 'utf8')),
      );
      assert.equal(est.id, e.id);
      assert.equal(est.drug, f.drug);
      assert.deepEqual(
        est.models.map((m) => m.id),
        e.models,
      );
      const { timesH, tauH, route, infusionH } = est.design;
      assert.deepEqual({ timesH, tauH, route, infusionH }, { infusionH: undefined, ...e.design });
      assert.deepEqual({ name: est.target.name, unit: est.target.unit }, e.target);
      assert.equal(est.description, e.description);
      const report = readFileSync(new URL(`${e.id}/report.md`, ESTIMATORS), 'utf8');
      assert.equal(/^## External validation: patients simulated from (\S+)/m.exec(report)?.[1], e.external);
      const preset = f.mlPresets.find((p) => p.name === e.preset);
      assert.ok(preset, `preset ${e.preset}`);
      for (const x of e.formulations)
        assert.ok(
          e.models.every((id) => f.models[id].formulations.includes(x)),
          `${x}: a formulation of every training model`,
        );
    });
