/**
 * What a library model is used with: the targets and the regimen space (strengths, intervals,
 * infusion durations) of its drug file, with the model's explicit overrides. A model file keeps
 * what its paper says; a `targets` or `products` block left in it overrides the drug file, and the
 * file says why. Every consumer (recommendation, analysis, twin, card, sanity checks) reads this
 * one accessor, so a target or a product is stated once.
 */
import { convert, DosetwinError, findMetric, type ModelIR } from '@dosetwin/engine';
import type { DrugTarget, Formulation } from './drug.ts';
import { modelUse } from './drugs.ts';
import { productLimits, type ProductLimits } from './limits.ts';
import { type ProductLine, type ProductSpace, spaceOfProducts } from './products.ts';
import type { LibraryModel } from './registry.ts';

/** Where a target or a product line comes from: the drug file, or the model file's override. */
export type PolicySource = 'drug' | 'model';

export interface PolicyTarget {
  /** In the engine's target syntax: `auc24=400..600 mg*h/L`. */
  text: string;
  /** The metric as written (`auc24`, `trough`), its bounds (null = open) and unit (`-` if none). */
  metric: string;
  lo: number | null;
  hi: number | null;
  unit: string;
  /** The guideline, consensus or study it comes from. */
  citation: string;
  /** Who it applies to. */
  population: string;
  /** What else its source says ('' if nothing). */
  note: string;
  source: PolicySource;
}

export interface PolicyProduct {
  /** The line in the products-block syntax (`vial 500, 1000 mg ...`), as productSpace reads it. */
  line: ProductLine;
  source: PolicySource;
  /** The drug file's formulation ids the line comes from ([] for a model's line). */
  formulations: string[];
}

export interface ModelPolicy {
  /** The drug file's drug, or null for a model no drug file lists (a model file from elsewhere). */
  drug: string | null;
  /** In priority order (1 = first). */
  targets: PolicyTarget[];
  /** The drug file's formulations this model applies to, in the order their strengths are offered. */
  formulations: Formulation[];
  /** The model describes these formulations only (the patient's formulation selects the model). */
  formulationSpecific: boolean;
  /** Strength lines, then the interval, infusion and usual-dose lines. */
  products: PolicyProduct[];
  /** The regimen space of `products`, in the model's units. */
  space: ProductSpace;
  /** The route the regimen search proposes: oral for a model dosing into a depot, else infusion. */
  route: 'oral' | 'infusion';
  /**
   * The limits of administration of the formulations given by that route (maximum single, daily
   * and loading dose, infusion rate and durations), from the drug file; [] for a model no drug file
   * lists. The search never proposes a regimen beyond them.
   */
  limits: ProductLimits[];
}

/** What the policy needs of a model: its IR (id, units, compartments, targets) and its products block. */
export type PolicyModel = Pick<LibraryModel, 'ir' | 'products'>;

const SPECIAL = ['interval', 'infusion', 'usual'];
type Kind = 'strength' | 'interval' | 'infusion' | 'usual';
const kindOf = (p: ProductLine): Kind => (SPECIAL.includes(p.form) ? (p.form as Kind) : 'strength');

const NUM = '[-+]?(?:\\d+(?:\\.(?!\\.)\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?';
const TARGET_RE = new RegExp(
  `^\\s*([a-z0-9_]+)\\s*(=|>=|<=)\\s*(${NUM})?(?:\\.\\.(${NUM})?)?\\s*(.*?)\\s*$`,
  'i',
);

/**
 * Metric, bounds and unit of a target text (`auc24=400..600 mg*h/L`, `trough<=2.5 mg/L`,
 * `ft_mic>=100 %`), read by the engine's grammar; the drug-file test parses every text with the
 * engine's own parseTarget too.
 */
export function readTargetText(text: string): Pick<PolicyTarget, 'metric' | 'lo' | 'hi' | 'unit'> {
  const m = TARGET_RE.exec(text);
  if (!m)
    throw new DosetwinError([
      {
        code: 'DT_TARGET',
        severity: 'error',
        field: 'target',
        message: `'${text}': not a target`,
        hint: "write e.g. 'auc24=400..600 mg*h/L', 'trough<=2.5 mg/L', 'ft_mic>=100 %'",
      },
    ]);
  const [, metric, op, a, b, unit] = m;
  const num = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));
  const lo = op === '<=' ? null : num(a);
  const hi = op === '>=' ? null : op === '<=' ? num(a) : b === undefined ? lo : num(b);
  return { metric, lo, hi, unit: unit || '-' };
}

const pad = (s: string, n: number): string => `${s} `.padEnd(n);
/** A product line in the column layout of the model files' products blocks. */
function productLine(
  form: string,
  values: number[],
  range: [number, number] | null,
  unit: string,
  note: string,
  everyH: number | null = null,
): ProductLine {
  const shown = range ? `${range[0]}..${range[1]}` : values.join(', ');
  const every = everyH === null ? '' : `every ${everyH} h  `;
  return {
    form,
    values,
    range,
    unit,
    note,
    everyH,
    text: `${pad(form, 11)}${pad(shown, 11)}${pad(unit, 9)}${every}${note}`.trimEnd(),
  };
}

/** The product lines of a model's formulations, by kind. */
function formulationLines(fs: readonly Formulation[]): Record<Kind, PolicyProduct[]> {
  const out: Record<Kind, PolicyProduct[]> = { strength: [], interval: [], infusion: [], usual: [] };
  for (const f of fs)
    out.strength.push({
      line: productLine(f.form, f.strengths.values, null, f.strengths.unit, f.description),
      source: 'drug',
      formulations: [f.id],
    });
  if (fs.length) {
    // The intervals of every formulation, in the first one's unit, in order of first appearance.
    const unit = fs[0].intervals.unit;
    const intervals = [
      ...new Set(fs.flatMap((f) => f.intervals.values.map((v) => convert(v, f.intervals.unit, unit)))),
    ];
    out.interval.push({
      line: productLine('interval', intervals, null, unit, ''),
      source: 'drug',
      formulations: fs.map((f) => f.id),
    });
  }
  const infused = fs.filter((f) => f.infusion);
  if (infused.length) {
    // The widest duration range the formulations allow, in the first one's unit.
    const unit = infused[0].infusion!.duration.unit;
    const lo = Math.min(
      ...infused.map((f) => convert(f.infusion!.duration.lo, f.infusion!.duration.unit, unit)),
    );
    const hi = Math.max(
      ...infused.map((f) => convert(f.infusion!.duration.hi, f.infusion!.duration.unit, unit)),
    );
    out.infusion.push({
      line: productLine(
        'infusion',
        [lo, hi],
        [lo, hi],
        unit,
        infused.map((f) => f.infusion!.note).join('; '),
      ),
      source: 'drug',
      formulations: infused.map((f) => f.id),
    });
  }
  const usual = fs.find((f) => f.usual);
  if (usual?.usual) {
    const u = usual.usual;
    out.usual.push({
      line: productLine(
        'usual',
        [u.dose.value],
        null,
        u.dose.unit,
        u.note,
        convert(u.every.value, u.every.unit, 'h'),
      ),
      source: 'drug',
      formulations: [usual.id],
    });
  }
  return out;
}

/**
 * A model file's own `targets` block as target text (`auc24=400..600 mg*h/L`, `trough<=15 mg/L`),
 * each metric under the engine registry's name (`c0` is written `trough`).
 */
export function modelTargetTexts(ir: ModelIR): string[] {
  return ir.targets.map((t) => {
    const metric = findMetric(t.metric)?.name ?? t.metric;
    const unit = t.unit === '-' ? '' : ` ${t.unit}`;
    if (t.lo !== null && t.hi !== null) return `${metric}=${t.lo}..${t.hi}${unit}`;
    if (t.lo !== null) return `${metric}>=${t.lo}${unit}`;
    return `${metric}<=${t.hi}${unit}`;
  });
}

/** A model's own targets as policy targets (its `targets` block). */
function ownTargets(model: PolicyModel): PolicyTarget[] {
  const texts = modelTargetTexts(model.ir);
  return model.ir.targets.map((t, k) => ({
    text: texts[k],
    ...readTargetText(texts[k]),
    citation: t.note,
    population: `the population of ${model.ir.id} (its model file)`,
    note: '',
    source: 'model',
  }));
}

const fromDrug = (t: DrugTarget): PolicyTarget => ({
  text: t.text,
  ...readTargetText(t.text),
  citation: t.citation,
  population: t.population,
  note: t.note ?? '',
  source: 'drug',
});

/**
 * Targets: the drug file's, in its order; a model target replaces every drug target of the same
 * metric (the model's targets of that metric take the place of the first one), and the model's
 * targets of other metrics follow the drug's.
 */
function mergeTargets(drug: readonly DrugTarget[], own: PolicyTarget[]): PolicyTarget[] {
  const ownMetrics = new Set(own.map((t) => t.metric));
  const out: PolicyTarget[] = [];
  const placed = new Set<string>();
  for (const d of drug.map(fromDrug)) {
    if (!ownMetrics.has(d.metric)) out.push(d);
    else if (!placed.has(d.metric)) {
      placed.add(d.metric);
      out.push(...own.filter((t) => t.metric === d.metric));
    }
  }
  out.push(...own.filter((t) => !placed.has(t.metric)));
  return out;
}

const cache = new WeakMap<PolicyModel, ModelPolicy>();

/**
 * The targets and the regimen space a library model is used with: its drug file's targets and
 * formulations, with the model's explicit overrides — a model target replaces the drug's targets
 * of its metric; a model's strength lines replace the formulations' strengths, and its `interval`,
 * `infusion` or `usual` line the formulations' one. A model no drug file lists (a model file from
 * elsewhere) is used with its own blocks only.
 */
export function modelPolicy(model: PolicyModel): ModelPolicy {
  const hit = cache.get(model);
  if (hit) return hit;
  const use = modelUse(model.ir.id);
  const own: Record<Kind, PolicyProduct[]> = { strength: [], interval: [], infusion: [], usual: [] };
  for (const line of model.products) own[kindOf(line)].push({ line, source: 'model', formulations: [] });
  const drugLines = formulationLines(use?.formulations ?? []);
  const products = (['strength', 'interval', 'infusion', 'usual'] as const).flatMap((k) =>
    own[k].length ? own[k] : drugLines[k],
  );
  // The formulations the search proposes regimens of: those given by the model's route (a vial's
  // limits do not apply to tablets); all of them if none is (a drug file to correct).
  const route = model.ir.compartments.includes('depot') ? 'oral' : 'infusion';
  const all = use?.formulations ?? [];
  const byRoute = all.filter((f) =>
    f.routes.some((r) => (route === 'oral' ? r === 'oral' : r === 'infusion' || r === 'bolus')),
  );
  const policy: ModelPolicy = {
    drug: use?.drug.drug ?? null,
    targets: mergeTargets(use?.drug.targets ?? [], ownTargets(model)),
    formulations: use?.formulations ?? [],
    formulationSpecific: use?.use.formulationSpecific ?? false,
    products,
    space: spaceOfProducts(
      model.ir,
      products.map((p) => p.line),
    ),
    route,
    limits: (byRoute.length ? byRoute : all).map(productLimits),
  };
  cache.set(model, policy);
  return policy;
}

/** The regimen space a library model is used with (its policy's), in the model's units. */
export function productSpace(model: PolicyModel): ProductSpace {
  const { strengths, intervals, durations } = modelPolicy(model).space;
  return { strengths: [...strengths], intervals: [...intervals], durations: [...durations] };
}

/** The targets a library model is used with, as target text in priority order (`auc24=400..600 mg*h/L`). */
export function defaultTargets(model: PolicyModel): string[] {
  return modelPolicy(model).targets.map((t) => t.text);
}
