/**
 * The report of a validated request, for the medical record: printable HTML and an A4 PDF
 * (report-pdf.ts), in the user's language (English or French), every time local to one zone with
 * its offset. Both show the patient's identity (when asked for), the prescriber and service, the
 * decision in words that match it ("Validated by" / "Rejected by") with the regimen retained, the
 * concentration–time chart drawn from the stored forecast numbers (levels, individual curve with
 * its 90 % band, the current regimen continued, targets, doses), the predicted exposure of the
 * current and the retained regimens with their PTA and what a PTA means, the individual
 * parameters with units and half-lives, the proposed regimens, the record used, the warnings, the
 * model and its citation, and what the signature means.
 *
 * The sections are plain data (`reportSections`): a title, lines, an optional table, the chart;
 * each renderer lays them out. Blocks other parts of the service add (a later version's notice,
 * acknowledged warnings, the ranking rule, the signature check) are sections like the others.
 */
import {
  type IndividualSummary,
  MET_MEANING,
  PTA_MEANING,
  ptaBelowThreshold,
  rankingRule,
} from '@dosetwin/models';
import type {
  Analysis,
  Attainment,
  CovariateValues,
  DoseValues,
  Forecast,
  LevelValues,
  MetricValue,
  Regimen,
  Validation,
} from './contract/index.ts';
import { type AcknowledgedEntry, acknowledgedLines } from './report-acknowledged.ts';
import { chartGeometry, type ChartInput, chartSvg } from './report-chart.ts';
import {
  conversionText,
  dateText,
  issueText,
  labelled,
  metricName,
  num,
  pct,
  qty,
  type ReportLang,
  regimenText,
  targetText,
  timeText,
  tr,
  unitText,
  zoneText,
} from './report-text.ts';

export interface ReportData {
  lang: ReportLang;
  /** The IANA zone every time is written in. */
  timeZone: string;
  request: { id: string; question: string; createdAt: string; requester: string };
  patient: { pseudonym: string; sex: string; service: string };
  identity: {
    familyName: string;
    givenName: string;
    birthName: string | null;
    birthDate: string;
    hospitalNumber: string;
  } | null;
  analysis: Analysis;
  validation: Validation & { signer: string };
  /** Later versions of the analysis: one awaiting signature (this report stays in force until it is signed), rejected ones (they left it in force). */
  supersession: {
    pendingVersion: { version: number; createdAt: string } | null;
    rejectedAfter: { version: number; signedAt: string }[];
  };
  /** The current regimen (the last dose continued) evaluated on the analysis's inputs, or null. */
  current: { regimen: Regimen; forecast: Forecast; metrics: MetricValue[]; pta: Attainment | null } | null;
  /** The individual parameters with units and half-lives. */
  individual: IndividualSummary;
  /** The warnings the record's entries confirmed when they were entered (the signature's are in `validation`). */
  acknowledgedEntries?: AcknowledgedEntry[];
}

/** One section of the report: lines, and optionally a table (first row the header) or the chart. */
export interface ReportSection {
  title: string;
  lines: string[];
  table?: string[][];
  /** The table has no header row (a label–value list). */
  plain?: boolean;
  chart?: ChartInput;
  /** The chart's legend entries, in order. */
  legend?: string[];
  /** Passages of the lines quoted in their source's language (a paper's citation: English), marked so in the HTML. */
  quotes?: { text: string; lang: string }[];
}

/** The notice that a later version exists: the decision reported stays in force until that one is signed. */
export function supersessionLines(d: ReportData): string[] {
  const s = d.supersession;
  const t = (iso: string): string => timeText(iso, d.lang, d.timeZone);
  const fr = d.lang === 'fr';
  return [
    ...(s.pendingVersion
      ? [
          fr
            ? `Remplacée par la version ${s.pendingVersion.version} non signée (calculée le ${t(s.pendingVersion.createdAt)}) : cette décision signée (version ${d.analysis.version}) reste en vigueur jusqu'à la signature de la version ${s.pendingVersion.version}.`
            : `Superseded by unsigned version ${s.pendingVersion.version} (computed ${t(s.pendingVersion.createdAt)}): this signed decision (version ${d.analysis.version}) stays in force until version ${s.pendingVersion.version} is signed.`,
        ]
      : []),
    ...s.rejectedAfter.map((r) =>
      fr
        ? `La version ${r.version} a été refusée le ${t(r.signedAt)} : cette décision (version ${d.analysis.version}) reste en vigueur.`
        : `Version ${r.version} was rejected at ${t(r.signedAt)}: this decision (version ${d.analysis.version}) stays in force.`,
    ),
  ];
}

const H = 3_600_000;

/** A PTA as the report prints it: all targets, then each when there are several. */
function ptaText(
  p: Attainment | null,
  targets: { target: string; metric: string }[],
  lang: ReportLang,
): string {
  if (!p) return tr(lang, 'notComputed');
  // Below the threshold a target met at the individual prediction is more likely missed: marked.
  const low = ptaBelowThreshold(p) ? ' ⚠' : '';
  const each =
    p.each.length > 1
      ? ` (${p.each.map((x, k) => `${targets[k] ? metricName(targets[k].metric, lang) : k}: ${pct(x, lang)}`).join(', ')})`
      : '';
  return `${pct(p.all, lang)}${low}${each}`;
}

/** The times of the doses of a regimen from its start until `untilMs`. */
function regimenDoseTimes(r: Regimen | null, untilMs: number): number[] {
  if (!r?.start) return [];
  const start = Date.parse(r.start);
  const unitH: Record<string, number> = { h: 1, min: 1 / 60, d: 24 };
  const tau = r.interval.value * (unitH[r.interval.unit] ?? NaN) * H;
  if (!(tau > 0)) return [start];
  const out: number[] = [];
  for (let t = start, k = 0; t <= untilMs && k < 200; k++, t = start + k * tau) out.push(t);
  return out;
}

/** The report as sections, shared by the HTML and the PDF renderers. */
export function reportSections(d: ReportData): ReportSection[] {
  const { lang, timeZone: tz } = d;
  const a = d.analysis;
  const v = d.validation;
  const u = a.fit.model.units;
  const T = (iso: string | number, offset = false): string => timeText(iso, lang, tz, offset);
  const n = (x: number): string => num(x, lang);
  const notice = supersessionLines(d);
  const dose = (x: DoseValues): string =>
    `${qty({ value: x.amount, unit: x.unit }, lang)} ${tr(lang, `route_${x.route}`)}${x.duration ? ` ${tr(lang, 'over')} ${qty(x.duration, lang)}` : ''} (${x.product})`;
  const level = (s: LevelValues): string => `${n(s.value)} ${unitText(s.unit)} (${s.matrix}, ${s.assay})`;
  const covariate = (c: CovariateValues): string =>
    `${c.name} = ${n(c.value)}${c.unit === '-' ? '' : ` ${unitText(c.unit)}`}`;
  // The corrections of the record the analysis used: what each record said before and after.
  const corrections = (a.inputs.corrections ?? []).map((c) => {
    const text = (v: DoseValues | LevelValues | CovariateValues): string =>
      c.record === 'administration'
        ? dose(v as DoseValues)
        : c.record === 'sample'
          ? level(v as LevelValues)
          : covariate(v as CovariateValues);
    return tr(lang, 'correctionLine', {
      what: tr(
        lang,
        c.record === 'administration'
          ? 'correctedDose'
          : c.record === 'sample'
            ? 'correctedLevel'
            : 'correctedCovariate',
      ),
      at: T(c.before.at),
      before: text(c.before),
      after: c.after ? text(c.after) : tr(lang, 'enteredInError'),
      reason: c.reason,
      who: c.author,
      when: T(c.createdAt),
    });
  });
  const shown = v.evaluation?.forecast ?? a.forecast;
  const metricsOf = (list: { target: string; metric: string; value: number; met: boolean }[]): string =>
    list
      .map(
        (m) =>
          `${metricName(m.metric, lang)} ${n(m.value)} (${m.met ? tr(lang, 'met') : tr(lang, 'notMet')})`,
      )
      .join(', ');

  // Exposure: one row per target, the current regimen beside the retained one.
  const retainedMetrics = v.evaluation?.metrics ?? null;
  const targetCol = a.targets.map((t) => targetText(t.text, t.metric, lang));
  const cell = (m: { value: number; met: boolean } | undefined): string =>
    m ? `${n(m.value)} (${m.met ? tr(lang, 'met') : tr(lang, 'notMet')})` : '—';
  const exposureTable: string[][] = [
    [
      tr(lang, 'target'),
      ...(d.current ? [tr(lang, 'current')] : []),
      ...(retainedMetrics ? [tr(lang, 'retained')] : []),
    ],
    ...a.targets.map((t, k) => [
      targetCol[k],
      ...(d.current ? [cell(d.current.metrics[k])] : []),
      ...(retainedMetrics ? [cell(retainedMetrics[k])] : []),
    ]),
    [
      tr(lang, 'ptaRow'),
      ...(d.current ? [ptaText(d.current.pta, d.current.metrics, lang)] : []),
      ...(retainedMetrics ? [ptaText(v.evaluation!.pta, retainedMetrics, lang)] : []),
    ],
  ];

  const ind = d.individual;
  const paramTable: string[][] = [
    [tr(lang, 'parameter'), tr(lang, 'value'), tr(lang, 'unit')],
    ...ind.parameters.map((p) => [
      p.name,
      n(p.value),
      p.unit === null ? '' : p.unit === '-' ? '' : unitText(p.unit),
    ]),
    ...(ind.halfLife ? [[tr(lang, 'halfLife'), n(ind.halfLife.value), unitText(ind.halfLife.unit)]] : []),
    ...ind.distributionHalfLives.map((h) => [tr(lang, 'distributionHalfLife'), n(h.value), unitText(h.unit)]),
  ];

  const decisionWord = tr(lang, `decision_${v.decision}`);
  const signedLine = tr(lang, v.decision === 'reject' ? 'rejectedBy' : 'validatedBy', {
    who: v.signer,
    t: T(v.signedAt, true),
  });
  const band = shown?.band;
  const bandLine = (() => {
    if (!shown || !band) return null;
    const after = band.times.map((t, k) => ({ t, k })).filter((x) => x.t >= shown.startMs);
    const step = Math.max(1, Math.floor(after.length / 6));
    const points = after.filter((_, i) => i % step === 0).slice(0, 6);
    const head =
      lang === 'fr'
        ? `Bande de crédibilité à 90 % (${unitText(u.conc)}, ${band.draws} tirages) après la première nouvelle dose`
        : `90 % credible band (${unitText(u.conc)}, ${band.draws} draws) after the first new dose`;
    return `${head}${lang === 'fr' ? ' :' : ':'} ${points
      .map(({ t, k }) => {
        const i = shown.times.indexOf(t);
        return `${T(t)} ${i >= 0 ? n(shown.ipred[i]) : '–'} [${n(band.lo[k])}; ${n(band.hi[k])}]`;
      })
      .join(' · ')}`;
  })();

  const end = shown ? shown.times[shown.times.length - 1] : 0;
  const chart: ChartInput | undefined = shown
    ? {
        times: shown.times,
        ipred: shown.ipred,
        band: shown.band,
        startMs: shown.startMs,
        current: d.current ? { times: d.current.forecast.times, ipred: d.current.forecast.ipred } : null,
        observed: a.fit.observations.map((o) => ({
          ms: Date.parse(o.at),
          conc: o.observed,
          censored: o.censored,
        })),
        targets: a.targets,
        doses: a.inputs.administrations.map((x) => Date.parse(x.at)),
        newDoses: regimenDoseTimes(v.regimen ?? shown.regimen, end),
        concUnit: u.conc,
      }
    : undefined;

  const identityRows: string[][] = d.identity
    ? [
        [tr(lang, 'name'), `${d.identity.familyName.toUpperCase()} ${d.identity.givenName}`],
        ...(d.identity.birthName ? [[tr(lang, 'birthName'), d.identity.birthName.toUpperCase()]] : []),
        [tr(lang, 'birthDate'), dateText(d.identity.birthDate)],
        [tr(lang, 'hospitalNumber'), d.identity.hospitalNumber],
      ]
    : [[tr(lang, 'name'), tr(lang, 'identityNotAsked')]];

  return [
    ...(notice.length
      ? [{ title: lang === 'fr' ? 'Versions ultérieures' : 'Later versions', lines: notice }]
      : []),
    {
      title: tr(lang, 'patient'),
      lines: [],
      plain: true,
      table: [
        ...identityRows,
        [tr(lang, 'sex'), tr(lang, d.patient.sex === 'female' ? 'female' : 'male')],
        [tr(lang, 'pseudonym'), d.patient.pseudonym],
        [tr(lang, 'service'), d.patient.service],
        [tr(lang, 'prescriber'), d.request.requester],
        [tr(lang, 'requestedAt'), T(d.request.createdAt, true)],
        [tr(lang, 'question'), d.request.question || '—'],
      ],
    },
    {
      title: tr(lang, 'decisionTitle'),
      lines: [
        tr(lang, 'decisionLine', { d: decisionWord }),
        labelled(
          tr(lang, 'retained'),
          v.decision === 'reject' ? tr(lang, 'noRegimen') : regimenText(v.regimen, lang, tz),
          lang,
        ),
        ...(v.decision !== 'reject' && v.regimen?.start
          ? [tr(lang, 'firstNewDose', { t: T(v.regimen.start, true) })]
          : []),
        labelled(tr(lang, 'comment'), v.comment || '—', lang),
        signedLine,
      ],
    },
    ...(chart
      ? [
          {
            title: tr(lang, 'chartTitle'),
            lines: [tr(lang, 'chartCaption', { n: band?.draws ?? 0 }), ...(bandLine ? [bandLine] : [])],
            chart,
            legend: [
              tr(lang, 'legendObserved'),
              tr(lang, 'legendIndividual'),
              tr(lang, 'legendBand'),
              ...(d.current ? [tr(lang, 'legendCurrent')] : []),
              tr(lang, 'legendTarget'),
              tr(lang, 'legendNew'),
            ],
          },
        ]
      : []),
    {
      title: tr(lang, 'exposureTitle'),
      lines: [
        ...(d.current
          ? [labelled(tr(lang, 'current'), regimenText(d.current.regimen, lang, tz), lang)]
          : [tr(lang, 'noCurrent')]),
        ...(v.regimen ? [labelled(tr(lang, 'retained'), regimenText(v.regimen, lang, tz), lang)] : []),
        tr(lang, 'ptaExplained', { n: a.fit.draws }),
      ],
      table: exposureTable,
    },
    {
      title: tr(lang, 'parametersTitle'),
      lines: [
        a.fit.kind === 'map'
          ? tr(lang, 'fitMap', { c: tr(lang, a.fit.converged ? 'yes' : 'no') })
          : tr(lang, 'fitPrior'),
        ...(ind.halfLife ? [] : [tr(lang, 'halfLifeNone')]),
        ...a.fit.observations.map((o) =>
          tr(lang, 'observedVsPredicted', {
            t: T(o.at),
            o: n(o.observed),
            p: n(o.predicted),
            u: unitText(u.conc),
            c: o.censored ? tr(lang, 'censored') : '',
          }),
        ),
      ],
      table: paramTable,
    },
    {
      title: tr(lang, 'candidatesTitle'),
      lines: [
        tr(lang, 'targetsLine', { t: targetCol.join(lang === 'fr' ? '\u202f; ' : '; ') }),
        ...a.candidates.map((c) =>
          tr(lang, 'candidateLine', {
            rank: c.rank,
            regimen: regimenText(c.regimen, lang, tz),
            metrics: metricsOf(c.metrics),
            pta: ptaText(c.pta, c.metrics, lang),
          }),
        ),
        // How they are ranked and what ✓ and the PTA mean, in the library's words (the page's too).
        ...(a.candidates.length ? [rankingRule(lang), MET_MEANING[lang], PTA_MEANING[lang]] : []),
      ],
    },
    ...(a.warnings.length
      ? [{ title: tr(lang, 'warningsTitle'), lines: a.warnings.map((w) => issueText(w, lang)) }]
      : []),
    ...[
      acknowledgedLines(
        lang,
        tz,
        { by: v.signer, at: v.signedAt, issues: v.acknowledged },
        d.acknowledgedEntries ?? [],
      ),
    ].filter((x) => x !== null),
    {
      title: tr(lang, 'recordTitle'),
      lines: [
        ...a.inputs.administrations.map((x) => tr(lang, 'doseLine', { t: T(x.at), what: dose(x) })),
        ...a.inputs.samples.map((s) =>
          tr(lang, 'levelLine', {
            t: T(s.at),
            v: n(s.value),
            u: unitText(s.unit),
            matrix: s.matrix,
            assay: s.assay,
            lloq: s.lloq !== null ? tr(lang, 'lloq', { v: `${n(s.lloq)} ${unitText(s.unit)}` }) : '',
          }),
        ),
        ...a.inputs.covariates.map((c) =>
          tr(lang, 'covariateLine', {
            t: T(c.at),
            name: c.name,
            v: n(c.value),
            u: c.unit === '-' ? '' : unitText(c.unit),
          }).trimEnd(),
        ),
        ...a.inputs.conversions
          .slice(0, 20)
          .map((c) => tr(lang, 'conversionLine', { c: conversionText(c, lang) })),
        ...corrections,
      ],
    },
    {
      title: tr(lang, 'modelTitle'),
      lines: [
        ...(a.averaging
          ? [
              tr(lang, 'averagingLine', {
                drug: `${a.averaging.drug}${a.averaging.formulation ? ` (${a.averaging.formulation})` : ''}`,
                n: a.averaging.models.length,
                w: a.averaging.models.map((m) => `${m.id} ${pct(m.weight, lang)}`).join(', '),
              }),
              ...a.averaging.excluded.map((x) => tr(lang, 'leftOut', { id: x.id, reason: x.reason })),
            ]
          : []),
        tr(lang, 'modelLine', { id: a.modelId, v: a.modelVersion, e: a.engineVersion }),
        ...(a.localModel
          ? [
              tr(lang, 'localModelLine', {
                n: a.localModel.version,
                by: a.localModel.approvedBy,
                t: T(a.localModel.approvedAt),
              }),
            ]
          : []),
        labelled(tr(lang, 'citation'), a.fit.model.citation, lang),
        tr(lang, 'analysisLine', { v: a.version, t: T(a.createdAt), h: a.hash.slice(0, 16) }),
      ],
      quotes: [{ text: a.fit.model.citation, lang: 'en' }],
    },
    {
      title: tr(lang, 'signatureTitle'),
      lines: [
        signedLine,
        tr(lang, 'signatureMeaning', { what: tr(lang, `meaning_${v.decision}`) }),
        tr(lang, 'signatureLine', { s: v.signature, h: v.analysisHash }),
      ],
    },
  ];
}

/** The report's heading: its title, and the zone of its times. */
export function reportHeading(d: ReportData): { title: string; drug: string; zone: string } {
  const a = d.analysis;
  return {
    title: tr(d.lang, 'title'),
    drug: a.kind === 'drug' ? (a.averaging?.drug ?? a.inputs.drug ?? a.modelId) : a.modelId,
    zone: tr(d.lang, 'timesNote', { zone: zoneText(d.timeZone, Date.parse(d.validation.signedAt)) }),
  };
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderReportHtml(d: ReportData): string {
  const h = reportHeading(d);
  const sections = reportSections(d)
    .map((s) => {
      const table = s.table
        ? `<table>${s.plain ? '' : `<thead><tr>${s.table[0].map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`}<tbody>${s.table
            .slice(s.plain ? 0 : 1)
            .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`
        : '';
      const chart = s.chart
        ? `<figure>${chartSvg(chartGeometry(s.chart, 510, 230, d.lang, d.timeZone), s.legend ?? [])}</figure>`
        : '';
      const quoted = (l: string): string =>
        (s.quotes ?? []).reduce(
          (h, q) => h.split(esc(q.text)).join(`<span lang="${q.lang}">${esc(q.text)}</span>`),
          esc(l),
        );
      const lines = s.lines.length ? `<ul>${s.lines.map((l) => `<li>${quoted(l)}</li>`).join('')}</ul>` : '';
      return `<section><h2>${esc(s.title)}</h2>${chart}${table}${lines}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="${d.lang}"><head><meta charset="utf-8"><title>${esc(h.title)} ${esc(d.patient.pseudonym)}</title>
<style>@page{size:A4;margin:15mm}body{font:10.5pt/1.4 system-ui,sans-serif;max-width:50em;margin:2em auto;color:#111}h1{font-size:15pt;margin-bottom:0}h2{font-size:12pt;border-bottom:1px solid #999;margin-top:1.2em}ul{padding-left:1.2em}table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}figure{margin:0}@media print{body{margin:0}}</style>
</head><body><h1>${esc(h.title)} — ${esc(h.drug)}</h1><p>${esc(h.zone)}</p>
${sections}
</body></html>
`;
}
