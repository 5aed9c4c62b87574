/**
 * Bias audit of a model on a hospital's own TDM data: how well the model, through the patient's
 * twin, forecasts each patient's next level from the earlier ones, overall and by subgroup (sex,
 * age band, renal function class, weight band, genotype, ward, or any column of the data). A model
 * published elsewhere can be biased against patients unlike its population; a forecast after
 * Bayesian feedback is what the service actually gives, so that is what is measured.
 *
 * Each level with at least `minEarlier` levels before it is forecast from those levels alone (the
 * later ones hidden, the doses kept): the first level a priori (the typical patient: what the first
 * doses were chosen with), each later one by the MAP fit of the earlier ones. The a priori forecast
 * is in by default because Bayesian feedback absorbs part of a misspecified clearance: on
 * hospitals simulated with 1.5 times Thomson 2009's clearance in one renal class (16 patients per
 * class, 5 seeds), the class's median rPE moved by 8-27 % a priori but by 8-16 % after one or two
 * troughs.
 *
 * The prediction error is relative to the level, rPE = (predicted − observed) / observed (Sheiner
 * & Beal, J Pharmacokinet Biopharm 1981;9:503-12: bias and imprecision). The bias is the median
 * rPE: the mean divides by the noisy observed level and so leans upward (Jensen; +26 % on 48
 * patients simulated from Thomson 2009 itself), and the geometric mean too when the additive error
 * is large against the level (up to +30 % in subgroups with Goti 2018's 3.4 mg/L on troughs), while the median
 * of a monotone function of a symmetric residual is unmoved. Its 95 % interval is a percentile
 * bootstrap over patients (a patient's forecasts are not independent; seeded, 1000 resamples).
 * The imprecision is the root mean square rPE, and the median absolute rPE, which its tail does not sway. A group is flagged when its bias is beyond
 * ±threshold (10 %) and its interval excludes 0: with tens of patients per group the point
 * estimate alone would flag noise. A subgroup is flagged only when, besides, its bias stands apart
 * from the other patients' (the bootstrap interval of the difference excludes 0): a model biased
 * for everyone is flagged on the overall row, and a subgroup's bias leaking into the groups that
 * hold its patients does not flag them.
 */
import {
  type CompiledModel,
  convert,
  createTwin,
  DosetwinError,
  errorsByPatient,
  type Issue,
  type MapOptions,
  type PatientData,
  median,
  splitCsv,
  subgroupBias,
} from '@dosetwin/engine';
import type { Bilingual } from './covariate-register.ts';
import { splitHeader } from './drug-data.ts';

/** One value of a column of the data for a patient (its first non-empty one). */
export interface AttributeValue {
  value: string;
  /** The column's unit, from the header (`AGE (y)`), or null. */
  unit: string | null;
  /** Source line (1-based, header = 1). */
  line: number;
}

/** A patient of the audit: its records in the model's units and its data columns, by name. */
export interface AuditPatient {
  data: PatientData;
  attributes: Readonly<Record<string, AttributeValue>>;
}

/** One level forecast from the levels before it. */
export interface LevelForecast {
  id: string;
  /** Source line of the level. */
  line: number;
  time: number;
  /** Number of earlier levels the forecast used. */
  earlier: number;
  observed: number;
  predicted: number;
  /** (predicted − observed) / observed. */
  rpe: number;
}

/** The statistics of one group of patients. */
export interface GroupStats {
  /** The subgroup dimension (`crcl`), or `all`. */
  by: string;
  /** The group's label (`30-59 mL/min`), or `all`. */
  group: string;
  patients: number;
  forecasts: number;
  /** Median rPE over the forecasts. */
  bias: number;
  /** 95 % percentile bootstrap interval of the bias over patients; null under 3 patients. */
  ci: [number, number] | null;
  /** Mean rPE (leans upward with noisy levels: see the module's note). */
  mean: number;
  /** Root mean square of the forecasts' rPE. */
  rmse: number;
  /** Median absolute rPE: the imprecision the tails of rPE (a low observed level) do not sway. */
  medianAbs: number;
  flagged: boolean;
}

export interface BiasAudit {
  model: string;
  threshold: number;
  minEarlier: number;
  overall: GroupStats;
  groups: GroupStats[];
  /** Every forecast, for plots and checks. */
  forecasts: LevelForecast[];
  /** Patients with no level to forecast (fewer than minEarlier + 1 levels). */
  skipped: string[];
}

export interface BiasAuditOptions {
  /** Subgroup dimensions (see {@link AUDIT_DIMENSIONS}) or column names; default: those the data hold. */
  by?: readonly string[];
  /** Bias flagged beyond ± this fraction (default 0.1). */
  threshold?: number;
  /** Levels needed before a forecast (default 0: every level, the first a priori; 1: the levels after the first). */
  minEarlier?: number;
  /** Seed of the bootstrap intervals (default 1). */
  seed?: number;
  map?: MapOptions;
}

/** A subgroup dimension: which columns hold it and how values are grouped. */
export interface AuditDimension {
  key: string;
  label: Bilingual;
  /** Columns (or model covariates) read, the first present wins. */
  columns: readonly string[];
  /** Unit of the bands (numbers are converted to it when the header states another). */
  unit?: string;
  /** Upper bounds of the bands (exclusive), the last band open. */
  bands?: readonly number[];
  /** The codes of a coded column; any other value is an error. */
  codes?: Readonly<Record<string, string>>;
}

export const AUDIT_DIMENSIONS: readonly AuditDimension[] = [
  { key: 'sex', label: { en: 'sex', fr: 'sexe' }, columns: ['SEX'], codes: { '0': 'male', '1': 'female' } },
  {
    key: 'age',
    label: { en: 'age band', fr: 'tranche d’âge' },
    columns: ['AGE'],
    unit: 'y',
    bands: [18, 40, 65, 80],
  },
  // KDIGO's GFR categories G1-2 / G3a-b / G4 / G5 merged at the thresholds dosing tables use.
  {
    key: 'crcl',
    label: { en: 'renal function class', fr: 'classe de fonction rénale' },
    columns: ['CRCL', 'CLCR'],
    unit: 'mL/min',
    bands: [30, 60, 90],
  },
  {
    key: 'weight',
    label: { en: 'weight band', fr: 'tranche de poids' },
    columns: ['WT', 'WEIGHT'],
    unit: 'kg',
    bands: [50, 70, 90, 110],
  },
  {
    key: 'genotype',
    label: { en: 'genotype', fr: 'génotype' },
    columns: ['GENOTYPE', 'CYP3A5', 'CYP2C9', 'CYP2C19', 'VKORC1', 'CYP3A4'],
  },
  { key: 'ward', label: { en: 'ward', fr: 'service' }, columns: ['WARD'] },
];

const auditError = (code: Issue['code'], field: string, message: string, fr: string): DosetwinError =>
  new DosetwinError([{ code, severity: 'error', field, message, fr: { message: fr } }]);

/**
 * The columns of a data file for each patient: the first non-empty value of each column (a
 * covariate constant over the stay; a changing one is grouped by its first value).
 */
export function patientAttributes(
  text: string,
  file = 'data.csv',
): Map<string, Record<string, AttributeValue>> {
  const lines = text.split(/\r?\n/);
  const h = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  if (h < 0)
    throw auditError(
      'DT_BIAS_AUDIT_DATA',
      'header',
      `${file}: the data file is empty`,
      `${file} : le fichier de données est vide`,
    );
  const cols = splitCsv(lines[h]).map((c) => splitHeader(c.trim()));
  const idCol = cols.findIndex((c) => c.name.toUpperCase() === 'ID');
  if (idCol < 0)
    throw auditError(
      'DT_BIAS_AUDIT_DATA',
      'header.ID',
      `${file}: no ID column`,
      `${file} : pas de colonne ID`,
    );
  const out = new Map<string, Record<string, AttributeValue>>();
  for (let i = h + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '' || l.startsWith('#')) continue;
    const cells = splitCsv(l);
    const id = cells[idCol]?.trim() ?? '';
    let row = out.get(id);
    if (!row) out.set(id, (row = {}));
    cols.forEach((c, k) => {
      const v = cells[k]?.trim() ?? '';
      const name = c.name.toUpperCase();
      if (v === '' || v === '.' || name in row) return;
      row[name] = { value: v, unit: c.unit, line: i + 1 };
    });
  }
  return out;
}

/** The dimension named `key`, or a column read as categories. */
function dimensionOf(key: string): AuditDimension {
  const known = AUDIT_DIMENSIONS.find((d) => d.key === key.toLowerCase());
  return known ?? { key, label: { en: key, fr: key }, columns: [key.toUpperCase()] };
}

const fmt = (x: number): string => String(Number(x.toPrecision(4)));

function bandLabel(bands: readonly number[], unit: string, v: number): string {
  const k = bands.findIndex((b) => v < b);
  if (k === 0) return `<${bands[0]} ${unit}`;
  if (k < 0) return `>=${bands[bands.length - 1]} ${unit}`;
  return `${bands[k - 1]}-${bands[k]} ${unit}`;
}

/** A patient's group in one dimension, or null when the patient has no value for it. */
function groupOf(dim: AuditDimension, model: CompiledModel, p: AuditPatient, field: string): string | null {
  const col = dim.columns.find((c) => p.attributes[c]);
  let value: number | string | null = null;
  let unit: string | null = null;
  let where = field;
  let column = col ?? '';
  if (col) {
    const a = p.attributes[col];
    value = a.value;
    unit = a.unit;
    where = `data[line ${a.line}].${col}`;
  } else {
    // A model covariate the data did not hold as such (CrCL derived from creatinine).
    const k = model.ir.covariates.findIndex((c) => dim.columns.includes(c.name));
    if (k < 0) return null;
    const v = p.data.cov[k];
    if (!Number.isFinite(v)) return null;
    value = v;
    unit = model.ir.covariates[k].unit;
    column = model.ir.covariates[k].name;
  }
  if (dim.codes) {
    const label = dim.codes[String(value)];
    if (!label)
      throw auditError(
        'DT_BIAS_AUDIT_SUBGROUP',
        where,
        `patient ${p.data.id}: ${column} = ${value} is not one of the codes ${Object.entries(dim.codes)
          .map(([c, l]) => `${c} = ${l}`)
          .join(', ')}`,
        `patient ${p.data.id} : ${column} = ${value} n’est pas l’un des codes ${Object.entries(dim.codes)
          .map(([c, l]) => `${c} = ${l}`)
          .join(', ')}`,
      );
    return label;
  }
  if (dim.bands && dim.unit) {
    const x = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(x))
      throw auditError(
        'DT_BIAS_AUDIT_SUBGROUP',
        where,
        `patient ${p.data.id}: ${column} = '${value}' is not a number`,
        `patient ${p.data.id} : ${column} = '${value}' n’est pas un nombre`,
      );
    // Without a unit in the header the column is in the band's unit (the register's canonical one).
    const v = unit && unit !== '-' && unit !== dim.unit ? convert(x, unit, dim.unit, where) : x;
    return bandLabel(dim.bands, dim.unit, v);
  }
  return dim.key === 'genotype' ? `${column}=${value}` : String(value);
}

const isLevel = (p: PatientData, i: number): boolean =>
  p.evid[i] === 0 && p.mdv[i] === 0 && Number.isFinite(p.dv[i]) && p.cens?.[i] !== 1;

/**
 * Each level of a patient with at least `minEarlier` levels before it, forecast by the twin fitted
 * to those levels alone (the doses and later records kept, the later levels hidden).
 */
export function nextLevelForecasts(
  model: CompiledModel,
  p: PatientData,
  o: { minEarlier?: number; map?: MapOptions } = {},
): LevelForecast[] {
  const minEarlier = o.minEarlier ?? 1;
  const levels: number[] = [];
  for (let i = 0; i < p.n; i++) if (isLevel(p, i)) levels.push(i);
  const out: LevelForecast[] = [];
  const pred = new Float64Array(p.n);
  for (let k = minEarlier; k < levels.length; k++) {
    const r = levels[k];
    if (!(p.dv[r] > 0)) continue;
    // Every observation from this one on hidden: a censored earlier level still informs the fit.
    const mdv = Int8Array.from(p.mdv);
    const dv = Float64Array.from(p.dv);
    for (let i = r; i < p.n; i++)
      if (p.evid[i] === 0) {
        mdv[i] = 1;
        dv[i] = NaN;
      }
    const twin = createTwin(model, { ...p, mdv, dv }, { samples: 0, map: o.map });
    twin.sim.run(p, twin.point, pred, undefined, r + 1);
    out.push({
      id: p.id,
      line: p.line[r],
      time: p.time[r],
      earlier: k,
      observed: p.dv[r],
      predicted: pred[r],
      rpe: (pred[r] - p.dv[r]) / p.dv[r],
    });
  }
  return out;
}

const byPatient = (fs: readonly LevelForecast[]): number[][] =>
  errorsByPatient(
    fs.map((f) => f.id),
    fs.map((f) => f.rpe),
  );

/**
 * The statistics of a group of forecasts, resampled by patient for the intervals (seeded). With
 * `rest` (the other patients' forecasts), the group is flagged only when its bias also stands
 * apart from theirs: a strong bias in one subgroup leaks into every group holding its patients
 * (a quarter of the women are also the mis-modelled renal class), and those are not flagged. The
 * bias, its interval and the flag are the engine's `subgroupBias`, the rule the ML estimators'
 * reports apply too.
 */
export function groupStats(
  by: string,
  group: string,
  fs: readonly LevelForecast[],
  threshold: number,
  o: { seed?: number; rest?: readonly LevelForecast[] } = {},
): GroupStats {
  const all = fs.map((f) => f.rpe);
  const { patients, bias, ci, flagged } = subgroupBias(byPatient(fs), threshold, {
    seed: o.seed,
    rest: o.rest && o.rest.length ? byPatient(o.rest) : undefined,
  });
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const rmse = Math.sqrt(all.reduce((a, x) => a + x * x, 0) / all.length);
  const medianAbs = median(all.map(Math.abs));
  return { by, group, patients, forecasts: fs.length, bias, ci, mean, rmse, medianAbs, flagged };
}

/** The audit of one model on a hospital's patients: overall and by subgroup. */
export function biasAudit(
  model: CompiledModel,
  patients: readonly AuditPatient[],
  o: BiasAuditOptions = {},
): BiasAudit {
  const threshold = o.threshold ?? 0.1;
  const minEarlier = o.minEarlier ?? 0;
  if (!(threshold > 0 && threshold < 10))
    throw auditError(
      'DT_BIAS_AUDIT_OPTION',
      'threshold',
      `threshold ${threshold} is not a fraction in (0, 10)`,
      `le seuil ${threshold} n’est pas une fraction dans ]0, 10[`,
    );
  if (!(Number.isInteger(minEarlier) && minEarlier >= 0))
    throw auditError(
      'DT_BIAS_AUDIT_OPTION',
      'minEarlier',
      `minEarlier ${minEarlier} is not a whole number ≥ 0`,
      `minEarlier ${minEarlier} n’est pas un entier ≥ 0`,
    );
  const dims = (o.by ?? defaultDimensions(model, patients)).map(dimensionOf);
  dims.forEach((d, k) => {
    const present =
      patients.some((p) => d.columns.some((c) => p.attributes[c])) ||
      model.ir.covariates.some((c) => d.columns.includes(c.name));
    if (!present)
      throw auditError(
        'DT_BIAS_AUDIT_SUBGROUP',
        `by[${k}]`,
        `no column ${d.columns.join(' or ')} in the data, nor such a covariate in the model, for the subgroup '${d.key}'`,
        `pas de colonne ${d.columns.join(' ni ')} dans les données, ni de covariable de ce nom dans le modèle, pour le sous-groupe « ${d.key} »`,
      );
  });
  const forecasts: LevelForecast[] = [];
  const skipped: string[] = [];
  const groups = new Map<string, LevelForecast[]>();
  const keyOf = (d: string, g: string): string => `${d}\u0000${g}`;
  for (const p of patients) {
    const fs = nextLevelForecasts(model, p.data, { minEarlier, map: o.map });
    if (!fs.length) {
      skipped.push(p.data.id);
      continue;
    }
    forecasts.push(...fs);
    dims.forEach((d, k) => {
      const g = groupOf(d, model, p, `by[${k}]`);
      if (g === null) return;
      const key = keyOf(d.key, g);
      const l = groups.get(key);
      if (l) l.push(...fs);
      else groups.set(key, [...fs]);
    });
  }
  if (!forecasts.length)
    throw auditError(
      'DT_BIAS_AUDIT_DATA',
      'data',
      `no patient has ${minEarlier + 1} levels or more: nothing to forecast`,
      `aucun patient n’a ${minEarlier + 1} concentrations ou plus : rien à prévoir`,
    );
  const order = new Map(dims.map((d, i) => [d.key, i]));
  const stats = [...groups.entries()]
    .map(([key, fs]) => {
      const [d, g] = key.split('\u0000');
      const ids = new Set(fs.map((f) => f.id));
      const rest = forecasts.filter((f) => !ids.has(f.id));
      return groupStats(d, g, fs, threshold, { seed: o.seed, rest });
    })
    .sort(
      (a, b) =>
        order.get(a.by)! - order.get(b.by)! || a.group.localeCompare(b.group, 'en', { numeric: true }),
    );
  return {
    model: model.ir.id,
    threshold,
    minEarlier,
    overall: groupStats('all', 'all', forecasts, threshold, { seed: o.seed }),
    groups: stats,
    forecasts,
    skipped,
  };
}

/** The dimensions the data or the model hold. */
function defaultDimensions(model: CompiledModel, patients: readonly AuditPatient[]): string[] {
  return AUDIT_DIMENSIONS.filter(
    (d) =>
      patients.some((p) => d.columns.some((c) => p.attributes[c])) ||
      model.ir.covariates.some((c) => d.columns.includes(c.name)),
  ).map((d) => d.key);
}

/** The audit as a text table (rPE in %). */
export function formatBiasAudit(a: BiasAudit): string {
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${fmt(100 * x)}%`;
  const rows = [a.overall, ...a.groups].map((g) => [
    g.by,
    g.group,
    String(g.patients),
    String(g.forecasts),
    pct(g.bias),
    g.ci ? `${pct(g.ci[0])} to ${pct(g.ci[1])}` : '-',
    pct(g.mean),
    `${fmt(100 * g.medianAbs)}%`,
    `${fmt(100 * g.rmse)}%`,
    g.flagged ? 'FLAGGED' : '',
  ]);
  const head = [
    'subgroup',
    'group',
    'patients',
    'forecasts',
    'bias',
    '95% CI',
    'mean',
    'median |rPE|',
    'RMSE',
    '',
  ];
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]): string =>
    r
      .map((c, k) => c.padEnd(w[k]))
      .join('  ')
      .trimEnd();
  return [
    `bias audit of ${a.model}: each level forecast from the ${a.minEarlier === 0 ? 'earlier ones (the first a priori)' : `earlier ones (at least ${a.minEarlier})`}; rPE = (predicted - observed) / observed; bias = median rPE, 95% CI by bootstrap over patients; mean, median absolute and RMSE of rPE; flagged: |bias| > ${fmt(100 * a.threshold)}%, the CI excludes 0 and (subgroups) the bias differs from the other patients'`,
    line(head),
    ...rows.map(line),
    ...(a.skipped.length
      ? [`patients with no level to forecast: ${a.skipped.length} (${a.skipped.join(', ')})`]
      : []),
  ].join('\n');
}
