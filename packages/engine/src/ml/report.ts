/**
 * Evaluation report of an exposure estimator: Markdown tables (relative bias, relative RMSE,
 * % within ±10 % / ±20 %) for each method on each test population, per subgroup, with each
 * subgroup's median relative error flagged by the bias audit's rule, and SVG plots (estimate vs
 * reference; relative error by subgroup). Strings only: the caller writes the files.
 */
import { type SubgroupBias, subgroupBiases } from '../stats/subgroup-bias.ts';
import { accuracy, type Metrics, stratify } from './metrics.ts';

export interface ReportSection {
  /** e.g. 'Held-out virtual patients (woillard2011-prograf)'. */
  title: string;
  /** File-name stem of the section's plots. */
  slug: string;
  description: string;
  reference: number[];
  methods: { name: string; estimate: number[] }[];
  /** Subgroup labels of each patient, per stratification variable; `order`: display order of the labels. */
  strata: { name: string; labels: string[]; order?: string[] }[];
}

export interface ReportInput {
  title: string;
  intro: string[];
  sections: ReportSection[];
  /** Extra Markdown (recipe, CV, timings). */
  appendix: string[];
  unit: string;
  /** Subgroup bias flagged beyond ± this fraction (default 0.1, as the bias audit of models). */
  biasThreshold?: number;
  /** Seed of the bootstrap intervals of the subgroup bias (default 1). */
  seed?: number;
}

/** The subgroups' bias of one method on one test population, for one stratification variable. */
export interface SubgroupBiasTable {
  /** The section's slug (`internal`, `external`). */
  section: string;
  stratum: string;
  method: string;
  threshold: number;
  groups: ({ group: string } & SubgroupBias)[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');

export function metricsRow(name: string, m: Metrics): string {
  return `| ${name} | ${m.n}${m.failed ? ` (+${m.failed} failed)` : ''} | ${f1(m.relBiasPct)} | ${f1(m.relRmsePct)} | ${f1(m.within10Pct)} | ${f1(m.within20Pct)} |`;
}
const HEAD =
  '| method | n | relative bias % | relative RMSE % | within ±10 % | within ±20 % |\n|---|---|---|---|---|---|';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Estimate vs reference, one colour per method (the first `maxPoints` patients), identity and ±20 % lines. */
export function scatterSvg(s: ReportSection, unit: string, maxPoints = 800): string {
  const W = 420;
  const M = 50;
  const n = Math.min(maxPoints, s.reference.length);
  const all = [...s.reference.slice(0, n), ...s.methods.flatMap((m) => m.estimate.slice(0, n))].filter((v) =>
    Number.isFinite(v),
  );
  const lo = Math.log(Math.min(...all) * 0.9);
  const hi = Math.log(Math.max(...all) * 1.1);
  const px = (v: number): number => M + ((Math.log(v) - lo) / (hi - lo)) * (W - M - 10);
  const py = (v: number): number => W - M - ((Math.log(v) - lo) / (hi - lo)) * (W - M - 10);
  const r = (x: number): string => x.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${W + 20}" viewBox="0 0 ${W} ${W + 20}" font-family="sans-serif" font-size="11">`,
    `<rect x="${M}" y="10" width="${W - M - 10}" height="${W - M - 10}" fill="none" stroke="#888"/>`,
  ];
  const a = Math.exp(lo);
  const b = Math.exp(hi);
  out.push(
    `<clipPath id="plot"><rect x="${M}" y="10" width="${W - M - 10}" height="${W - M - 10}"/></clipPath>`,
  );
  for (const [k, dash] of [
    [1, ''],
    [1.2, ' stroke-dasharray="4 3"'],
    [1 / 1.2, ' stroke-dasharray="4 3"'],
  ] as const)
    out.push(
      `<line x1="${r(px(a))}" y1="${r(py(a * k))}" x2="${r(px(b))}" y2="${r(py(b * k))}" stroke="#444"${dash} clip-path="url(#plot)"/>`,
    );
  // Log-scale ticks: 1-2-5 series within the range.
  for (let e = Math.floor(Math.log10(a)); e <= Math.ceil(Math.log10(b)); e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v < a || v > b) continue;
      out.push(`<text x="${r(px(v))}" y="${W - M + 14}" text-anchor="middle">${v}</text>`);
      out.push(`<text x="${M - 4}" y="${r(py(v) + 4)}" text-anchor="end">${v}</text>`);
    }
  out.push(
    `<text x="${(W + M) / 2}" y="${W - M + 30}" text-anchor="middle">reference AUC (${esc(unit)}, log scale)</text>`,
  );
  out.push(
    `<text x="12" y="${(W - M) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(W - M) / 2})">estimated AUC</text>`,
  );
  s.methods.forEach((m, k) => {
    for (let i = 0; i < n; i++)
      if (Number.isFinite(m.estimate[i]))
        out.push(
          `<circle cx="${r(px(s.reference[i]))}" cy="${r(py(m.estimate[i]))}" r="1.6" fill="${COLORS[k % COLORS.length]}" fill-opacity="0.45"/>`,
        );
    out.push(
      `<rect x="${M + 8}" y="${16 + 14 * k}" width="9" height="9" fill="${COLORS[k % COLORS.length]}"/><text x="${M + 21}" y="${24 + 14 * k}">${esc(m.name)}</text>`,
    );
  });
  out.push(
    `<text x="${M}" y="${W + 14}">first ${n} patients; solid: identity, dashed: ±20 %</text>`,
    '</svg>',
  );
  return out.join('\n');
}

/** Labels in the stated order, then alphabetically. */
function byOrder(order: string[] | undefined, a: string, b: string): number {
  const ia = order?.indexOf(a) ?? -1;
  const ib = order?.indexOf(b) ?? -1;
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0 || ib >= 0) return ia >= 0 ? -1 : 1;
  return a.localeCompare(b);
}

function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const i = Math.floor(h);
  return sorted[i] + (h - i) * ((sorted[Math.min(i + 1, sorted.length - 1)] ?? sorted[i]) - sorted[i]);
}

/** Relative error (%) by subgroup: box (quartiles), median line, whiskers 5–95 %, per method. */
export function groupErrorSvg(s: ReportSection): string {
  const groups: { label: string; idx: number[] }[] = [];
  for (const st of s.strata) {
    const by = new Map<string, number[]>();
    st.labels.forEach((l, i) => {
      if (!by.has(l)) by.set(l, []);
      by.get(l)!.push(i);
    });
    for (const [l, idx] of [...by.entries()].sort((x, y) => byOrder(st.order, x[0], y[0])))
      groups.push({ label: l, idx });
  }
  const nm = s.methods.length;
  const rowH = 12 * nm + 10;
  const L = 190;
  const W = 580;
  const H = 56 + rowH * groups.length;
  const lim = 50;
  const x = (e: number): number => L + ((Math.max(-lim, Math.min(lim, e)) + lim) / (2 * lim)) * (W - L - 20);
  const r = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  ];
  for (const e of [-40, -20, -10, 0, 10, 20, 40]) {
    out.push(
      `<line x1="${r(x(e))}" y1="20" x2="${r(x(e))}" y2="${H - 36}" stroke="${e === 0 ? '#444' : '#ccc'}"/>`,
      `<text x="${r(x(e))}" y="${H - 24}" text-anchor="middle">${e}</text>`,
    );
  }
  out.push(`<text x="${L}" y="12">relative error (%), box = quartiles, whiskers = 5–95 %</text>`);
  groups.forEach((g, gi) => {
    const y0 = 24 + gi * rowH;
    out.push(
      `<text x="${L - 6}" y="${y0 + rowH / 2 + 2}" text-anchor="end">${esc(g.label)} (n ${g.idx.length})</text>`,
    );
    s.methods.forEach((m, k) => {
      const errs = g.idx
        .map((i) => (100 * (m.estimate[i] - s.reference[i])) / s.reference[i])
        .filter((v) => Number.isFinite(v))
        .sort((a, b) => a - b);
      const [p5, q1, med, q3, p95] = [0.05, 0.25, 0.5, 0.75, 0.95].map((p) => quantile(errs, p));
      const y = y0 + 12 * k + 3;
      const c = COLORS[k % COLORS.length];
      out.push(
        `<line x1="${r(x(p5))}" y1="${y + 4}" x2="${r(x(p95))}" y2="${y + 4}" stroke="${c}"/>`,
        `<rect x="${r(x(q1))}" y="${y}" width="${r(Math.max(1, x(q3) - x(q1)))}" height="8" fill="${c}" fill-opacity="0.35" stroke="${c}"/>`,
        `<line x1="${r(x(med))}" y1="${y - 1}" x2="${r(x(med))}" y2="${y + 9}" stroke="${c}" stroke-width="2"/>`,
      );
    });
  });
  s.methods.forEach((m, k) =>
    out.push(
      `<rect x="${10 + 120 * k}" y="${H - 16}" width="9" height="9" fill="${COLORS[k % COLORS.length]}"/><text x="${23 + 120 * k}" y="${H - 8}">${esc(m.name)}</text>`,
    ),
  );
  out.push('</svg>');
  return out.join('\n');
}

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${f1(100 * x)}`;

/** The report: Markdown text, the SVG files it links to (name → content) and the subgroups' bias. */
export function renderReport(input: ReportInput): {
  markdown: string;
  files: Record<string, string>;
  subgroupBias: SubgroupBiasTable[];
} {
  const threshold = input.biasThreshold ?? 0.1;
  const md: string[] = [`# ${input.title}`, '', ...input.intro, ''];
  const files: Record<string, string> = {};
  const subgroupBias: SubgroupBiasTable[] = [];
  for (const s of input.sections) {
    md.push(`## ${s.title}`, '', s.description, '', HEAD);
    for (const m of s.methods) md.push(metricsRow(m.name, accuracy(m.estimate, s.reference)));
    md.push('');
    if (s.strata.length)
      md.push(
        `Median bias: the median relative error, with its 95 % percentile bootstrap interval over patients. Flagged: |median bias| > ${f1(100 * threshold)} %, its interval excludes 0 and it differs from the other patients' (the interval of the difference excludes 0), the rule of the bias audit of models.`,
        '',
      );
    for (const st of s.strata) {
      md.push(
        `### By ${st.name}`,
        '',
        `| subgroup | method | n | relative bias % | relative RMSE % | within ±10 % | within ±20 % | median bias % (95 % CI) | flagged |`,
        '|---|---|---|---|---|---|---|---|---|',
      );
      const per = s.methods.map((m) => stratify(m.estimate, s.reference, (i) => st.labels[i]));
      const bias = s.methods.map((m) => {
        const errors = m.estimate.map((e, i) => (e - s.reference[i]) / s.reference[i]);
        const groups = subgroupBiases(errors, st.labels, threshold, { seed: input.seed });
        subgroupBias.push({ section: s.slug, stratum: st.name, method: m.name, threshold, groups });
        return groups;
      });
      const names = per[0].map((g) => g.group).sort((a, b) => byOrder(st.order, a, b));
      for (const g of names)
        s.methods.forEach((m, k) => {
          const row = per[k].find((x) => x.group === g)!;
          const b = bias[k].find((x) => x.group === g)!;
          const ci = b.ci ? ` (${signed(b.ci[0])} to ${signed(b.ci[1])})` : '';
          md.push(
            `| ${g} ${metricsRow(m.name, row.metrics)} ${signed(b.bias)}${ci} | ${b.flagged ? 'FLAGGED' : ''} |`,
          );
        });
      md.push('');
    }
    files[`${s.slug}-scatter.svg`] = scatterSvg(s, input.unit);
    files[`${s.slug}-subgroups.svg`] = groupErrorSvg(s);
    md.push(
      `![estimate vs reference](${s.slug}-scatter.svg) ![relative error by subgroup](${s.slug}-subgroups.svg)`,
      '',
    );
  }
  md.push(...input.appendix);
  return { markdown: md.join('\n') + '\n', files, subgroupBias };
}
