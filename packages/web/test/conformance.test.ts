// One twin, three front ends: each clinical case runs through the CLI (JSON, from a CSV whose
// header states its units), the HTTP API (the stored analysis) and the browser's twin (the web
// worker's session, run in Node), and must give the same candidates (start, dose, interval,
// infusion, loading dose), the same exposures and PTA (same draws and seed; relative 1e-9), the
// same warning codes and the same start times.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Analysis } from '@dosetwin/server/contract';
import { testApp, userWithToken, type TestApp } from '../../server/src/test-support.ts';
import { dosetwin } from '../../cli/src/test-support.ts';
import type { FromWorker, ToWorker } from '../src/lib/worker-protocol.ts';
import { createSession } from '../src/lib/worker-session.ts';

const H = 3_600_000;
/** Time 0 of every case: the first dose, three and a half days ago on the hour. */
const T0 = Math.floor((Date.now() - 84 * H) / H) * H;
const at = (h: number): string => new Date(T0 + h * H).toISOString();
const rel = (a: number, b: number): number =>
  a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
const close = (a: number, b: number, what: string): void =>
  assert.ok(rel(a, b) <= 1e-9, `${what}: ${a} vs ${b} (rel ${rel(a, b)})`);
/** Clinical times cross the wire as ISO date-times, to the millisecond. */
const sameTime = (hours: number, iso: string, what: string): void =>
  assert.ok(Math.abs(T0 + hours * H - Date.parse(iso)) <= 0.5, `${what}: ${T0 + hours * H} vs ${iso}`);
/** A message to the worker, without its id. */
type Ask<M = ToWorker> = M extends ToWorker ? Omit<M, 'id'> : never;

interface Dose {
  h: number;
  amount: number;
  unit: string;
  route: 'oral' | 'infusion';
  durationH?: number;
  product: string;
}
interface Level {
  h: number;
  value: number;
  unit: string;
  lloq: number;
}
interface Cov {
  h: number;
  name: string;
  value: number;
  unit: string;
}
interface Case {
  name: string;
  subject: { modelId: string } | { drug: string };
  doses: Dose[];
  levels: Level[];
  covariates: Cov[];
  loadingTarget?: string;
  startWhenBelow?: { value: number; unit: string };
  /** The pathogen's MIC and the unbound fraction, for MIC-based targets. */
  mic?: { value: number; unit: string };
  fu?: number;
  /** Compare the exposure of each past sampled interval (CLI `fit`). */
  intervals?: boolean;
}

const vancoDoses = (hs: number[], mg = 1000): Dose[] =>
  hs.map((h) => ({ h, amount: mg, unit: 'mg', route: 'infusion', durationH: 1, product: 'vial 1 g' }));
const vancoCovs = (h = -2): Cov[] => [
  { h, name: 'WT', value: 82, unit: 'kg' },
  { h, name: 'AGE', value: 58, unit: 'y' },
  { h, name: 'SCR', value: 95, unit: 'umol/L' },
  { h, name: 'SEX', value: 0, unit: '-' },
  { h, name: 'DIAL', value: 0, unit: '-' },
];
const level = (h: number, value: number, lloq = 2): Level => ({ h, value, unit: 'mg/L', lloq });
const GOTI = { modelId: 'vancomycin/goti2018' };

const CASES: Case[] = [
  {
    name: 'a priori (no level)',
    subject: GOTI,
    doses: vancoDoses([0, 12, 24, 36]),
    levels: [],
    covariates: vancoCovs(),
  },
  {
    name: 'a posteriori (two levels)',
    subject: GOTI,
    doses: vancoDoses([0, 12, 24, 36]),
    levels: [level(11.5, 9.8), level(37.5, 29.5)],
    covariates: vancoCovs(),
  },
  {
    name: 'a level below the LLOQ (censored, M3)',
    subject: GOTI,
    doses: vancoDoses([0, 12, 24, 36]),
    levels: [level(11.5, 9.8), level(37.5, 29.5), level(47.5, 1.5)],
    covariates: vancoCovs(),
  },
  {
    name: 'a level before the first dose (not used)',
    subject: GOTI,
    doses: vancoDoses([0, 12, 24, 36]),
    levels: [level(-1, 4), level(11.5, 9.8), level(37.5, 29.5)],
    covariates: vancoCovs(-2),
  },
  {
    name: 'covariates recorded after the doses (carried back)',
    subject: GOTI,
    doses: vancoDoses([0, 12, 24, 36]),
    levels: [level(11.5, 9.8), level(37.5, 29.5)],
    covariates: vancoCovs(20),
  },
  {
    name: 'the exposure of a past sampled interval with inter-occasion variability (tacrolimus)',
    subject: { modelId: 'tacrolimus/woillard2011-prograf' },
    doses: Array.from({ length: 7 }, (_, k) => ({
      h: 12 * k,
      amount: 5,
      unit: 'mg',
      route: 'oral' as const,
      product: 'Prograf 5 mg',
    })),
    levels: [
      { h: 71.75, value: 8.1, unit: 'ug/L', lloq: 1 },
      { h: 73, value: 22.4, unit: 'ug/L', lloq: 1 },
      { h: 75, value: 15.2, unit: 'ug/L', lloq: 1 },
    ],
    covariates: [
      { h: -2, name: 'HCT', value: 31, unit: '%' },
      { h: -2, name: 'CYP3A5', value: 0, unit: '-' },
    ],
    intervals: true,
  },
  {
    name: 'a loading dose reaching AUC24 400-600 over the first day',
    subject: GOTI,
    doses: vancoDoses([0, 12, 24, 36], 500),
    levels: [level(37.5, 12.4)],
    covariates: vancoCovs(),
    loadingTarget: 'auc24=400..600 mg*h/L',
  },
  {
    name: 'the next dose when the level has fallen to 15 mg/L',
    subject: GOTI,
    doses: vancoDoses([0, 12, 24, 36], 1500),
    levels: [level(11.5, 21), level(37.5, 44)],
    covariates: vancoCovs(),
    startWhenBelow: { value: 15, unit: 'mg/L' },
  },
  {
    name: 'a MIC-based target: piperacillin 100 % fT>MIC at the EUCAST breakpoint 16 mg/L, unbound fraction 0.91',
    subject: { modelId: 'piperacillin/kim2022' },
    doses: [0, 8, 16, 24].map((h) => ({
      h,
      amount: 4,
      unit: 'g',
      route: 'infusion' as const,
      durationH: 3,
      product: 'piperacillin/tazobactam 4 g/0.5 g',
    })),
    levels: [
      { h: 30.5, value: 62, unit: 'mg/L', lloq: 1 },
      { h: 31.9, value: 38, unit: 'mg/L', lloq: 1 },
    ],
    covariates: [
      { h: -2, name: 'WT', value: 75, unit: 'kg' },
      { h: -2, name: 'CYSC', value: 1.4, unit: 'mg/L' },
      { h: -2, name: 'AGE', value: 62, unit: 'y' },
      { h: -2, name: 'SEX', value: 0, unit: '-' },
      { h: -2, name: 'ECMO', value: 0, unit: '-' },
    ],
    mic: { value: 16, unit: 'mg/L' },
    fu: 0.91,
  },
  {
    name: 'by drug: averaged over every vancomycin model',
    subject: { drug: 'vancomycin' },
    doses: vancoDoses([0, 12, 24, 36]),
    levels: [level(11.5, 9.8), level(37.5, 29.5)],
    covariates: [...vancoCovs(), { h: -2, name: 'GA', value: 40, unit: 'wk' }],
  },
];

/**
 * The case as a CSV whose header states its units, for the CLI: one row per dose and level (and
 * per covariate time after the last of them), each row carrying the covariates recorded since the
 * previous row, as the service attaches them; time 0 at the earliest row.
 */
function csvOf(c: Case): { text: string; zeroH: number } {
  const names = [...new Set(c.covariates.map((x) => x.name))];
  const unitOf = (n: string): string => c.covariates.find((x) => x.name === n)!.unit;
  const doseUnit = c.doses[0].unit;
  const concUnit = c.levels[0]?.unit ?? 'mg/L';
  const rows: { h: number; order: number; cells: Record<string, string> }[] = [
    ...c.doses.map((d) => ({
      h: d.h,
      order: 0,
      cells: {
        EVID: '1',
        AMT: String(d.amount),
        RATE: d.durationH ? String(d.amount / d.durationH) : '0',
        MDV: '1',
      },
    })),
    ...c.levels.map((l) => ({
      h: l.h,
      order: 1,
      cells: { EVID: '0', DV: String(l.value), LLOQ: String(l.lloq), MDV: '0' },
    })),
  ];
  const last = Math.max(...rows.map((r) => r.h));
  for (const h of [...new Set(c.covariates.map((x) => x.h).filter((h) => h > last))])
    rows.push({ h, order: 2, cells: { EVID: '2', MDV: '1' } });
  rows.sort((a, b) => a.h - b.h || a.order - b.order);
  const zeroH = rows[0].h;
  const header = [
    'ID',
    'TIME (h)',
    'EVID',
    `AMT (${doseUnit})`,
    `RATE (${doseUnit}/h)`,
    'MDV',
    `DV (${concUnit})`,
    `LLOQ (${concUnit})`,
    ...names.map((n) => (unitOf(n) === '-' ? n : `${n} (${unitOf(n)})`)),
  ];
  let prev = -Infinity;
  const lines = rows.map((r, i) => {
    const since = c.covariates.filter((x) => x.h <= r.h && (i === 0 || x.h > prev));
    prev = r.h;
    const cov = (n: string): string => {
      const x = since.filter((y) => y.name === n).pop();
      return x ? String(x.value) : '';
    };
    return [
      'p1',
      String(r.h - zeroH),
      r.cells.EVID,
      r.cells.AMT ?? '',
      r.cells.RATE ?? '',
      r.cells.MDV,
      r.cells.DV ?? '.',
      r.cells.LLOQ ?? '',
      ...names.map(cov),
    ].join(',');
  });
  return { text: [header.join(','), ...lines].join('\n') + '\n', zeroH };
}

describe('one twin: the CLI, the service and the browser agree', () => {
  let t: TestApp;
  let presc: string;
  let pharm: string;
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-conformance-'));
  before(async () => {
    t = await testApp('sqlite');
    presc = (await userWithToken(t.app, 'prescriber', 'icu')).auth;
    pharm = (await userWithToken(t.app, 'pharmacologist', 'pharmacology')).auth;
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const call = async (auth: string, url: string, payload?: unknown) => {
    const r = await t.app.inject({
      method: payload === undefined ? 'GET' : 'POST',
      url,
      headers: { authorization: auth },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    assert.ok(r.statusCode < 300, `${url}: ${r.statusCode} ${r.body}`);
    return r.json();
  };

  CASES.forEach((c, n) =>
    test(c.name, async () => {
      // ---- the service: the record, the request, the analysis.
      const p = await call(presc, '/api/patients', {
        identity: {
          familyName: 'Conformance',
          givenName: `Case ${n}`,
          birthDate: '1968-04-02',
          hospitalNumber: `CONF-${n}`,
        },
        sex: 'male',
      });
      for (const x of c.covariates)
        await call(presc, `/api/patients/${p.id}/covariates`, {
          at: at(x.h),
          name: x.name,
          value: x.value,
          unit: x.unit,
        });
      for (const d of c.doses)
        await call(presc, `/api/patients/${p.id}/administrations`, {
          at: at(d.h),
          amount: d.amount,
          unit: d.unit,
          route: d.route,
          ...(d.durationH ? { duration: { value: d.durationH, unit: 'h' } } : {}),
          product: d.product,
        });
      for (const l of c.levels)
        await call(presc, `/api/patients/${p.id}/samples`, {
          at: at(l.h),
          value: l.value,
          unit: l.unit,
          matrix: 'serum',
          assay: 'immunoassay',
          lloq: l.lloq,
        });
      const rq = await call(presc, '/api/requests', { patientId: p.id, ...c.subject, question: c.name });
      const api: Analysis = await call(pharm, `/api/requests/${rq.id}/analyses`, {
        ...(c.loadingTarget ? { loadingTarget: c.loadingTarget } : {}),
        ...(c.startWhenBelow ? { startWhenBelow: c.startWhenBelow } : {}),
        ...(c.mic ? { mic: c.mic, fu: c.fu } : {}),
      });
      assert.ok(api.candidates.length > 0, `${c.name}: no candidate`);

      // ---- the CLI, on the same record written as a CSV with units.
      const { text, zeroH } = csvOf(c);
      const file = join(dir, `case-${n}.csv`);
      writeFileSync(file, text);
      const args = [
        'recommend',
        ...('drug' in c.subject ? ['--drug', c.subject.drug] : ['--model', c.subject.modelId]),
        '--data',
        file,
        '--max-candidates',
        '5',
        ...(c.loadingTarget ? ['--loading-target', c.loadingTarget] : []),
        ...(c.startWhenBelow
          ? ['--start-when-below', `${c.startWhenBelow.value} ${c.startWhenBelow.unit}`]
          : []),
        ...(c.mic ? ['--mic', String(c.mic.value), '--fu', String(c.fu)] : []),
      ];
      if ('drug' in c.subject) {
        // The drug level takes its space from the drug's products, as the service does.
        const space = api.candidates.map((x) => x.regimen);
        args.push(
          '--interval',
          [...new Set(space.map((r) => r.interval.value))].join(','),
          '--duration',
          '1,2',
          '--strengths',
          '500,1000',
          '--target',
          ...api.targets.map((x) => x.text),
        );
      }
      const run = dosetwin(...args);
      assert.equal(run.code, 0, run.stderr);
      const cli = JSON.parse(run.stdout.trim().split('\n').pop()!);
      // Candidates: the same regimens, starts, exposures and PTA.
      assert.equal(cli.candidates.length, api.candidates.length, 'number of candidates');
      api.candidates.forEach((a, k) => {
        const b = cli.candidates[k];
        const what = `${c.name} #${k + 1}`;
        close(b.dose, a.regimen.dose.value, `${what} dose`);
        close(b.interval, a.regimen.interval.value, `${what} interval`);
        close(b.duration, a.regimen.duration?.value ?? 0, `${what} infusion`);
        sameTime(b.start + zeroH, a.regimen.start!, `${what} start`);
        close(b.loadingDose, a.regimen.loading?.dose.value ?? 0, `${what} loading dose`);
        a.metrics.forEach((m) => close(b.metrics[m.metric], m.value, `${what} ${m.metric}`));
        close(b.pta.all, a.pta!.all, `${what} PTA`);
        a.pta!.each.forEach((x, j) => close(b.pta.each[j], x, `${what} PTA ${j}`));
      });
      // The same warnings.
      const codes = (ws: { code: string }[]): string[] => [...new Set(ws.map((w) => w.code))].sort();
      assert.deepEqual(codes(cli.warnings), codes(api.warnings), `${c.name}: warning codes`);
      if (c.startWhenBelow) {
        assert.ok(api.nextDose && cli.nextDose);
        sameTime(cli.nextDose.time + zeroH, api.nextDose.at, 'next dose time');
        close(cli.nextDose.probabilityBelow, api.nextDose.probabilityBelow!, 'P(level below) then');
      }

      // ---- the browser's twin (the worker's code), on the analysis's stored inputs.
      const session = createSession(async () => []);
      let id = 0;
      const ask = async <T extends FromWorker['type']>(m: Ask): Promise<Extract<FromWorker, { type: T }>> => {
        const { reply } = await session.handle({ ...m, id: ++id } as ToWorker);
        assert.notEqual(reply.type, 'error', JSON.stringify(reply));
        return reply as Extract<FromWorker, { type: T }>;
      };
      const ready = await ask<'ready'>({
        type: 'init',
        source:
          api.kind === 'drug'
            ? {
                kind: 'drug',
                inputs: {
                  ...api.inputs,
                  drug: api.inputs.drug!,
                  formulation: api.inputs.formulation ?? null,
                },
              }
            : { kind: 'model', inputs: api.inputs },
      });
      for (const code of codes(ready.info.warnings))
        assert.ok(codes(api.warnings).includes(code), `worker warning ${code}`);
      for (const a of api.candidates) {
        const what = `${c.name} #${a.rank} (browser)`;
        if (api.kind === 'drug') {
          const avg = await ask<'average'>({ type: 'average', regimen: a.regimen });
          a.metrics.forEach((m, k) => close(avg.averaged.metrics[k].value, m.value, `${what} ${m.metric}`));
          close(avg.averaged.pta!.all, a.pta!.all, `${what} PTA`);
          for (const m of a.models!) {
            const row = avg.rows.find((r) => r.modelId === m.id)!;
            close(row.weight!, m.weight, `${what} weight of ${m.id}`);
            m.metrics.forEach((x, k) => close(row.metrics[k].value, x.value, `${what} ${m.id} ${x.metric}`));
          }
        } else {
          const f = await ask<'forecast'>({ type: 'forecast', regimen: a.regimen });
          a.metrics.forEach((m, k) => close(f.f.metrics[k].value, m.value, `${what} ${m.metric}`));
          const pta = await ask<'attainment'>({ type: 'attainment', regimens: [a.regimen] });
          close(pta.pta[0]!.all, a.pta!.all, `${what} PTA`);
        }
      }
      // The exposure of each past sampled interval: the service's, the CLI fit's and the browser's.
      if (c.intervals) {
        const fit = dosetwin(
          'fit',
          '--model',
          (c.subject as { modelId: string }).modelId,
          '--data',
          file,
          '--threads',
          '1',
        );
        assert.equal(fit.code, 0, fit.stderr);
        const line = JSON.parse(fit.stdout.trim().split('\n')[0]);
        assert.ok(api.fit.intervals.length > 0);
        assert.equal(line.exposure.length, api.fit.intervals.length);
        api.fit.intervals.forEach((x, k) => {
          close(line.exposure[k].auc, x.auc, `interval ${k} AUC (CLI fit)`);
          close(line.exposure[k].cmin, x.cmin, `interval ${k} Cmin (CLI fit)`);
          close(ready.info.intervals[k].auc, x.auc, `interval ${k} AUC (browser)`);
          sameTime(line.exposure[k].from + zeroH, x.from, `interval ${k} start`);
        });
      }
    }),
  );
});
