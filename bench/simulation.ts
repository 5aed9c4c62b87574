// Simulation throughput (issue 2, acceptance 4): patients/s and concentrations/s, one core.
import { compileModel, parseModel, patientFromRecords, type RecordInput, Simulator } from '@dosetwin/engine';
import { createRng } from '../packages/engine/src/simulate/rng.ts';

const HEAD = 'model bench/m version 1\nunits dose mg | time h | conc mg/L\n';
const ERR = 'error\n  CP ~ prop(0.1)\n';
const MODELS: { name: string; src: string; solver?: 'numerical' }[] = [
  {
    name: '1-cpt oral, closed form',
    src: `${HEAD}parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 70 L "v"\n  TVKA 1 1/h "ka"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.1  eta_KA ~ 0.1\nequations\n  CL = TVCL*exp(eta_CL)\n  V = TVV*exp(eta_V)\n  KA = TVKA*exp(eta_KA)\n  pk one_cmt(cl = CL, v = V, ka = KA)\n  CP = central / V\n${ERR}`,
  },
  {
    name: '2-cpt oral, closed form',
    src: `${HEAD}parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 70 L "v"\n  TVKA 1 1/h "ka"\n  Q 4 L/h "q"\n  TVVP 50 L "vp"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.1  eta_KA ~ 0.1  eta_VP ~ 0.1\nequations\n  CL = TVCL*exp(eta_CL)\n  V = TVV*exp(eta_V)\n  KA = TVKA*exp(eta_KA)\n  VP = TVVP*exp(eta_VP)\n  pk two_cmt(cl = CL, v1 = V, q = Q, v2 = VP, ka = KA)\n  CP = central / V\n${ERR}`,
  },
  {
    name: 'Michaelis–Menten oral, ODE (DOPRI5/RODAS4, rtol 1e-8)',
    src: `${HEAD}parameters value unit label\n  TVVMAX 10000 mg/h "vmax"\n  TVV 70 L "v"\n  TVKA 1 1/h "ka"\n  TVKM 2500 mg/L "km"\nrandom\n  eta_VMAX ~ 0.1  eta_V ~ 0.1  eta_KA ~ 0.1  eta_KM ~ 0.1\ncompartments depot, central\nequations\n  VMAX = TVVMAX*exp(eta_VMAX)\n  V = TVV*exp(eta_V)\n  KA = TVKA*exp(eta_KA)\n  KM = TVKM*exp(eta_KM)\n  C = central / V\n  d/dt(depot) = -KA*depot\n  d/dt(central) = KA*depot - VMAX*C/(KM + C)\n  CP = C\n${ERR}`,
  },
];
const ODE_1CPT = `${HEAD}parameters value unit label\n  TVCL 4 L/h "cl"\n  TVV 70 L "v"\n  TVKA 1 1/h "ka"\nrandom\n  eta_CL ~ 0.1  eta_V ~ 0.1  eta_KA ~ 0.1\ncompartments depot, central\nequations\n  CL = TVCL*exp(eta_CL)\n  V = TVV*exp(eta_V)\n  KA = TVKA*exp(eta_KA)\n  d/dt(depot) = -KA*depot\n  d/dt(central) = KA*depot - CL/V*central\n  CP = central / V\n${ERR}`;
MODELS.push(
  { name: '1-cpt oral as linear ODEs, exact matrix exponential', src: ODE_1CPT },
  { name: '1-cpt oral as ODEs, numerical (DOPRI5, rtol 1e-8)', src: ODE_1CPT, solver: 'numerical' },
);

const N_PATIENTS = 10_000;
/** 14 doses of 5000 mg every 12 h, concentrations every 2 h over 7 days: 85 per patient. */
function regimen(): RecordInput[] {
  const rows: RecordInput[] = [{ time: 0, amt: 5000, cmt: 1, ii: 12, addl: 13 }];
  for (let t = 0; t <= 168; t += 2) rows.push({ time: t, evid: 0, cmt: 2 });
  return rows;
}

export function benchSimulation(): {
  markdown: string;
  rows: { name: string; patientsPerS: number; concPerS: number }[];
} {
  const rows: { name: string; patientsPerS: number; concPerS: number }[] = [];
  const p = patientFromRecords('1', regimen(), 0);
  const nObs = Array.from(p.evid).filter((e) => e === 0).length;
  for (const m of MODELS) {
    const model = compileModel(parseModel(m.src, 'bench.dtm'));
    const sim = new Simulator(model, m.solver ? { solver: m.solver } : {});
    const out = new Float64Array(p.n);
    const nEta = model.ir.etas.length;
    const rng = createRng(2026);
    const etas = Float64Array.from({ length: N_PATIENTS * nEta }, () => Math.sqrt(0.1) * rng.normal());
    const n = m.solver === 'numerical' || model.structure.kind === 'ode' ? N_PATIENTS / 10 : N_PATIENTS;
    // Warm-up (JIT), then the timed run.
    for (let i = 0; i < Math.min(500, n); i++) sim.run(p, etas.subarray(i * nEta, (i + 1) * nEta), out);
    let check = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      sim.run(p, etas.subarray(i * nEta, (i + 1) * nEta), out);
      check += out[p.n - 1];
    }
    const s = (performance.now() - t0) / 1000;
    if (!Number.isFinite(check)) throw new Error('non-finite prediction in benchmark');
    rows.push({
      name: `${m.name}${n < N_PATIENTS ? ` (${n} patients)` : ''}`,
      patientsPerS: n / s,
      concPerS: (n * nObs) / s,
    });
  }
  const fmt = (x: number): string =>
    x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
  const closed = rows[0].concPerS;
  const markdown = [
    '## Simulation throughput (one core)',
    '',
    `${N_PATIENTS} virtual patients per model (random etas, ω² 0.1), 14 oral doses q12h, ${nObs} concentrations per patient over 7 days.`,
    '',
    '| model | patients/s | concentrations/s | vs 1-cpt closed form |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.patientsPerS)} | ${fmt(r.concPerS)} | ${(closed / r.concPerS).toFixed(1)}× slower |`,
    ),
    '',
  ].join('\n');
  return { markdown, rows };
}
