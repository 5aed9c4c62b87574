import type { ModelIR } from '@dosetwin/engine';
import { DERIVATIONS } from './covariates.ts';
import { modelUse } from './drugs.ts';
import { modelPolicy, type PolicySource } from './policy.ts';
import type { LibraryModel } from './registry.ts';
import { formatRange } from './resolve.ts';

const STATUS_TEXT = {
  verified: 'VERIFIED: key values confirmed against a second independent source',
  partial: 'PARTIALLY VERIFIED: some values rest on one source only (see below)',
  unconfirmed: 'UNCONFIRMED: key values rest on one secondary source; do not use for dosing decisions',
} as const;

/** The residual error as its convention reads. */
export function describeError(e: ModelIR['errors'][number]): string {
  const pct = (x: number): string => `${Number((x * 100).toPrecision(4))} %`;
  switch (e.kind) {
    case 'add':
      return `additive, SD ${e.addSd}`;
    case 'prop':
      return `proportional, SD ${pct(e.propSd)}`;
    case 'exp':
      return `log-additive (exponential), SD ${e.propSd} on the log scale`;
    case 'combined':
      return e.sum === 'sd'
        ? `combined, SD = ${e.addSd} + ${pct(e.propSd)}·F (SDs summed)`
        : `combined, variance = ${e.addSd}² + (${pct(e.propSd)}·F)² (variances summed)`;
    case 'variance':
      return 'variance given by an expression of the model';
  }
}

/** Why the drug file maps the model to its formulations ('' for a model no drug file lists). */
const drugModelWhy = (id: string): string => modelUse(id)?.use.why ?? '';

/**
 * A plain-text model card: everything a pharmacist checks before trusting a model, and the targets
 * and products it is used with, each with where it comes from (the drug file or the model's override).
 */
export function renderModelCard(m: LibraryModel): string {
  const ir = m.ir;
  const v = m.verification;
  const out: string[] = [];
  const h = (t: string): void => {
    out.push('', t);
  };
  out.push(`${ir.id}  version ${ir.version}  (${ir.drug})`);
  out.push(`status      ${v.status ? STATUS_TEXT[v.status] : 'NO VERIFICATION STATUS'}`);
  out.push(`citation    ${ir.citation?.text ?? '(none)'}`);
  out.push(`DOI         ${ir.citation?.doi ?? '(none)'}`);
  out.push(`population  ${ir.population}`);
  out.push(`measured    ${ir.measured}`);
  out.push(`units       dose ${ir.units.dose}, time ${ir.units.time}, concentration ${ir.units.conc}`);
  if (ir.description) out.push(`structure   ${ir.description}`);

  h('Covariates');
  for (const c of ir.covariates) {
    const how =
      c.derive !== undefined
        ? `derived: ${c.derive.text.replace(/^derive\s+/, '')}` +
          (DERIVATIONS[c.derive.fn] ? ` — ${DERIVATIONS[c.derive.fn].source}` : '')
        : c.handling.kind === 'required'
          ? 'required'
          : `default ${c.handling.value} when missing (reported)`;
    out.push(
      `  ${c.name.padEnd(8)} ${c.unit.padEnd(8)} valid ${formatRange(c.valid, c.unit).padEnd(18)} ${c.label}; ${how}`,
    );
  }
  if (!ir.covariates.length) out.push('  (none)');

  h('Parameters');
  for (const p of ir.parameters)
    out.push(
      `  ${p.name.padEnd(10)} ${String(p.value).padEnd(10)} ${p.unit.padEnd(8)} ${p.label}${p.source ? `  [${p.source}]` : ''}`,
    );

  h('Between-subject variability (Ω, variances on the log scale)');
  ir.etas.forEach((e, i) => {
    const w = ir.omega[i][i];
    out.push(
      `  ${e.iov ? 'IOV ' : ''}${e.name.padEnd(14)} ω² ${w}  (SD ${Number(Math.sqrt(w).toPrecision(4))}, CV ≈ ${Number((100 * Math.sqrt(Math.exp(w) - 1)).toPrecision(3))} %)`,
    );
  });
  ir.etas.forEach((a, i) =>
    ir.etas.forEach((b, j) => {
      if (j > i && ir.omega[i][j] !== 0) out.push(`  cov(${a.name}, ${b.name}) = ${ir.omega[i][j]}`);
    }),
  );
  if (!ir.etas.length) out.push('  (none)');

  h('Residual error');
  for (const e of ir.errors) out.push(`  ${e.output} (${ir.units.conc}): ${describeError(e)}`);

  const policy = modelPolicy(m);
  const from = (source: PolicySource): string =>
    source === 'drug' ? `drug file (${policy.drug})` : 'model file (override)';
  h('Targets it is used with (priority order)');
  policy.targets.forEach((t, k) =>
    out.push(
      `  ${k + 1}. ${t.text}  — ${from(t.source)}: ${t.citation}; for ${t.population}${t.note ? `; ${t.note}` : ''}`,
    ),
  );
  if (!policy.targets.length) out.push('  (none)');

  h('Products it is used with');
  for (const f of policy.formulations) {
    const inf = f.infusion;
    out.push(
      `  formulation ${f.id}: ${f.brand ?? 'any brand'}, ${f.description}; ${f.routes.join(', ')}; ` +
        `${f.strengths.values.join(', ')} ${f.strengths.unit}; every ${f.intervals.values.join(', ')} ${f.intervals.unit}` +
        (inf
          ? `; infusion ${inf.duration.lo}..${inf.duration.hi} ${inf.duration.unit}` +
            (inf.maxRate ? `, at most ${inf.maxRate.value} ${inf.maxRate.unit}` : '')
          : '') +
        ` — ${f.source}`,
    );
  }
  if (policy.formulations.length)
    out.push(
      `  ${policy.formulationSpecific ? 'specific to these formulations' : 'any formulation of the drug'}: ${drugModelWhy(m.id)}`,
    );
  for (const p of policy.products)
    out.push(
      `  ${p.line.text}   [${from(p.source)}${p.formulations.length ? `: ${p.formulations.join(', ')}` : ''}]`,
    );
  if (!policy.products.length) out.push('  (none)');

  h('Verification');
  for (const c of v.checks)
    out.push(
      `  ✓ ${c.variable} = ${c.value} ${c.unit} ± ${c.tolerance} at ${c.at.map((a) => `${a.name} ${a.value}${a.unit === '-' ? '' : ` ${a.unit}`}`).join(', ')}  — ${c.source} (${c.date})`,
    );
  for (const s of v.sources) out.push(`  source: ${s.text} (${s.date})`);
  for (const u of v.unconfirmed) out.push(`  UNCONFIRMED: ${u}`);
  for (const n of v.notes) out.push(`  note: ${n}`);
  return out.join('\n') + '\n';
}
