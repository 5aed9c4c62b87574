/**
 * The report of a validated request: printable HTML, and PDF from a small PDF writer (text only,
 * standard Helvetica, no headless browser). Both show the model and its citation (for a drug, the
 * models' weights), the inputs, the estimate, the recommendation with each candidate's probability
 * of target attainment, the regimen retained with its predicted exposure, PTA and 90 % credible
 * band (as evaluated when it was signed), the decision, the validator and the time of signature.
 */
import type {
  Analysis,
  Attainment,
  Candidate,
  Regimen,
  RetainedEvaluation,
  Validation,
} from './contract/index.ts';

export interface ReportData {
  request: { id: string; question: string; createdAt: string; requester: string };
  patient: { pseudonym: string; sex: string; service: string };
  identity: { name: string; birthDate: string; hospitalNumber: string } | null;
  analysis: Analysis;
  validation: Validation & { signer: string };
  /** Later versions of the analysis: one awaiting signature (this report stays in force until it is signed), rejected ones (they left it in force). */
  supersession: {
    pendingVersion: { version: number; createdAt: string } | null;
    rejectedAfter: { version: number; signedAt: string }[];
  };
}

/** The notice that a later version exists: the decision reported stays in force until that one is signed. */
export function supersessionLines(d: ReportData): string[] {
  const s = d.supersession;
  return [
    ...(s.pendingVersion
      ? [
          `Superseded by unsigned version ${s.pendingVersion.version} (computed ${s.pendingVersion.createdAt}): this signed decision (version ${d.analysis.version}) stays in force until version ${s.pendingVersion.version} is signed.`,
        ]
      : []),
    ...s.rejectedAfter.map(
      (r) =>
        `Version ${r.version} was rejected at ${r.signedAt}: this decision (version ${d.analysis.version}) stays in force.`,
    ),
  ];
}

const g = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));

const pct = (x: number): string => `${Math.round(100 * x)} %`;

/** A PTA as the report prints it: all targets, then each. */
function ptaText(p: Attainment | null, targets: { target: string }[]): string {
  if (!p) return 'PTA: not computed (no draws)';
  const each =
    p.each.length > 1 ? ` (${p.each.map((x, k) => `${targets[k]?.target ?? k}: ${pct(x)}`).join(', ')})` : '';
  return `PTA ${pct(p.all)} over ${p.draws} draws${each}`;
}

function candidateText(c: Candidate): string {
  const metrics = c.metrics
    .map((m) => `${m.target} → ${g(m.value)} ${m.met ? '(met)' : '(NOT met)'}`)
    .join('; ');
  const models = c.models
    ? `; per model: ${c.models.map((m) => `${m.id} (weight ${g(m.weight)}) ${m.metrics.map((x) => g(x.value)).join('/')}`).join(', ')}`
    : '';
  return `${c.rank}. ${regimenText(c.regimen)}: ${metrics}; ${ptaText(c.pta, c.metrics)}${models}`;
}

/** The retained regimen's forecast: predicted metrics, PTA, and the 90 % band at eight times after its start. */
function evaluationLines(e: RetainedEvaluation, concUnit: string): string[] {
  const f = e.forecast;
  const after = f.band.times.map((t, k) => ({ t, k })).filter((x) => x.t >= f.startMs);
  const step = Math.max(1, Math.floor(after.length / 8));
  const points = after.filter((_, i) => i % step === 0).slice(0, 8);
  return [
    `Predicted at steady state: ${e.metrics.map((m) => `${m.target} → ${g(m.value)} ${m.met ? '(met)' : '(NOT met)'}`).join('; ')}`,
    ptaText(e.pta, e.metrics),
    `90 % credible band of the concentration (${concUnit}, over ${f.band.draws} posterior draws): ${points
      .map(({ t, k }) => {
        const i = f.times.indexOf(t);
        return `${new Date(t).toISOString().slice(0, 16)}Z ${i >= 0 ? g(f.ipred[i]) : '–'} [${g(f.band.lo[k])}, ${g(f.band.hi[k])}]`;
      })
      .join('; ')}`,
  ];
}

function regimenText(r: Regimen | null): string {
  if (!r) return '—';
  const q = (x: { value: number; unit: string }): string => `${g(x.value)} ${x.unit}`;
  const loading = r.loading
    ? `loading ${q(r.loading.dose)}${r.loading.duration ? ` over ${q(r.loading.duration)}` : ''}, then `
    : '';
  return `${loading}${q(r.dose)} ${r.route} every ${q(r.interval)}${r.duration ? ` over ${q(r.duration)}` : ''}${r.start ? ` from ${r.start}` : ''}`;
}

/** The report as sections of plain lines, shared by the HTML and the PDF renderers. */
export function reportSections(d: ReportData): { title: string; lines: string[] }[] {
  const a = d.analysis;
  const u = a.fit.model.units;
  const notice = supersessionLines(d);
  return [
    ...(notice.length ? [{ title: 'Later versions', lines: notice }] : []),
    {
      title: 'Request',
      lines: [
        `Patient ${d.patient.pseudonym} (${d.patient.sex}), service ${d.patient.service}`,
        ...(d.identity
          ? [
              `Identity: ${d.identity.name}, born ${d.identity.birthDate}, hospital number ${d.identity.hospitalNumber}`,
            ]
          : []),
        `Requested by ${d.request.requester} at ${d.request.createdAt}`,
        `Question: ${d.request.question || '—'}`,
      ],
    },
    {
      title: 'Model',
      lines: [
        ...(a.averaging
          ? [
              `Drug ${a.averaging.drug}${a.averaging.formulation ? ` (${a.averaging.formulation})` : ''}: averaged over ${a.averaging.models.length} models, weights ${a.averaging.models.map((m) => `${m.id} ${g(m.weight)}`).join(', ')}; chart and estimate: the selected model`,
              ...a.averaging.excluded.map((x) => `Left out: ${x.id}: ${x.reason}`),
            ]
          : []),
        `${a.modelId} version ${a.modelVersion}; dosetwin engine ${a.engineVersion}`,
        `Citation: ${a.fit.model.citation}`,
        `Analysis ${a.id} version ${a.version}${a.supersedes ? ` (supersedes ${a.supersedes})` : ''}, computed ${a.createdAt}`,
      ],
    },
    {
      title: 'Inputs',
      lines: [
        ...a.inputs.administrations.map(
          (x) =>
            `Dose ${x.at}: ${g(x.amount)} ${x.unit} ${x.route}${x.duration ? ` over ${g(x.duration.value)} ${x.duration.unit}` : ''} (${x.product})`,
        ),
        ...a.inputs.samples.map(
          (s) =>
            `Sample ${s.at}: ${g(s.value)} ${s.unit} ${s.matrix}, ${s.assay}${s.lloq !== null ? `, LLOQ ${g(s.lloq)} ${s.unit}` : ''}`,
        ),
        ...a.inputs.covariates.map((c) => `Covariate ${c.at}: ${c.name} = ${g(c.value)} ${c.unit}`),
        ...a.inputs.conversions.slice(0, 20).map((c) => `Conversion: ${c}`),
      ],
    },
    {
      title: 'Estimate',
      lines: [
        `${a.fit.kind === 'map' ? 'Bayesian (MAP) estimate' : 'A priori (typical patient for the covariates)'}${a.fit.kind === 'map' ? `, converged: ${a.fit.converged ? 'yes' : 'NO'}` : ''}`,
        `Individual parameters: ${Object.entries(a.fit.parameters)
          .map(([k, v]) => `${k} ${g(v)}`)
          .join(', ')}`,
        ...a.fit.observations.map(
          (o) => `Observed ${g(o.observed)} vs predicted ${g(o.predicted)} ${u.conc} at ${o.at}`,
        ),
      ],
    },
    {
      title: 'Recommendation',
      lines: [
        `First new dose at ${a.inputs.start ?? '—'}`,
        `Targets: ${a.targets.map((t) => t.text).join('; ')}`,
        ...a.candidates.map(candidateText),
        ...a.warnings.map((w) => `Warning [${w.field}]: ${w.message}`),
      ],
    },
    {
      title: 'Validation',
      lines: [
        `Decision: ${d.validation.decision.toUpperCase()}${d.validation.decision === 'reject' ? '' : ` — ${regimenText(d.validation.regimen)}`}`,
        ...(d.validation.evaluation ? evaluationLines(d.validation.evaluation, u.conc) : []),
        `Comment: ${d.validation.comment || '—'}`,
        `Validated by ${d.validation.signer} at ${d.validation.signedAt}`,
        `Signature ${d.validation.signature} over analysis hash ${d.validation.analysisHash}`,
        'The prescriber takes the final decision.',
      ],
    },
  ];
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderReportHtml(d: ReportData): string {
  const sections = reportSections(d)
    .map(
      (s) =>
        `<section><h2>${esc(s.title)}</h2><ul>${s.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dosetwin report ${esc(d.patient.pseudonym)}</title>
<style>body{font:11pt/1.4 system-ui,sans-serif;max-width:48em;margin:2em auto;color:#111}h1{font-size:16pt}h2{font-size:12pt;border-bottom:1px solid #999;margin-top:1.4em}ul{padding-left:1.2em}@media print{body{margin:0}}</style>
</head><body><h1>Dose adjustment report — ${esc(d.analysis.modelId)}</h1>
${sections}
</body></html>
`;
}

/** Latin-1 text for the PDF's standard font (WinAnsi); other characters become '?'. */
function pdfText(s: string): string {
  const map: Record<string, string> = {
    '→': '->',
    '—': '-',
    '–': '-',
    '≥': '>=',
    '≤': '<=',
    µ: 'u',
    '·': '*',
  };
  return s
    .replace(/[→—–≥≤µ·]/g, (c) => map[c])
    .replace(/[^\x20-\x7e\xa0-\xff]/g, '?')
    .replace(/([\\()])/g, '\\$1');
}

function wrap(line: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of line.split(' ')) {
    if ((cur + ' ' + w).trim().length > width) {
      if (cur) out.push(cur);
      cur = w;
      while (cur.length > width) {
        out.push(cur.slice(0, width));
        cur = cur.slice(width);
      }
    } else cur = (cur + ' ' + w).trim();
  }
  if (cur) out.push(cur);
  return out;
}

/** A4 PDF, text only: one content stream per page, Helvetica / Helvetica-Bold. */
export function renderReportPdf(d: ReportData): Buffer {
  const lines: { text: string; bold: boolean; size: number }[] = [
    { text: `Dose adjustment report - ${d.analysis.modelId}`, bold: true, size: 14 },
  ];
  for (const s of reportSections(d)) {
    lines.push({ text: '', bold: false, size: 9 }, { text: s.title, bold: true, size: 11 });
    for (const l of s.lines) for (const w of wrap(l, 100)) lines.push({ text: w, bold: false, size: 9 });
  }
  const pages: string[] = [];
  let y = 800;
  let ops: string[] = [];
  for (const l of lines) {
    const h = l.size + 3;
    if (y - h < 40) {
      pages.push(ops.join('\n'));
      ops = [];
      y = 800;
    }
    y -= h;
    if (l.text) ops.push(`BT /${l.bold ? 'F2' : 'F1'} ${l.size} Tf 40 ${y} Td (${pdfText(l.text)}) Tj ET`);
  }
  pages.push(ops.join('\n'));
  const objs: string[] = [];
  const add = (s: string): number => objs.push(s);
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add(''); // pages, filled below
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const content of pages) {
    const stream = Buffer.from(content, 'latin1');
    const c = add(`<< /Length ${stream.length} >>\nstream\n${content}\nendstream`);
    kids.push(
      add(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${c} 0 R >>`,
      ),
    );
  }
  objs[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
