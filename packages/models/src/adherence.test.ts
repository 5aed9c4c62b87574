// Real dose times: the prescription as the default history, explicit missed, late and extra
// doses, a pill box's openings, the estimate with prescribed vs real times, adherence bands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { curveOn, DosetwinError, regimenPatient } from '@dosetwin/engine';
import {
  ADHERENCE_PATTERNS,
  adherenceEffect,
  adherenceScenarios,
  type DoseEvent,
  doseHistory,
  historyEffect,
  pillBoxRecords,
  type Prescription,
  type PrescriptionPeriod,
  readPillBoxCsv,
  realAdministrations,
} from './adherence.ts';
import { clinicalTwin, futureRegimen } from './analysis.ts';

const prescription: Prescription = {
  regimen: {
    dose: { value: 8, unit: 'mg' },
    interval: { value: 12, unit: 'h' },
    route: 'oral',
    duration: null,
    start: '2026-12-01T08:00+01:00',
    loading: null,
  },
  until: '2026-12-03T20:00+01:00',
  product: 'Prograf',
};

const issuesOf = (f: () => unknown): { code: string; field: string }[] => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DosetwinError);
    return e.issues.map((i) => ({ code: i.code, field: i.field }));
  }
  return [];
};

test('the prescription is the default history; a missed dose is removed, a late one moved, an extra one added', () => {
  const events: DoseEvent[] = [
    { dueAt: '2026-12-02T20:00+01:00', status: 'missed', takenAt: null, amount: null, source: 'diary' },
    {
      dueAt: '2026-12-03T08:00+01:00',
      status: 'late',
      takenAt: '2026-12-03T10:30+01:00',
      amount: null,
      source: 'diary',
    },
    {
      dueAt: null,
      status: 'extra',
      takenAt: '2026-12-01T14:00+01:00',
      amount: { value: 4, unit: 'mg' },
      source: 'diary',
    },
  ];
  const none = realAdministrations(prescription, []);
  assert.deepEqual(
    none.administrations.map((a) => a.at),
    [
      '2026-12-01T08:00+01:00',
      '2026-12-01T20:00+01:00',
      '2026-12-02T08:00+01:00',
      '2026-12-02T20:00+01:00',
      '2026-12-03T08:00+01:00',
      '2026-12-03T20:00+01:00',
    ],
  );
  const r = realAdministrations(prescription, events);
  assert.deepEqual(
    r.administrations.map((a) => [a.at, a.amount, a.unit]),
    [
      ['2026-12-01T08:00+01:00', 8, 'mg'],
      ['2026-12-01T14:00+01:00', 4, 'mg'],
      ['2026-12-01T20:00+01:00', 8, 'mg'],
      ['2026-12-02T08:00+01:00', 8, 'mg'],
      ['2026-12-03T10:30+01:00', 8, 'mg'],
      ['2026-12-03T20:00+01:00', 8, 'mg'],
    ],
  );
  assert.deepEqual(
    r.statuses.map((s) => s.status),
    ['taken', 'taken', 'taken', 'missed', 'late', 'taken'],
  );
});

test('DT_ADHERENCE names the event: a due time not prescribed, a late dose taken before it was due, a missed dose with a time, an extra dose without amount, two records of one dose', () => {
  const e = (x: Partial<DoseEvent>): DoseEvent => ({
    dueAt: '2026-12-02T20:00+01:00',
    status: 'missed',
    takenAt: null,
    amount: null,
    source: 'diary',
    ...x,
  });
  assert.deepEqual(
    issuesOf(() => realAdministrations(prescription, [e({ dueAt: '2026-12-02T21:00+01:00' })])),
    [{ code: 'DT_ADHERENCE', field: 'events[0].dueAt' }],
  );
  assert.deepEqual(
    issuesOf(() =>
      realAdministrations(prescription, [e({ status: 'late', takenAt: '2026-12-02T19:00+01:00' })]),
    ),
    [{ code: 'DT_ADHERENCE', field: 'events[0].takenAt' }],
  );
  assert.deepEqual(
    issuesOf(() => realAdministrations(prescription, [e({ takenAt: '2026-12-02T21:00+01:00' })])),
    [{ code: 'DT_ADHERENCE', field: 'events[0].takenAt' }],
  );
  assert.deepEqual(
    issuesOf(() =>
      realAdministrations(prescription, [
        e({ dueAt: null, status: 'extra', takenAt: '2026-12-02T21:00+01:00' }),
      ]),
    ),
    [{ code: 'DT_ADHERENCE', field: 'events[0].amount' }],
  );
  assert.deepEqual(
    issuesOf(() => realAdministrations(prescription, [e({}), e({})])),
    [{ code: 'DT_ADHERENCE', field: 'events[1].dueAt' }],
  );
  assert.deepEqual(
    issuesOf(() => realAdministrations(prescription, [e({ dueAt: '2026-12-02 20:00' })])),
    [{ code: 'DT_ADHERENCE', field: 'events[0].dueAt' }],
  );
});

test('pill box CSV: an opening within 1 h is on time, a later one late, a second one extra, a dose without opening missed; errors name the line', () => {
  const csv = [
    'device,opened_at',
    'box-7,2026-12-01T08:05+01:00',
    'box-7,2026-12-01T20:10+01:00',
    'box-7,2026-12-02T21:45+01:00',
    'box-7,2026-12-02T22:00+01:00',
    'box-7,2026-12-03T07:00+01:00',
    'box-7,2026-12-03T20:00+01:00',
    '',
  ].join('\n');
  assert.deepEqual(readPillBoxCsv(csv, prescription), [
    { dueAt: '2026-12-02T08:00+01:00', status: 'missed', takenAt: null, amount: null, source: 'pillbox' },
    {
      dueAt: '2026-12-02T20:00+01:00',
      status: 'late',
      takenAt: '2026-12-02T21:45+01:00',
      amount: null,
      source: 'pillbox',
    },
    {
      dueAt: null,
      status: 'extra',
      takenAt: '2026-12-02T22:00+01:00',
      amount: { value: 8, unit: 'mg' },
      source: 'pillbox',
    },
  ]);
  assert.deepEqual(
    issuesOf(() => readPillBoxCsv('device,time\nbox,2026-12-01T08:00+01:00', prescription)),
    [{ code: 'DT_PILLBOX_CSV', field: 'line 1' }],
  );
  assert.deepEqual(
    issuesOf(() => readPillBoxCsv('opened_at\n2026-12-01T08:00+01:00\n2026-12-01 20:00\n', prescription)),
    [{ code: 'DT_PILLBOX_CSV', field: 'line 3' }],
  );
  assert.deepEqual(
    issuesOf(() =>
      readPillBoxCsv('opened_at\n2026-12-01T20:00+01:00\n2026-12-01T08:00+01:00\n', prescription),
    ),
    [{ code: 'DT_PILLBOX_CSV', field: 'line 3' }],
  );
  assert.deepEqual(
    issuesOf(() => readPillBoxCsv('opened_at\n', prescription)),
    [{ code: 'DT_PILLBOX_CSV', field: 'line 2' }],
  );
});

const COV = [
  { at: '2026-12-01T07:00+01:00', name: 'HCT', value: 35, unit: '%' },
  { at: '2026-12-01T07:00+01:00', name: 'CYP3A5', value: 1, unit: '-' },
];

test('a trough after a forgotten evening dose: fitted with the real times, CL/F is the typical 42.4 L/h (rel. 1e-2, the MAP’s convergence); with the prescribed times it reads ≥ 15 % higher, and the output says so', () => {
  // The level is the typical CYP3A5 expresser's (Woillard 2011) after the real history, so the
  // real-time fit's mode is the typical patient; the prescribed history explains it with a higher CL.
  const events: DoseEvent[] = [
    { dueAt: '2026-12-03T20:00+01:00', status: 'missed', takenAt: null, amount: null, source: 'diary' },
  ];
  const p: Prescription = { ...prescription, until: '2026-12-03T20:00+01:00' };
  const real = realAdministrations(p, events).administrations;
  const base = { patientId: 'p1', modelId: 'tacrolimus/woillard2011-prograf', targets: [], covariates: COV };
  const typical = clinicalTwin({ ...base, administrations: real, samples: [] }, { samples: 0 });
  const troughMs = Date.parse('2026-12-04T07:55+01:00');
  const [level] = curveOn(typical.twin.sim, typical.twin.history, null, [typical.toTime(troughMs)]);
  const samples = [
    {
      at: '2026-12-04T07:55+01:00',
      value: level,
      unit: 'ug/L',
      matrix: 'whole blood',
      assay: 'LC-MS/MS',
      lloq: null,
    },
  ];
  const effect = adherenceEffect({ ...base, samples }, p, events);
  assert.ok(Math.abs(effect.real.CL / 42.4 - 1) < 1e-2, `real-time CL ${effect.real.CL}`);
  assert.ok(effect.prescribed.CL > 1.15 * effect.real.CL, `prescribed-time CL ${effect.prescribed.CL}`);
  assert.ok(effect.change.CL < -0.15);
  assert.equal(effect.largest!.name in effect.change, true);
  assert.equal(effect.missed, 1);
});

test('adherence bands: with full adherence the median when the dose of day 14 is due is the steady-state level then (rel. 1e-3); one dose in ten missed spends more time below 5 ng/mL; seeded', () => {
  const ct = clinicalTwin(
    {
      patientId: 'p1',
      modelId: 'tacrolimus/woillard2011-prograf',
      targets: [],
      covariates: COV,
      administrations: realAdministrations(prescription, []).administrations,
      samples: [],
    },
    { samples: 0 },
  );
  const regimen = { ...prescription.regimen, start: '2026-12-04T08:00+01:00' };
  const patterns = ADHERENCE_PATTERNS;
  assert.deepEqual(
    patterns.map((x) => x.id),
    ['every-dose', 'missed-1-in-10', 'weekend-late-3h'],
  );
  const bands = adherenceScenarios(ct, regimen, patterns, {
    days: 14,
    realisations: 10,
    below: { value: 5, unit: 'ng/mL' },
  });
  // The level when a dose is due at steady state, from the engine's periodic steady-state solution (SS = 1).
  const fr = futureRegimen(ct, regimen);
  const [ss] = curveOn(ct.twin.sim, regimenPatient(ct.twin.history, fr, { steadyState: true }), null, [
    fr.start,
  ]);
  const last = bands[0].ms.length - 1; // 14 days after the first dose: a dose is due then
  assert.ok(Math.abs(bands[0].p50[last] / ss - 1) < 1e-3, `day-14 median ${bands[0].p50[last]} vs ${ss}`);
  assert.equal(bands[0].p5[last], bands[0].p95[last]);
  assert.ok(bands[1].fractionBelow! > bands[0].fractionBelow!);
  assert.ok(bands[1].p5[last] < bands[0].p5[last]);
  // The levels when each dose is due: the last one is one second before the end, on the curve.
  const tr = bands[0].troughs;
  assert.equal(tr.ms.length, 28);
  assert.equal(tr.ms[27], bands[0].ms[last] - 1000);
  assert.ok(Math.abs(tr.p50[27] / bands[0].p50[last] - 1) < 1e-3);
  const again = adherenceScenarios(ct, regimen, patterns, { days: 14, realisations: 10 });
  assert.deepEqual(again[1].p50, bands[1].p50);
});

// Two prescriptions (8 mg, then 6 mg from 3 Dec 08:00), administrations recorded by the ward and
// the patient's records: the history the service's analysis uses.
const periods: PrescriptionPeriod[] = [
  { regimen: prescription.regimen, product: 'Prograf', until: null },
  {
    regimen: { ...prescription.regimen, dose: { value: 6, unit: 'mg' }, start: '2026-12-03T08:00+01:00' },
    product: 'Prograf',
    until: null,
  },
];
const ward = (at: string, amount = 8) => ({
  at,
  amount,
  unit: 'mg',
  route: 'oral' as const,
  duration: null,
  product: 'Prograf',
});

test('dose history: each prescription until the next one starts, an administration at a due time is that dose (not doubled), one at another time an extra dose, records applied', () => {
  const h = doseHistory({
    prescriptions: periods,
    administrations: [ward('2026-12-01T08:00+01:00'), ward('2026-12-01T14:00+01:00', 2)],
    events: [
      { dueAt: '2026-12-02T20:00+01:00', status: 'missed', takenAt: null, amount: null, source: 'diary' },
      {
        dueAt: '2026-12-03T08:00+01:00',
        status: 'late',
        takenAt: '2026-12-03T10:30+01:00',
        amount: null,
        source: 'pillbox',
      },
    ],
    until: '2026-12-03T21:00+01:00',
  });
  assert.deepEqual(
    h.administrations.map((a) => [a.at, a.amount]),
    [
      ['2026-12-01T08:00+01:00', 8],
      ['2026-12-01T14:00+01:00', 2],
      ['2026-12-01T20:00+01:00', 8],
      ['2026-12-02T08:00+01:00', 8],
      ['2026-12-03T10:30+01:00', 6],
      ['2026-12-03T20:00+01:00', 6],
    ],
  );
  assert.deepEqual(
    h.prescribed.map((a) => [a.at, a.amount]),
    [
      ['2026-12-01T08:00+01:00', 8],
      ['2026-12-01T14:00+01:00', 2],
      ['2026-12-01T20:00+01:00', 8],
      ['2026-12-02T08:00+01:00', 8],
      ['2026-12-02T20:00+01:00', 8],
      ['2026-12-03T08:00+01:00', 6],
      ['2026-12-03T20:00+01:00', 6],
    ],
  );
  assert.deepEqual(
    h.statuses.map((x) => x.status),
    ['taken', 'taken', 'taken', 'missed', 'late', 'taken'],
  );
  // Doses due after `until` are not in it yet; a prescription's end stops it.
  const ended = doseHistory({
    prescriptions: [{ ...periods[0], until: '2026-12-02T08:00+01:00' }],
    administrations: [],
    events: [],
    until: '2026-12-09T00:00+01:00',
  });
  assert.equal(ended.administrations.length, 3);
});

test('dose history: DT_ADHERENCE names the record (its service name) — a missed record of a dose recorded as given, a due time no prescription has, two records of one dose', () => {
  const missed = (dueAt: string): DoseEvent => ({
    dueAt,
    status: 'missed',
    takenAt: null,
    amount: null,
    source: 'diary',
  });
  const run = (events: DoseEvent[], administrations = [ward('2026-12-01T20:00+01:00')]) =>
    issuesOf(() =>
      doseHistory({
        prescriptions: periods,
        administrations,
        events,
        until: '2026-12-03T21:00+01:00',
        eventFields: events.map((_, k) => `adherence[r${k}]`),
      }),
    );
  assert.deepEqual(run([missed('2026-12-01T20:00+01:00')]), [
    { code: 'DT_ADHERENCE', field: 'adherence[r0].dueAt' },
  ]);
  assert.deepEqual(run([missed('2026-11-30T20:00+01:00')]), [
    { code: 'DT_ADHERENCE', field: 'adherence[r0].dueAt' },
  ]);
  assert.deepEqual(run([missed('2026-12-02T08:00+01:00'), missed('2026-12-02T08:00+01:00')]), [
    { code: 'DT_ADHERENCE', field: 'adherence[r1].dueAt' },
  ]);
  // A due time after `until` is not prescribed yet.
  assert.deepEqual(run([missed('2026-12-04T08:00+01:00')]), [
    { code: 'DT_ADHERENCE', field: 'adherence[r0].dueAt' },
  ]);
});

test('pill box against the prescriptions: only the doses due while the box was used count (none missed before its first opening), the dose of the prescription then in force', () => {
  const csv = [
    'opened_at',
    '2026-12-02T08:10+01:00',
    '2026-12-03T09:45+01:00',
    '2026-12-03T20:05+01:00',
  ].join('\n');
  assert.deepEqual(pillBoxRecords(csv, periods, '2026-12-05T00:00+01:00'), [
    { dueAt: '2026-12-02T20:00+01:00', status: 'missed', takenAt: null, amount: null, source: 'pillbox' },
    {
      dueAt: '2026-12-03T08:00+01:00',
      status: 'late',
      takenAt: '2026-12-03T09:45+01:00',
      amount: null,
      source: 'pillbox',
    },
  ]);
  assert.deepEqual(
    issuesOf(() => pillBoxRecords('opened_at\n2026-11-20T08:00+01:00\n', periods, '2026-12-05T00:00+01:00')),
    [{ code: 'DT_PILLBOX_CSV', field: 'line 2' }],
  );
});

test('the effect of a dose history equals the effect of the same prescription and records (one implementation of the two fits)', () => {
  const events: DoseEvent[] = [
    { dueAt: '2026-12-02T20:00+01:00', status: 'missed', takenAt: null, amount: null, source: 'diary' },
  ];
  const samples = [
    {
      at: '2026-12-03T07:55+01:00',
      value: 4.1,
      unit: 'ng/mL',
      matrix: 'whole blood',
      assay: 'LC-MS/MS',
      lloq: null,
    },
  ];
  const base = {
    patientId: 'p1',
    modelId: 'tacrolimus/woillard2011-prograf',
    targets: [],
    covariates: COV,
    samples,
  };
  const p: Prescription = { ...prescription, until: '2026-12-03T07:55+01:00' };
  const h = doseHistory({
    prescriptions: [{ regimen: p.regimen, product: p.product, until: null }],
    administrations: [],
    events,
    until: p.until,
  });
  assert.deepEqual(historyEffect(base, h, events), adherenceEffect(base, p, events));
  assert.ok(historyEffect(base, h, events).change.CL < 0);
});
