/**
 * Features of an exposure estimator, as in the Limoges work (Woillard et al.): the measured
 * concentrations, their successive differences, the deviations of the actual from the nominal
 * sampling times, the dose, and covariates. Each feature has a name, a unit and a description;
 * the list is stored in the estimator so a scorer cannot feed them in another order or unit.
 *
 * The baseline linear model works on the log scale, where AUC ≈ dose·f(covariates)·∏ C^b:
 * ln C_j (concentrations floored at the design's LLOQ, and at 1e-9 of the unit), ln dose, the
 * time deviations and the covariates; target ln AUC. The trees then fit what the linear model
 * leaves (its prediction is their base margin).
 */
export interface FeatureDef {
  name: string;
  unit: string;
  description: string;
}

export interface FeatureContext {
  timesH: readonly number[];
  concUnit: string;
  doseUnit: string;
  covariates: readonly { name: string; unit: string; label: string }[];
}

/** One estimator input in the estimator's own units. */
export interface FeatureInput {
  /** Concentrations at the design's sampling times, in order. */
  conc: ArrayLike<number>;
  /** Actual sampling times after the dose, h. */
  timesH: ArrayLike<number>;
  dose: number;
  /** Covariates in the estimator's order. */
  covariates: ArrayLike<number>;
}

const tName = (t: number): string => `${t}h`;

export function treeFeatures(c: FeatureContext): FeatureDef[] {
  const f: FeatureDef[] = [];
  const T = c.timesH;
  for (const t of T)
    f.push({
      name: `C_${tName(t)}`,
      unit: c.concUnit,
      description: `concentration sampled at nominal ${t} h after the dose`,
    });
  for (let j = 1; j < T.length; j++)
    f.push({
      name: `D_${tName(T[j])}-${tName(T[j - 1])}`,
      unit: c.concUnit,
      description: `C at ${T[j]} h minus C at ${T[j - 1]} h`,
    });
  for (const t of T)
    f.push({
      name: `dt_${tName(t)}`,
      unit: 'h',
      description: `actual minus nominal sampling time of the ${t} h sample`,
    });
  f.push({ name: 'DOSE', unit: c.doseUnit, description: 'dose of the sampled interval' });
  for (const v of c.covariates) f.push({ name: v.name, unit: v.unit, description: v.label });
  return f;
}

export function baselineFeatures(c: FeatureContext): FeatureDef[] {
  const f: FeatureDef[] = [];
  for (const t of c.timesH)
    f.push({
      name: `lnC_${tName(t)}`,
      unit: `ln(${c.concUnit})`,
      description: `ln of the concentration at nominal ${t} h`,
    });
  for (const t of c.timesH)
    f.push({
      name: `dt_${tName(t)}`,
      unit: 'h',
      description: `actual minus nominal sampling time of the ${t} h sample`,
    });
  f.push({ name: 'lnDOSE', unit: `ln(${c.doseUnit})`, description: 'ln of the dose' });
  for (const v of c.covariates) f.push({ name: v.name, unit: v.unit, description: v.label });
  return f;
}

/** Tree features of one input into out[at..]. */
export function treeRow(T: readonly number[], x: FeatureInput, out: Float64Array, at: number): void {
  let k = at;
  const k0 = T.length;
  for (let j = 0; j < k0; j++) out[k++] = x.conc[j];
  for (let j = 1; j < k0; j++) out[k++] = x.conc[j] - x.conc[j - 1];
  for (let j = 0; j < k0; j++) out[k++] = x.timesH[j] - T[j];
  out[k++] = x.dose;
  for (let j = 0; j < x.covariates.length; j++) out[k++] = x.covariates[j];
}

/** Baseline (log-scale linear) features of one input into out[at..]. */
export function baselineRow(
  T: readonly number[],
  floor: number,
  x: FeatureInput,
  out: Float64Array,
  at: number,
): void {
  let k = at;
  const lo = Math.max(floor, 1e-9);
  for (let j = 0; j < T.length; j++) out[k++] = Math.log(Math.max(x.conc[j], lo));
  for (let j = 0; j < T.length; j++) out[k++] = x.timesH[j] - T[j];
  out[k++] = Math.log(x.dose);
  for (let j = 0; j < x.covariates.length; j++) out[k++] = x.covariates[j];
}
