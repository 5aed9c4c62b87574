/**
 * The report of a validated request: printable HTML, and PDF from a small PDF writer (text only,
 * standard Helvetica, no headless browser). Both show the model and its citation, the inputs, the
 * estimate, the recommendation, the decision, the validator and the time of signature.
 */
import type { Analysis, Candidate, Regimen, Validation } from './contract/index.ts';

export interface ReportData {
  request: { id: string; question: string; createdAt: string; requester: string };
  patient: { pseudonym: string; sex: string; service: string };
  identity: { name: string; birthDate: string; hospitalNumber: string } | null;
  analysis: Analysis;
  validation: Validation & { signer: string };
}

const g = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));

function candidateText(c: Candidate): string {
  return `${g(c.dose)} ${c.doseUnit} ${c.route} every ${g(c.interval)} ${c.timeUnit}${c.duration ? ` over ${g(c.duration)} ${c.timeUnit}` : ''}`;
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
  return [
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
        `First new dose at ${a.inputs.start}`,
        ...a.candidates.map(
          (c) =>
            `${c.rank}. ${candidateText(c)}: ${c.metrics.map((m) => `${m.target} → ${g(m.value)} ${m.met ? '(met)' : '(NOT met)'}`).join('; ')}`,
        ),
        ...a.warnings.map((w) => `Warning [${w.field}]: ${w.message}`),
      ],
    },
    {
      title: 'Validation',
      lines: [
        `Decision: ${d.validation.decision.toUpperCase()}${d.validation.decision === 'reject' ? '' : ` — ${regimenText(d.validation.regimen)}`}`,
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
