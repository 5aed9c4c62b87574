/**
 * `dosetwin recommend --drug NAME`: the model-averaged recommendation of the models library
 * (`recommendDrug`, whose documentation states the method) for a user who picks a drug rather
 * than a model, and its text report. Every number given and printed is in the data's units.
 */
import type { DrugPatient, DrugRecommendation, FitDrugOptions } from '@dosetwin/models';
import { MET_MEANING, PTA_MEANING, ptaBelowThreshold, rankingRule, recommendDrug } from '@dosetwin/models';
import { concentration, type Settings } from './recommend-state.ts';

/** `recommend --drug`'s output for one patient: the library's averaged recommendation and what was asked. */
export type DrugRecommendationOut = DrugRecommendation & { inputs: Record<string, unknown> };

/** The model-averaged recommendation for one patient of a drug-level dataset; `s` is in the data's units. */
export function recommendDrugForPatient(
  drug: string,
  patient: DrugPatient,
  s: Settings,
  options: FitDrugOptions,
): DrugRecommendationOut {
  const r = recommendDrug(
    drug,
    patient,
    {
      ...s,
      startWhenBelow:
        s.startWhenBelow === undefined
          ? undefined
          : concentration(s.startWhenBelow, patient.units.conc, '--start-when-below'),
    },
    options,
  );
  return {
    ...r,
    inputs: {
      space: s.space,
      starts: s.starts ?? 'next dose due',
      ...(s.startWhenBelow !== undefined ? { startWhenBelow: s.startWhenBelow } : {}),
      ...(s.maxLoadingDose !== undefined ? { maxLoadingDose: s.maxLoadingDose } : {}),
      ...(s.loadingDuration !== undefined ? { loadingDuration: s.loadingDuration } : {}),
      ...(s.mic !== undefined ? { mic: s.mic, fu: s.fu ?? 1 } : {}),
      samples: s.samples,
      seed: s.seed,
      optimiseFor: s.optimiseFor,
      records: patient.records.length,
      levels: r.levels,
    },
  };
}

const r4 = (x: number): string => String(Number(x.toPrecision(4)));
/** A weight to 3 decimals; a non-zero one below 0.0005 with 2 significant digits, never a bare 0.000. */
const weight = (w: number): string => (w > 0 && w < 5e-4 ? w.toPrecision(2) : w.toFixed(3));
const short = (id: string): string => id.slice(id.indexOf('/') + 1);

/** The pharmacist's text report of one patient's model-averaged recommendation. */
export function drugRecommendationText(r: DrugRecommendationOut): string[] {
  const u = r.units;
  const why = `${r.weights.scheme === 'aic' ? 'AIC (OFV + 2k)' : 'likelihood exp(−OFV/2)'}, OFV = ${r.weights.criterion === 'laplace' ? 'NONMEM OBJ' : 'MAP objective'}`;
  const out = [
    `${r.id}: ${r.drug}, averaged over ${r.weights.models.length} model(s), weights by ${why}; units ${u.dose}, ${u.time}, ${u.conc}`,
  ];
  const w = Math.max(5, ...r.weights.models.map((m) => m.id.length));
  const cw = Math.max(8, ...r.weights.models.map((m) => m.citation.length));
  out.push(`  ${'model'.padEnd(w)}  ${'citation'.padEnd(cw)}  ${'OFV'.padStart(9)}  ${'weight'.padStart(6)}`);
  for (const m of r.weights.models)
    out.push(
      `  ${m.id.padEnd(w)}  ${m.citation.padEnd(cw)}  ${m.objective.toFixed(3).padStart(9)}  ${weight(m.weight).padStart(6)}` +
        `${m.id === r.selected ? '  ← selected' : ''}${m.proposes ? '' : '  (too light to propose regimens)'}${m.converged ? '' : '  (not converged)'}`,
    );
  for (const x of r.weights.excluded) out.push(`  left out: ${x.id}: ${x.reason}`);
  if (r.levels === 0)
    out.push('  no level measured: each model a priori (its typical patient, prior draws for the PTA)');
  const nd = r.nextDose;
  if (nd)
    out.push(
      `  next dose when the averaged level falls to ${nd.threshold} ${u.conc}: t = ${r4(nd.time)} ${u.time}` +
        (nd.probabilityBelow !== null
          ? ` (P(level ≤ ${nd.threshold}) = ${(100 * nd.probabilityBelow).toFixed(0)} % over the models' draws)`
          : ''),
    );
  out.push(
    `  ${r.regimensEvaluated} regimen(s) proposed by the models, each evaluated under every model; exposure averaged Σ w·x (each model's), PTA of the mixture Σ w·PTA:`,
  );
  for (const c of r.candidates) {
    const metrics = Object.entries(c.metrics)
      .map(
        ([name, v], k) =>
          `${name} ${r4(v)}${c.met[k] ? ' ✓' : ' ✗'} (per model: ${c.models.map((m) => `${short(m.id)} ${r4(m.metrics[name])}`).join(', ')})`,
      )
      .join('; ');
    const l = c.loading;
    const first = l
      ? l.dose > 0
        ? `${r4(l.dose)} ${u.dose}${l.duration !== c.duration ? ` over ${r4(l.duration)} ${u.time}` : ''} then `
        : 'no loading dose, '
      : c.loadingDose > 0
        ? `${r4(c.loadingDose)} ${u.dose}${c.loadingDuration !== c.duration ? ` over ${r4(c.loadingDuration)} ${u.time}` : ''} then `
        : '';
    out.push(
      `  #${c.rank} ${first}${r4(c.dose)} ${u.dose} every ${c.interval} ${u.time}` +
        `${c.duration ? ` over ${r4(c.duration)} ${u.time}` : ''} from t = ${r4(c.start)}: ${metrics}` +
        (c.pta ? `; PTA ${(100 * c.pta.all).toFixed(0)} %${ptaBelowThreshold(c.pta) ? ' ⚠' : ''}` : '') +
        (l
          ? `; loading ${r.loadingTarget}: ${r4(l.metric)}${l.met ? ' ✓' : ' ✗'} (per model: ${l.models.map((m) => `${short(m.id)} ${r4(m.metric)}`).join(', ')})` +
            (l.pta !== null ? `, PTA ${(100 * l.pta).toFixed(0)} %` : '')
          : ''),
    );
  }
  if (!r.candidates.length) out.push('  no regimen to propose');
  else out.push(`  ${MET_MEANING.en}`, `  ${PTA_MEANING.en}`, `  ${rankingRule('en')}`);
  for (const x of r.warnings)
    if (x.code !== 'DT_AVERAGE_EXCLUDED') out.push(`  warning [${x.model}] ${x.code}: ${x.message}`);
  return out;
}
