// Population fitting (FOCE-I and SAEM): wall time on theophylline (theo_sd, 12 subjects; goal < 2 s)
// with the estimates beside nlmixr2's, and on 1 000 patients simulated from a two-compartment model
// (goal < 60 s on 2 cores; here single thread). Each fit includes its covariance step.
import {
  compileModel,
  fitFocei,
  fitSaem,
  modelParameters,
  parseModel,
  patientFromRecords,
  simulatePopulation,
  simulationReestimation,
  type PatientData,
  type PopFit,
} from '@dosetwin/engine';
import { loadavg } from 'node:os';
import { theophylline } from '../packages/engine/src/test-support/theophylline.ts';

const TWO_CPT = `model bench/two-cpt version 1
units dose mg | time h | conc mg/L
parameters value unit label
  TVCL 5 L/h "clearance"
  TVV1 30 L "central volume"
  TVQ 10 L/h "intercompartmental clearance"
  TVV2 50 L "peripheral volume"
random
  eta_CL ~ 0.09  eta_V1 ~ 0.09  eta_Q ~ 0.09  eta_V2 ~ 0.09
equations
  CL = TVCL * exp(eta_CL)
  V1 = TVV1 * exp(eta_V1)
  Q = TVQ * exp(eta_Q)
  V2 = TVV2 * exp(eta_V2)
  pk two_cmt(cl = CL, v1 = V1, q = Q, v2 = V2)
  CP = central / V1
error
  CP ~ prop(0.15)
`;

const secs = (t0: number): number => (performance.now() - t0) / 1000;
const f3 = (v: number): string => (Number.isFinite(v) ? v.toPrecision(4) : '—');

function row(label: string, fit: PopFit, s: number, goal: string): string {
  const th = Object.values(fit.theta).map(f3).join(', ');
  const om = fit.omega.matrix.map((r, i) => f3(r[i])).join(', ');
  const sg = Object.values(fit.sigma).map(f3).join(', ');
  return `| ${label} | ${s.toFixed(2)} s | ${goal} | ${fit.iterations} | ${fit.evaluations} | ${fit.ofv.toFixed(3)} | ${th} | ${om} | ${sg} |`;
}

export function benchPopfit(): string {
  const out: string[] = [
    '## Population fitting (FOCE-I, SAEM)',
    '',
    'One thread; each fit includes its covariance step (sandwich, FOCE-I). SAEM: seed 1, 200 + 200 iterations, ⌈50/N⌉ chains; its OFV is FOCE-I at its estimates.',
    '',
    '| data set, method | wall time | goal | iterations | FOCE-I evaluations | OFV | θ | ω² | σ (SD) |',
    '|---|---:|---:|---:|---:|---:|---|---|---|',
  ];
  const { model, patients } = theophylline();
  for (const method of ['focei', 'saem'] as const) {
    const t0 = performance.now();
    const fit = method === 'focei' ? fitFocei(model, patients) : fitSaem(model, patients, { seed: 1 });
    out.push(row(`theo_sd (12), ${method}`, fit, secs(t0), '< 2 s'));
  }
  out.push(
    '| nlmixr2 FOCE-I (reference) | | | | | 116.80 | 1.59, 2.75, 31.8 | 0.403, 0.0694, 0.0191 | 0.693 |',
    '| nlmixr2 SAEM (reference) | | | | | | 1.58, 2.74, 31.6 | | 0.696 |',
  );
  const two = compileModel(parseModel(TWO_CPT, 'two-cpt.dtm'));
  const designs: PatientData[] = Array.from({ length: 1000 }, (_, i) =>
    patientFromRecords(
      String(i + 1),
      [{ time: 0, amt: 500, cmt: 1 }, ...[0.5, 2, 6, 12, 24].map((t) => ({ time: t, evid: 0, cmt: 1 }))],
      0,
    ),
  );
  const sim = simulatePopulation(two, designs, 1).patients;
  for (const method of ['focei', 'saem'] as const) {
    console.error(`popfit: two-compartment, 1000 patients, ${method}…`);
    const t0 = performance.now();
    const fit = method === 'focei' ? fitFocei(two, sim) : fitSaem(two, sim, { seed: 1 });
    out.push(row(`2-cpt simulated (1000), ${method}`, fit, secs(t0), '< 60 s'));
  }
  out.push(
    '| 2-cpt truth | | | | | | 5, 30, 10, 50 | 0.09 × 4 | 0.15 |',
    '',
    `Load average at the end of these fits: ${loadavg()[0].toFixed(1)} (2 cores, shared): wall times scale with it.`,
    '',
  );
  out.push(...benchSse(theophylline()));
  return out.join('\n');
}

/**
 * Simulation–re-estimation (acceptance: coverage of the 95 % intervals within 90–98 %): 200 data
 * sets of 24 subjects on the theo_sd design simulated at nlmixr2's FOCE-I estimates, refitted by
 * FOCE-I with the sandwich covariance step.
 */
export function benchSse({ model, patients }: ReturnType<typeof theophylline>, replicates = 200): string[] {
  const designs = Array.from({ length: 24 }, (_, i) => ({ ...patients[i % 12], id: String(i + 1) }));
  const truth = modelParameters(model.ir);
  truth.theta.set([1.59, 2.75, 31.8]);
  truth.omega.set([0.4, 0, 0, 0, 0.07, 0, 0, 0, 0.02]);
  truth.addSd[0] = 0.69;
  const t0 = performance.now();
  const r = simulationReestimation(
    model,
    designs,
    {
      method: 'focei',
      replicates,
      seed: 1000,
      onReplicate: (k) =>
        k % 20 === 0 && console.error(`popfit: simulation–re-estimation ${k}/${replicates}`),
    },
    truth,
  );
  return [
    `### Simulation–re-estimation: ${replicates} × 24 theophylline subjects, FOCE-I (${r.converged} converged, ${secs(t0).toFixed(0)} s)`,
    '',
    '| component | truth | mean estimate | bias | RMSE | coverage of estimate ± 1.96 SE (sandwich) | on the log scale |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...r.components.map(
      (c) =>
        `| ${c.name} | ${f3(c.truth)} | ${f3(c.mean)} | ${c.biasPct.toFixed(1)} % | ${c.rmsePct.toFixed(1)} % | ${(100 * c.coverage95).toFixed(1)} % (${c.withSe}) | ${(100 * c.coverage95Log).toFixed(1)} % |`,
    ),
    '',
  ];
}
