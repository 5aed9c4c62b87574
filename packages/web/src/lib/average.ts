/**
 * Model averaging over the library's models of the same drug (Uster DW et al., Clin Pharmacol
 * Ther 2021;109:175-183, "model averaging"): each model is fitted to the same records, and weighted
 * by its marginal likelihood under the Laplace approximation, w_i ∝ exp(−OBJ_i / 2) with equal prior
 * weights, where OBJ_i is NONMEM's per-patient objective (MAP objective + ln|Ω| − ln|ETC|), put on
 * a common concentration unit (mg/L: +2·n·ln c for a model whose unit is c mg/L) so that densities
 * of the same data compare. A model whose covariates cannot be resolved from the record is listed
 * with its reason and no weight.
 */
import { convert, DosetwinError } from '@dosetwin/engine';
import { modelsForDrug } from '@dosetwin/models';
import { buildTwin, regimenMetrics, type Regimen, type Twin, type TwinInputs } from './twin.ts';
import type { AverageRow } from './worker-protocol.ts';

/** Weights from OBJ values (null = not fitted): softmax of −OBJ/2, stable. */
export function likelihoodWeights(objs: (number | null)[]): (number | null)[] {
  const finite = objs.filter((o): o is number => o !== null && Number.isFinite(o));
  if (!finite.length) return objs.map(() => null);
  const best = Math.min(...finite);
  const raw = objs.map((o) => (o !== null && Number.isFinite(o) ? Math.exp(-(o - best) / 2) : null));
  const sum = raw.reduce<number>((a, b) => a + (b ?? 0), 0);
  return raw.map((w) => (w === null ? null : w / sum));
}

export function averageModels(inputs: TwinInputs, current: Twin, regimen: Regimen): AverageRow[] {
  const rows: AverageRow[] = [];
  const objs: (number | null)[] = [];
  for (const m of modelsForDrug(current.ir.drug)) {
    try {
      const tw =
        m.id === current.ir.id
          ? current
          : buildTwin({ ...inputs, modelId: m.id, targets: [] }, { samples: 0 });
      if (!tw.fit) throw new Error('no level to fit: a priori, no weight');
      const c = convert(1, tw.ir.units.conc, 'mg/L', 'units.conc');
      objs.push(tw.fit.obj + 2 * tw.fit.nObs * Math.log(c));
      const r = { ...regimen, doseUnit: regimen.doseUnit };
      rows.push({
        modelId: m.id,
        objective: tw.fit.obj,
        weight: null,
        metrics: regimenMetrics(tw, r).metrics.map((x) => ({ target: x.target, value: x.value, met: x.met })),
      });
    } catch (e) {
      objs.push(null);
      rows.push({
        modelId: m.id,
        objective: null,
        weight: null,
        metrics: [],
        error:
          e instanceof DosetwinError
            ? e.issues.map((i) => i.message).join('; ')
            : String((e as Error).message ?? e),
      });
    }
  }
  const w = likelihoodWeights(objs);
  rows.forEach((r, k) => (r.weight = w[k]));
  return rows;
}
