import { convert, isKnownUnit, type ModelIR } from '@dosetwin/engine';

/**
 * The `products` block, read as data:
 *
 *     products
 *       capsule   0.5, 1, 5 mg          Prograf (Astellas), EU SmPC
 *       vial      500, 1000 mg          powder for infusion
 *       infusion  1..4 h                duration
 *       interval  12 h
 *       usual     0.1 mg/kg every 12 h  starting dose, EU SmPC
 *
 * Each line: a form (free word) or one of `interval`, `infusion`, `usual`; then values (a comma
 * list or a range lo..hi) and their unit; then a note. `usual` is the labelled usual dose with its
 * interval (`every N h`), in mg or mg/kg, used by the library's sanity test.
 */
export interface ProductLine {
  form: string;
  values: number[];
  /** For ranges: [lo, hi]; else null. */
  range: [number, number] | null;
  unit: string;
  note: string;
  /** `usual` lines: the interval in hours. */
  everyH: number | null;
  text: string;
}

const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseProducts(lines: readonly string[]): { products: ProductLine[]; problems: string[] } {
  const products: ProductLine[] = [];
  const problems: string[] = [];
  for (const line of lines) {
    const toks = line.trim().split(/\s+/);
    const form = toks[0];
    let i = 1;
    const values: number[] = [];
    let range: [number, number] | null = null;
    const r = /^(.+)\.\.(.+)$/.exec(toks[1] ?? '');
    if (r && NUM_RE.test(r[1]) && NUM_RE.test(r[2])) {
      range = [Number(r[1]), Number(r[2])];
      values.push(range[0], range[1]);
      i = 2;
    } else
      for (; i < toks.length; i++) {
        const t = toks[i].replace(/,$/, '');
        if (!NUM_RE.test(t)) break;
        values.push(Number(t));
      }
    const unit = toks[i++];
    if (!values.length || !unit || NUM_RE.test(unit)) {
      problems.push(`products: 'FORM values unit [note]' (values: 1, 2, 5 or lo..hi): '${line}'`);
      continue;
    }
    let everyH: number | null = null;
    if (toks[i] === 'every' && NUM_RE.test(toks[i + 1] ?? '') && toks[i + 2] === 'h') {
      everyH = Number(toks[i + 1]);
      i += 3;
    }
    if (form === 'usual' && everyH === null) {
      problems.push(`products: 'usual DOSE mg|mg/kg every N h [note]': '${line}'`);
      continue;
    }
    products.push({ form, values, range, unit, note: toks.slice(i).join(' '), everyH, text: line });
  }
  return { products, problems };
}

/** The regimen space a library model's products allow, in the model's units. */
export interface ProductSpace {
  /** Unit strengths (model dose unit), in the order of the products block. */
  strengths: number[];
  /** Dosing intervals (model time unit): the `interval` line, else 12 and 24 h. */
  intervals: number[];
  /**
   * Infusion durations (model time unit): [0] for a model dosing into a depot; else the
   * `infusion` line's shortest and longest (a single value once), else 1 h.
   */
  durations: number[];
}

/**
 * The regimen space of product lines (a model's `products` block, or the lines a model is used
 * with, see `modelPolicy`): every strength of a line in a known unit (not `interval`, `infusion`,
 * `usual`), converted to the model's dose unit; the intervals and infusion durations converted to
 * its time unit.
 */
export function spaceOfProducts(ir: ModelIR, products: readonly ProductLine[]): ProductSpace {
  const toTime = (v: number, unit: string): number => convert(v, unit, ir.units.time);
  const intervalLine = products.find((p) => p.form === 'interval');
  const intervals = intervalLine
    ? intervalLine.values.map((v) => toTime(v, intervalLine.unit))
    : [12, 24].map((v) => toTime(v, 'h'));
  const infusion = products.find((p) => p.form === 'infusion');
  const durations = ir.compartments.includes('depot')
    ? [0]
    : infusion
      ? [...new Set([infusion.values[0], infusion.range ? infusion.range[1] : infusion.values[0]])].map((v) =>
          toTime(v, infusion.unit),
        )
      : [toTime(1, 'h')];
  const strengths: number[] = [];
  for (const p of products)
    if (!['interval', 'infusion', 'usual'].includes(p.form) && isKnownUnit(p.unit))
      for (const v of p.values) strengths.push(convert(v, p.unit, ir.units.dose));
  return { strengths, intervals, durations };
}
