// The products' limits of administration in the analyses the service, the CLI and the browser run
// (`analyse` for one model, `analyseDrug` for a drug, averaged over its models): for random
// clinical records — covariates drawn in the register's usual ranges, a random past regimen of the
// drug's products, a random level — no candidate breaks its drug file's label. The labels are
// written out here from the drug files' sources, independently of the code that reads them, and a
// test checks every drug file stating a limit is listed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { convert } from '@dosetwin/engine';
import { analyse } from './analysis.ts';
import { covariateEntry, patientInputs } from './covariate-register.ts';
import { analyseDrug } from './drug-analysis.ts';
import { DRUG_FILES } from './drugs.ts';
import { defaultTargets, modelPolicy } from './policy.ts';
import type { Regimen } from './regimen.ts';
import { listModels } from './registry.ts';
import { LABEL_LIMITS as LABELS, type Mass } from './test-support.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (h: number): string => new Date(T0 + h * H).toISOString();

test('every drug file stating a limit is listed above, or its models are also searched with a product stating none (everolimus: Certican beside Afinitor) or by another route (the voriconazole vial beside the oral model)', () => {
  for (const [key, drug] of Object.entries(DRUG_FILES)) {
    const limited = drug.formulations.filter(
      (f) =>
        f.limits.maxDose.length ||
        f.limits.maxDailyDose.length ||
        f.limits.maxLoadingDose.length ||
        f.infusion,
    );
    if (!limited.length || LABELS[key]) continue;
    // A product with a limit whose drug is not listed: each of its models must be searched with a
    // product stating no limit (a regimen one label allows is allowed), so none applies.
    for (const id of Object.keys(drug.models)) {
      const policy = modelPolicy(listModels().find((m) => m.id === id)!);
      assert.ok(
        policy.limits.some((p) => !p.maxDose.length && !p.maxDailyDose.length && !p.maxRate),
        `${key}: ${id} is searched with a limited product but the drug is not in LABELS`,
      );
    }
  }
  // The voriconazole model doses into a depot: only the tablets' limits apply, no IV candidate.
  const vori = modelPolicy(listModels().find((m) => m.id === 'voriconazole/friberg2012-adult')!);
  assert.deepEqual([vori.route, vori.limits.map((l) => l.formulation)], ['oral', ['tablet']]);
});

/** A quantity in the given unit. */
const inUnit = (q: { value: number; unit: string } | null, unit: string): number =>
  q ? convert(q.value, q.unit, unit) : 0;

/** The breaches of `label` by one candidate regimen, in words ([]: none). */
function breaches(r: Regimen, label: (typeof LABELS)[string], weightKg: number, infused: boolean): string[] {
  const cap = ([v, u]: Mass): number => (u === 'mg/kg' ? v * weightKg : v);
  const slack = 1 + 1e-9;
  const out: string[] = [];
  const mg = inUnit(r.dose, 'mg');
  const tauH = inUnit(r.interval, 'h');
  const min = inUnit(r.duration, 'min');
  if (label.maxDose && mg > cap(label.maxDose) * slack) out.push(`${mg} mg > ${cap(label.maxDose)} mg`);
  if (label.maxDaily && (mg * 24) / tauH > cap(label.maxDaily) * slack)
    out.push(`${(mg * 24) / tauH} mg/day > ${cap(label.maxDaily)}`);
  if (infused) {
    if (r.route !== 'infusion') out.push(`route ${r.route}`);
    if (label.minMin && min < label.minMin / slack) out.push(`${min} min < ${label.minMin} min`);
    if (label.maxMin && min > label.maxMin * slack) out.push(`${min} min > ${label.maxMin} min`);
    if (label.mgPerMin && mg / min > label.mgPerMin * slack) out.push(`${mg / min} mg/min`);
    if (min > tauH * 60 * slack) out.push(`infusion ${min} min longer than the interval`);
  } else if (r.route !== 'oral') out.push(`route ${r.route} for an oral model`);
  if (r.loading) {
    const l = inUnit(r.loading.dose, 'mg');
    const lmin = inUnit(r.loading.duration, 'min');
    for (const x of label.maxLoading ?? (label.maxDose ? [label.maxDose] : []))
      if (l > cap(x) * slack) out.push(`loading ${l} mg > ${cap(x)} mg`);
    if (infused && label.mgPerMin && l / lmin > label.mgPerMin * slack)
      out.push(`loading ${l / lmin} mg/min`);
  }
  return out;
}

/** Adult patients, in the register's units: the population the adult models were built on. */
const ADULT: Record<string, [number, number]> = {
  WT: [45, 120],
  HT: [150, 195],
  AGE: [18, 85],
  SCR: [45, 250],
  ALB: [20, 45],
  CYSC: [0.6, 3],
};

test('the check catches the regimens the request found: vancomycin 2000 mg over 1 h (33 mg/min), piperacillin 78 g every 8 h over 30 min; 2000 mg over 200 min passes', () => {
  const regimen = (mg: number, tau: number, min: number): Regimen => ({
    dose: { value: mg, unit: 'mg' },
    interval: { value: tau, unit: 'h' },
    route: 'infusion',
    duration: { value: min, unit: 'min' },
    start: null,
    loading: null,
  });
  assert.deepEqual(breaches(regimen(2000, 24, 60), LABELS.vancomycin, 82, true), [`${2000 / 60} mg/min`]);
  assert.deepEqual(breaches(regimen(2000, 24, 200), LABELS.vancomycin, 82, true), []);
  assert.deepEqual(breaches(regimen(78000, 8, 30), LABELS.piperacillin, 75, true), [
    '78000 mg > 4000 mg',
    '234000 mg/day > 16000',
  ]);
});

/** A random clinical record of a drug: every input of its models, a past regimen of its products, maybe one level. */
export function randomRecord(drugKey: string, modelIds: string[], u: number[]) {
  const drug = DRUG_FILES[drugKey];
  const models = listModels().filter((m) => modelIds.includes(m.id));
  const policy = modelPolicy(models[0]);
  const product =
    drug.formulations.find((f) => f.id === policy.limits[0]?.formulation) ?? drug.formulations[0];
  let k = 0;
  const next = (): number => u[k++ % u.length];
  // Covariates: each input of the models, drawn in the adult ranges below within a model's validity
  // domain when it states one in the register's unit (its domain alone when they do not meet: the
  // neonates of gentamicin), else in the register's usual range (codes at random).
  const names = new Set<string>();
  for (const m of models) for (const p of patientInputs(m)) names.add(p.name);
  const covariates = [...names].map((name) => {
    const e = covariateEntry(name)!;
    const own = models
      .flatMap((m) => m.ir.covariates)
      .find((c) => c.name === name && c.unit === e.unit && c.valid?.lo != null && c.valid.hi != null)?.valid;
    const adult = ADULT[name];
    const both = own && adult ? { lo: Math.max(own.lo!, adult[0]), hi: Math.min(own.hi!, adult[1]) } : null;
    const range =
      both && both.lo < both.hi
        ? both
        : own
          ? { lo: own.lo!, hi: own.hi! }
          : adult
            ? { lo: adult[0], hi: adult[1] }
            : (e.usual ?? e.limits);
    const value = e.codes
      ? e.codes[Math.floor(next() * e.codes.length) % e.codes.length].value
      : range
        ? range.lo + next() * (range.hi - range.lo)
        : 0;
    return { at: at(-2), name, value, unit: e.unit };
  });
  const wt = covariates.find((c) => c.name === 'WT')?.value ?? 70;
  // A past regimen: the drug's usual dose (per kg times the weight) times 0.7-1.3, every listed
  // interval, infused over the label's longest usual duration (longer when 10 mg/min asks).
  const usual = product.usual ?? drug.formulations.find((f) => f.usual)?.usual ?? null;
  const perKg = !!usual?.dose.unit.endsWith('/kg');
  const strength = product.strengths.values[0];
  const base = usual
    ? convert(usual.dose.value * (perKg ? wt : 1), usual.dose.unit.replace('/kg', ''), product.strengths.unit)
    : strength * 2;
  // Within the label, as a past regimen given in the ward would be.
  const label = LABELS[drugKey];
  const cap = (m: Mass | undefined, per = 1): number =>
    m ? convert((m[1] === 'mg/kg' ? m[0] * wt : m[0]) * per, 'mg', product.strengths.unit) : Infinity;
  const tau =
    product.intervals.values[
      Math.floor(next() * product.intervals.values.length) % product.intervals.values.length
    ];
  const tauH = convert(tau, product.intervals.unit, 'h');
  const amount =
    Math.round(
      Math.min(base * (0.7 + 0.6 * next()), cap(label.maxDose), cap(label.maxDaily, tauH / 24)) * 1000,
    ) / 1000;
  const oral = policy.route === 'oral';
  const durH = oral
    ? 0
    : Math.min(
        tauH,
        Math.max(
          convert(product.infusion?.duration.hi ?? 1, product.infusion?.duration.unit ?? 'h', 'h'),
          amount / 600,
        ),
      );
  const doses = [0, 1, 2].map((i) => ({
    at: at(i * tauH),
    amount,
    unit: product.strengths.unit,
    route: (oral ? 'oral' : 'infusion') as Regimen['route'],
    duration: oral ? null : { value: durH, unit: 'h' },
    product: `${product.brand ?? product.form} ${strength} ${product.strengths.unit}`,
  }));
  // One level, half the time, an hour before the fourth dose would be due (after the infusion),
  // log-uniform in the drug file's usual range of levels.
  const lv = drug.plausibility.level;
  const samples =
    next() < 0.5
      ? []
      : [
          {
            at: at(2 * tauH + Math.max(durH + 0.5, tauH - 1)),
            value: Math.exp(
              Math.log(lv.soft.lo || 0.1) + next() * (Math.log(lv.soft.hi) - Math.log(lv.soft.lo || 0.1)),
            ),
            unit: lv.unit,
            matrix: 'serum',
            assay: 'immunoassay',
            lloq: null,
          },
        ];
  return { record: { patientId: 'p', administrations: doses, samples, covariates }, weightKg: wt, oral };
}

const byDrug = new Map<string, string[]>();
for (const m of listModels()) {
  const key = m.id.split('/')[0];
  if (LABELS[key]) byDrug.set(key, [...(byDrug.get(key) ?? []), m.id]);
}

for (const [drugKey, ids] of byDrug) {
  const label = LABELS[drugKey];
  const mic = drugKey === 'piperacillin' || drugKey === 'meropenem';
  for (const id of ids)
    test(`property: analyse (${id}, the service's one-model analysis) never proposes a regimen beyond the ${drugKey} label, for random records (fast-check)`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 24, maxLength: 24 }),
          fc.boolean(),
          (u, loading) => {
            const { record, weightKg, oral } = randomRecord(drugKey, [id], u);
            const model = listModels().find((m) => m.id === id)!;
            const first = defaultTargets(model)[0] ?? '';
            const auc = first.startsWith('auc');
            const a = analyse(
              {
                ...record,
                modelId: id,
                targets: [],
                start: null,
                ...(loading && auc ? { loadingTarget: first } : {}),
                ...(mic
                  ? { mic: { value: [0.5, 2, 8, 16, 64][Math.floor(u[20] * 5) % 5], unit: 'mg/L' }, fu: 0.9 }
                  : {}),
              },
              { samples: 10, maxCandidates: 5 },
            );
            assert.ok(a.candidates.length > 0 || a.warnings.some((w) => w.code === 'DT_NO_CANDIDATE'));
            for (const c of a.candidates)
              assert.deepEqual(breaches(c.regimen, label, weightKg, !oral), [], JSON.stringify(c.regimen));
          },
        ),
        { seed: 2026, numRuns: 3 },
      );
    });
  if (ids.length > 1)
    test(`property: analyseDrug (${drugKey}, averaged over ${ids.length} models) never proposes a regimen beyond its label, for random records (fast-check)`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 24, maxLength: 24 }),
          (u) => {
            const { record, weightKg, oral } = randomRecord(drugKey, ids, u);
            const a = analyseDrug(
              { ...record, drug: drugKey, formulation: null, targets: [], start: null },
              { samples: 10, maxCandidates: 5 },
            );
            assert.ok(a.candidates.length > 0 || a.warnings.some((w) => w.code === 'DT_NO_CANDIDATE'));
            for (const c of a.candidates)
              assert.deepEqual(breaches(c.regimen, label, weightKg, !oral), [], JSON.stringify(c.regimen));
          },
        ),
        { seed: 2026, numRuns: 3 },
      );
    });
}
