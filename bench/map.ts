// MAP estimation throughput (issue 9, acceptance 4): fits per second per core on the NONMEM
// benchmark models (../shared/reference/map-benchmark) and on the library's voriconazole model,
// single thread, against mapbayr's timings quoted in issues 9 and 17 (measured by the issues'
// author, single thread). Time is the process's CPU time (user + system) over the timed fits, so
// that other processes on a shared machine slow the figures down as little as possible.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CompiledModel,
  createRng,
  loadModel,
  MapEstimator,
  type MapOptions,
  parseDataset,
  type PatientData,
  patientFromRecords,
  type RecordInput,
  Simulator,
} from '@dosetwin/engine';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = resolve(REPO, '../shared/reference/map-benchmark');
const MODELS = resolve(REPO, 'packages/engine/test-models/map-benchmark');

interface Case {
  run: string;
  label: string;
  /** mapbayr ms per patient (issue 9 by model family; issue 17 for voriconazole), null if none. */
  mapbayrMs: number | null;
  patients: number;
  options?: MapOptions;
  /** The model and patients, when not a run of the shared benchmark. */
  load?: () => { model: CompiledModel; patients: PatientData[] };
}

/**
 * mapbayr ms per patient from issue 9, by model family: 1-cpt closed form 70, 1-cpt ODE 114,
 * 2-cpt 188, Michaelis–Menten 226, parent + metabolite 285; voriconazole 2 114 (issue 17). Mapping
 * of the benchmark runs to those families (an assumption where the issue names no run): 001, 003
 * (+ lag), 301 (+ covariates) → 1-cpt closed form; 004 (modelled zero-order input) → 1-cpt ODE;
 * 101, 901 → 2-cpt. Issue 17 quotes no mapbayr time for run921.
 */
const CASES: Case[] = [
  { run: 'run001', label: '1-cpt oral, closed form', mapbayrMs: 70, patients: 500 },
  { run: 'run003', label: '1-cpt oral + lag, closed form', mapbayrMs: 70, patients: 500 },
  {
    run: 'run004',
    label: '1-cpt, modelled infusion duration (linear ODE, exact)',
    mapbayrMs: 114,
    patients: 500,
  },
  { run: 'run101', label: '2-cpt oral, closed form', mapbayrMs: 188, patients: 500 },
  {
    run: 'run201',
    label: 'Michaelis–Menten, ODE, sensitivities (rtol 1e-8, atol 1e-4·rtol·peak, ≥ 1e-12)',
    mapbayrMs: 226,
    patients: 100,
  },
  {
    run: 'run201',
    label: 'Michaelis–Menten, ODE, sensitivities (rtol = atol = 1e-6)',
    mapbayrMs: 226,
    patients: 100,
    options: { simulator: { ode: { rtol: 1e-6, atol: 1e-6 } } },
  },
  { run: 'run301', label: '1-cpt oral, time-varying covariates, closed form', mapbayrMs: 70, patients: 500 },
  { run: 'run401', label: 'parent + metabolite (linear ODE, exact)', mapbayrMs: 285, patients: 500 },
  { run: 'run901', label: 'carboplatin 2-cpt IV, closed form', mapbayrMs: 188, patients: 500 },
  {
    run: 'run921',
    label: 'pazopanib, 2 lagged depots + 2-cpt, 6 etas (linear ODE, exact)',
    mapbayrMs: null,
    patients: 500,
  },
  {
    run: 'voriconazole',
    label: 'voriconazole/friberg2012-adult (MM + linear CL, 3 ODEs, 6 etas; simulated patients)',
    mapbayrMs: 2114,
    patients: 50,
    load: voriconazole,
  },
];

/**
 * The library's voriconazole model (packages/models/voriconazole/friberg2012-adult.dtm) and 100
 * virtual adults (seed 17): weight 50–95 kg, CYP2C19 IM/PM for one in four; 400 mg orally every
 * 12 h twice, then 200 mg every 12 h up to day 7; levels at 23.5 h (trough), 26 h (peak), 95.5 h
 * and 155.5 h (troughs), simulated at etas drawn from Ω with the model's log-normal residual error.
 * mapbayr's 2 114 ms (issue 17) was measured on the study's own voriconazole patients, which are not
 * in the shared references: the design here is comparable (oral regimen, sparse levels), not equal.
 */
function voriconazole(): { model: CompiledModel; patients: PatientData[] } {
  const file = resolve(REPO, 'packages/models/voriconazole/friberg2012-adult.dtm');
  const model = loadModel(readFileSync(file, 'utf8'), file);
  const ir = model.ir;
  const rng = createRng(17);
  const sim = new Simulator(model);
  const sd = ir.omega.map((row, k) => Math.sqrt(row[k]));
  const residualSd = ir.errors[0].propSd;
  const patients: PatientData[] = [];
  for (let i = 0; i < 100; i++) {
    const cov = [50 + ((i * 37) % 46), i % 4 === 3 ? 1 : 0];
    const rows: RecordInput[] = [
      { time: 0, amt: 400, cmt: 1, ii: 12, addl: 1, cov },
      { time: 23.5, evid: 0, cmt: 2, cov },
      { time: 24, amt: 200, cmt: 1, ii: 12, addl: 11, cov },
      { time: 26, evid: 0, cmt: 2, cov },
      { time: 95.5, evid: 0, cmt: 2, cov },
      { time: 155.5, evid: 0, cmt: 2, cov },
    ];
    const p0 = patientFromRecords(String(i + 1), rows, cov.length);
    const eta = sd.map((s) => s * rng.normal());
    const c = new Float64Array(p0.n);
    sim.run(p0, eta, c);
    for (const r of rows) if (r.evid === 0) r.dv = c[rows.indexOf(r)] * Math.exp(residualSd * rng.normal());
    patients.push(patientFromRecords(String(i + 1), rows, cov.length));
  }
  return { model, patients };
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function benchMap(only?: readonly string[]): Promise<string> {
  const rows: string[] = [];
  for (const c of CASES) {
    if (only && only.length && !only.includes(c.run)) continue;
    let model: CompiledModel;
    let patients: PatientData[];
    if (c.load) ({ model, patients } = c.load());
    else {
      model = loadModel(readFileSync(resolve(MODELS, `${c.run}.dtm`), 'utf8'), `${c.run}.dtm`);
      patients = parseDataset(readFileSync(resolve(BENCH, c.run, 'data.csv'), 'utf8'), model.ir).patients;
    }
    patients = patients.slice(0, c.patients);
    const est = new MapEstimator(model, c.options ?? {});
    // Warm-up (JIT: the optimising compiler's threads count in the process's CPU time) on up to
    // 100 patients, then timed passes over all: the fastest of at least 3 and up to 20, passes
    // continuing while they have taken less than 3 s in all (never beyond 30 s). The machine may be
    // shared, and interference only slows a pass; a fast model's pass lasts tens of milliseconds,
    // and 3 of them were still paying for the optimising compiler (up to twice the steady cost).
    for (const p of patients.slice(0, 100)) est.fit(p);
    let runs = 0;
    let iterations = 0;
    let notConverged = 0;
    let multimodal = 0;
    const runsPerFit: number[] = [];
    let ms = Infinity;
    let spent = 0;
    for (let pass = 0; pass < 20 && spent < (pass < 3 ? 30000 : 3000); pass++) {
      runs = iterations = notConverged = multimodal = 0;
      runsPerFit.length = 0;
      const t0 = cpuMs();
      for (const p of patients) {
        const f = est.fit(p);
        runs += f.runs;
        runsPerFit.push(f.runs);
        iterations += f.iterations;
        if (!f.converged) notConverged++;
        if (f.otherModes.length) multimodal++;
      }
      const dt = cpuMs() - t0;
      spent += dt;
      ms = Math.min(ms, dt / patients.length);
    }
    runsPerFit.sort((a, b) => a - b);
    const median = runsPerFit[runsPerFit.length >> 1];
    rows.push(
      `| ${c.run} | ${c.label} | ${patients.length} | ${(1000 / ms).toFixed(0)} | ${ms < 1 ? ms.toFixed(3) : ms.toFixed(1)} | ` +
        `${(runs / patients.length).toFixed(0)} | ${median} | ${(iterations / patients.length).toFixed(1)} | ${notConverged} | ${multimodal} | ` +
        `${c.mapbayrMs ?? '—'} | ${c.mapbayrMs ? `${(c.mapbayrMs / ms).toFixed(0)}×` : '—'} |`,
    );
    console.error(`  MAP ${c.run}: ${ms.toFixed(3)} ms/fit`);
  }
  return [
    '## MAP estimation (one core)',
    '',
    'Patients of each model of the NONMEM benchmark (first 100 for the numerical-ODE model), and 50',
    'simulated voriconazole patients; warm-up on 100, then the fastest of 3 to 20 timed passes (more',
    'while under 3 s in all, never beyond 30 s) in the CPU time of the process. A fit = MAP etas with the restart rules',
    'and the global search (rule 7), then the conditional covariance (ETC) and NONMEM OBJ at the mode.',
    '"runs" = simulations of the patient (a sensitivity solve counts as one), mean and median per fit;',
    '"2nd mode" = fits reporting another mode within 6 objective units.',
    'mapbayr: ms per patient quoted in issue 9 by model family, and in issue 17 for voriconazole',
    '(single thread). Goals (issue 17): ≥ 1000× closed forms, ≥ 300× linear ODEs, ≥ 30× non-linear.',
    'Voriconazole: the library model and 100 virtual adults (seed 17; 400 mg twice then 200 mg every',
    '12 h orally to day 7; levels at 23.5, 26, 95.5 and 155.5 h); mapbayr’s time is on the study’s',
    'own voriconazole patients, which are not shared: a comparable design, not the same data.',
    'run201 at rtol = atol = 1e-6: faster, but OBJ and ETC then differ from NONMEM’s by up to',
    '1.7e-4 and 4e-3 (the default tolerances: 8e-9 and 1.7e-7).',
    '',
    '| run | model | patients | fits/s | ms/fit | runs/fit | median runs | iterations/fit | not converged | 2nd mode | mapbayr ms | speed-up |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}
