/**
 * What a clinician must be told about a twin before using it, as warnings (Issues): covariates
 * outside the model's validity domain, dosing a priori (no level), a MAP estimate that did not
 * converge, levels far from the fit (a wrong sampling time or dose history, a unit slip).
 */
import type { Issue } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import type { MapFit } from '../estimate/map.ts';
import type { CovariateDef } from '../model/ir.ts';
import type { CompiledModel } from '../model/compile.ts';
import type { Simulator } from '../simulate/simulator.ts';

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/** `lo..hi unit`, `≥ lo unit`, `≤ hi unit`: a validity range as messages print it. */
export function formatRange(valid: CovariateDef['valid'], unit: string): string {
  if (!valid) return 'any value';
  const u = unit === '-' ? '' : ` ${unit}`;
  if (valid.lo !== null && valid.hi !== null) return `${valid.lo}..${valid.hi}${u}`;
  if (valid.lo !== null) return `≥ ${valid.lo}${u}`;
  return `≤ ${valid.hi}${u}`;
}

/** The warning for a covariate value outside the model's validity domain, or null inside it. */
export function domainIssue(c: CovariateDef, v: number): Issue | null {
  if (!c.valid || !Number.isFinite(v)) return null;
  const { lo, hi } = c.valid;
  if (!((lo !== null && v < lo) || (hi !== null && v > hi))) return null;
  return {
    code: 'DT_DOMAIN_OUTSIDE',
    severity: 'warning',
    field: `covariates.${c.name}`,
    message: `${c.name} is ${fmt(v)}${c.unit === '-' ? '' : ` ${c.unit}`}; the model was developed for ${formatRange(c.valid, c.unit)}`,
    hint: 'predictions outside the validity domain are extrapolations; prefer a model developed for this patient',
  };
}

/** Levels further than this many residual SDs from the fit are called implausible. */
export const IMPLAUSIBLE_SDS = 3;

/** Levels more than this factor above or below their fitted value are called implausible (|ln(obs/pred)| > ln 3). */
export const IMPLAUSIBLE_RATIO = 3;

/** Etas further than this many of their prior SDs (√ω²) from 0 are called extreme. */
export const EXTREME_ETA_SDS = 3;

/**
 * A level this many times above (or this fraction of) a prediction — the typical patient's or
 * the fit's — is probably in another unit (×1000: ng/mL read as mg/L, doses in mg read as µg).
 */
export const UNIT_SLIP_RATIO = 100;

export function twinChecks(
  model: CompiledModel,
  sim: Simulator,
  history: PatientData,
  fit: MapFit | null,
): Issue[] {
  const ir = model.ir;
  const warnings: Issue[] = [];
  // Covariates outside the validity domain: computable, but an extrapolation (first value out, per covariate).
  ir.covariates.forEach((c, k) => {
    for (let i = 0; i < history.n; i++) {
      const w = domainIssue(c, history.cov[i * history.nCov + k]);
      if (w) {
        warnings.push(w);
        break;
      }
    }
  });
  if (!fit) {
    warnings.push({
      code: 'DT_FIT_A_PRIORI',
      severity: 'warning',
      field: 'samples',
      message: 'no usable level: a priori dosing from the covariates only (the typical patient)',
    });
    return warnings;
  }
  warnings.push(...misfitChecks(model, sim, history, fit));
  return warnings;
}

const sig = (x: number): string => String(Number(x.toPrecision(3)));
const sigFr = (x: number): string => sig(x).replace('.', ',');
const shown = (x: number): string => String(Number(x.toPrecision(6)));
const shownFr = (x: number): string => shown(x).replace('.', ',');
/** `4.2-fold above`, `3.3-fold below` (a ratio observed / fitted), in English or French. */
const fold = (ratio: number, lang: 'en' | 'fr'): string =>
  lang === 'en'
    ? `${sig(ratio >= 1 ? ratio : 1 / ratio)}-fold ${ratio >= 1 ? 'above' : 'below'}`
    : `${sigFr(ratio >= 1 ? ratio : 1 / ratio)} fois ${ratio >= 1 ? 'au-dessus' : 'au-dessous'}`;

/**
 * What says a fit should not be trusted before it is checked, as warnings (each blocks a
 * signature until acknowledged): the estimation did not converge (DT_MAP_NONCONVERGENCE); a level
 * more than 3-fold from its fitted value or beyond 3 residual SDs (DT_LEVEL_IMPLAUSIBLE); a level
 * about 100-fold or more from the typical patient's or the fit's prediction, the mark of a unit
 * slip (DT_LEVEL_UNIT_SLIP); an eta beyond 3 prior SDs (DT_ETA_EXTREME), which is how a MAP fit
 * absorbs doses or levels in the wrong unit (tacrolimus doses in mg read as µg: η_CL ≈ −3.5 with
 * ω = 0.27). Messages in English and French.
 */
export function misfitChecks(
  model: CompiledModel,
  sim: Simulator,
  history: PatientData,
  fit: MapFit,
): Issue[] {
  const ir = model.ir;
  const warnings: Issue[] = [];
  if (!fit.converged)
    warnings.push({
      code: 'DT_MAP_NONCONVERGENCE',
      severity: 'warning',
      field: 'fit',
      message: `MAP estimation did not converge: ${fit.message}`,
      fr: {
        message: `l’estimation MAP n’a pas convergé : ${fit.message}`,
        hint: 'vérifier les doses, les heures et les concentrations ; ne pas utiliser l’ajustement sans l’avoir vérifié',
      },
    });
  // The typical patient's predictions, to tell a unit slip from an unusual patient.
  const typical = new Float64Array(history.n).fill(NaN);
  try {
    sim.run(history, null, typical);
  } catch {
    typical.fill(NaN);
  }
  for (const r of fit.ipred) {
    if (!Number.isFinite(r.dv) || r.dv <= 0 || history.cens?.[r.record] === 1) continue;
    const where = `data[line ${history.line[r.record]}].DV`;
    const e = ir.errors[sim.outputIndex(r.cmt, history.dvid?.[r.record] ?? 0)] ?? ir.errors[0];
    const sd = e.kind === 'add' ? e.addSd / r.ipred : e.propSd + e.addSd / Math.max(r.ipred, 1e-300);
    const ratio = r.dv / r.ipred;
    const beyondSd = sd > 0 && Math.abs(r.dv - r.ipred) / (sd * r.ipred) > IMPLAUSIBLE_SDS;
    const beyondRatio = !(Math.abs(Math.log(ratio)) <= Math.log(IMPLAUSIBLE_RATIO));
    if (beyondSd || beyondRatio) {
      const fitted = Number(r.ipred.toPrecision(4));
      warnings.push({
        code: 'DT_LEVEL_IMPLAUSIBLE',
        severity: 'warning',
        field: where,
        message: `the level ${shown(r.dv)} at t = ${shown(r.time)} is far from the fitted ${fitted} (${beyondRatio ? `${fold(ratio, 'en')}, beyond ${IMPLAUSIBLE_RATIO}-fold` : `> ${IMPLAUSIBLE_SDS} residual SDs`}): check the sample time and dose history`,
        hint: 'check the sampling time, the dose times and amounts, and the unit of the level',
        fr: {
          message: `la concentration ${shownFr(r.dv)} à t = ${shownFr(r.time)} est loin de la valeur ajustée ${shownFr(fitted)} (${beyondRatio ? `${fold(ratio, 'fr')}, au-delà d’un facteur ${IMPLAUSIBLE_RATIO}` : `> ${IMPLAUSIBLE_SDS} écarts-types résiduels`}) : vérifier l’heure du prélèvement et l’historique des doses`,
          hint: 'vérifier l’heure du prélèvement, les heures et les quantités des doses, et l’unité de la concentration',
        },
      });
    }
    const pop = typical[r.record];
    const slip = [
      ['typical', pop],
      ['fitted', r.ipred],
    ].find(([, p]) => {
      const x = r.dv / (p as number);
      return (p as number) > 0 && (x >= UNIT_SLIP_RATIO || x <= 1 / UNIT_SLIP_RATIO);
    });
    if (slip) {
      const [which, p] = slip as [string, number];
      const x = r.dv / p;
      const times = x >= 1 ? `${sig(x)} times` : `1/${sig(1 / x)} of`;
      const fois = x >= 1 ? `${sigFr(x)} fois` : `1/${sigFr(1 / x)} de`;
      warnings.push({
        code: 'DT_LEVEL_UNIT_SLIP',
        severity: 'warning',
        field: where,
        message: `the level ${shown(r.dv)} at t = ${shown(r.time)} is ${times} the ${which === 'typical' ? "typical patient's" : 'fitted'} prediction ${sig(p)}: a unit slip (ng/mL read as mg/L, doses in mg read as µg)?`,
        hint: 'check the units of the levels and of the doses against the laboratory report and the prescription',
        fr: {
          message: `la concentration ${shownFr(r.dv)} à t = ${shownFr(r.time)} vaut ${fois} la prédiction ${which === 'typical' ? 'du patient typique' : 'ajustée'} ${sigFr(p)} : erreur d’unité (ng/mL lus comme mg/L, doses en mg lues comme µg) ?`,
          hint: 'vérifier l’unité des concentrations et des doses sur le compte rendu du laboratoire et la prescription',
        },
      });
    }
  }
  // Etas far in the prior's tails: the fit bends the patient to absorb something else.
  ir.etas.forEach((eta, k) => {
    const w = ir.omega[k]?.[k] ?? 0;
    const v = fit.eta[k];
    if (!(w > 0) || !Number.isFinite(v)) return;
    const z = v / Math.sqrt(w);
    if (Math.abs(z) <= EXTREME_ETA_SDS) return;
    warnings.push({
      code: 'DT_ETA_EXTREME',
      severity: 'warning',
      field: `fit.${eta.name}`,
      message: `${eta.name} = ${sig(v)} is ${sig(Math.abs(z))} SDs from the population (ω = ${sig(Math.sqrt(w))}), beyond ${EXTREME_ETA_SDS}: the fit may be absorbing a dose or level in the wrong unit or at the wrong time`,
      hint: 'check the units and times of the doses and levels; a patient this unlike the model’s population calls for another model',
      fr: {
        message: `${eta.name} = ${sigFr(v)} est à ${sigFr(Math.abs(z))} écarts-types de la population (ω = ${sigFr(Math.sqrt(w))}), au-delà de ${EXTREME_ETA_SDS} : l’ajustement compense peut-être une dose ou une concentration dans une mauvaise unité ou à une mauvaise heure`,
        hint: 'vérifier les unités et les heures des doses et des concentrations ; un patient aussi éloigné de la population du modèle appelle un autre modèle',
      },
    });
  });
  return warnings;
}
