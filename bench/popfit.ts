// Population fitting (FOCE-I and SAEM): wall time on theophylline (theo_sd, 12 subjects; goal < 2 s)
// with the estimates beside nlmixr2's, and on 1 000 patients simulated from a two-compartment model
// (goal < 60 s on 2 cores): FOCE-I through `dosetwin popfit` on 1 and 2 threads (the same fit to the
// last bit), SAEM in the engine on one. Each fit includes its covariance step.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compileModel,
  createRng,
  drawClinical,
  fitFocei,
  fitSaem,
  modelParameters,
  parseModel,
  patientFromRecords,
  simulationReestimation,
  type PatientData,
  type PopFit,
} from '@dosetwin/engine';
import { loadavg, tmpdir } from 'node:os';
import { presetFor, virtualModel } from '@dosetwin/models';
import { theophylline } from '../packages/engine/src/test-support/theophylline.ts';
import { patientsCsv, runProcess, TWO_CPT, twoCptPopulation } from './process-run.ts';

const secs = (t0: number): number => (performance.now() - t0) / 1000;
const f3 = (v: number): string => (Number.isFinite(v) ? v.toPrecision(4) : '—');

type Shown = Pick<PopFit, 'theta' | 'omega' | 'sigma' | 'iterations' | 'ofv'> & { evaluations?: number };

function row(label: string, fit: Shown, s: number, goal: string, cpu?: number): string {
  const th = Object.values(fit.theta).map(f3).join(', ');
  const om = fit.omega.matrix.map((r, i) => f3(r[i])).join(', ');
  const sg = Object.values(fit.sigma).map(f3).join(', ');
  const t = `${s.toFixed(2)} s${cpu !== undefined ? ` (CPU ${cpu.toFixed(1)} s)` : ''}`;
  return `| ${label} | ${t} | ${goal} | ${fit.iterations} | ${fit.evaluations ?? ''} | ${fit.ofv.toFixed(3)} | ${th} | ${om} | ${sg} |`;
}

const ROOT = new URL('..', import.meta.url).pathname;

/**
 * `dosetwin popfit --method focei --threads N` (the compiled bin) in a shell that then prints its
 * children's CPU times: wall seconds, CPU seconds (all threads) and the printed object.
 */
function popfitCli(
  model: string,
  data: string,
  threads: number,
): { wall: number; cpu: number; json: Record<string, unknown> } {
  const r = runProcess(
    join(ROOT, 'packages/cli/bin/dosetwin.mjs'),
    ['popfit', '--model', model, '--data', data, '--method', 'focei'].concat([
      '--threads',
      String(threads),
      '--format',
      'json',
    ]),
  );
  return { wall: r.wall / 1000, cpu: r.cpu / 1000, json: JSON.parse(r.stdout) as Record<string, unknown> };
}

export function benchPopfit(): string {
  const out: string[] = [
    '## Population fitting (FOCE-I, SAEM)',
    '',
    'Each fit includes its covariance step (sandwich, FOCE-I). theo_sd: the engine on one thread. 1000 patients: FOCE-I through `dosetwin popfit` (the compiled bin, wall time of the whole command and CPU time of all its threads) on 1 and 2 threads, SAEM in the engine on one thread (seed 1, 200 + 200 iterations, ⌈50/N⌉ chains; its OFV is FOCE-I at its estimates).',
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
  const sim = twoCptPopulation();
  const dir = mkdtempSync(join(tmpdir(), 'dosetwin-bench-popfit-'));
  writeFileSync(join(dir, 'two-cpt.dtm'), TWO_CPT);
  writeFileSync(join(dir, 'two-cpt.csv'), patientsCsv(sim));
  const loads: number[] = [];
  const printed: string[] = [];
  for (const threads of [1, 2]) {
    console.error(`popfit: two-compartment, 1000 patients, focei, ${threads} thread(s)…`);
    const r = popfitCli(join(dir, 'two-cpt.dtm'), join(dir, 'two-cpt.csv'), threads);
    loads.push(loadavg()[0]);
    const { seconds: _, ...same } = r.json;
    printed.push(JSON.stringify(same));
    out.push(
      row(
        `2-cpt simulated (1000), focei, popfit --threads ${threads}`,
        r.json as unknown as Shown,
        r.wall,
        '< 60 s',
        r.cpu,
      ),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  console.error('popfit: two-compartment, 1000 patients, saem…');
  const t0 = performance.now();
  out.push(
    row(
      '2-cpt simulated (1000), saem (engine, 1 thread)',
      fitSaem(two, sim, { seed: 1 }),
      secs(t0),
      '< 60 s',
    ),
  );
  loads.push(loadavg()[0]);
  out.push(
    '| 2-cpt truth | | | | | | 5, 30, 10, 50 | 0.09 × 4 | 0.15 |',
    '',
    `The objects printed by 1 and 2 threads (but \`seconds\`) are ${printed[0] === printed[1] ? 'identical' : '**different**'}. Load average after each 1000-patient fit: ${loads.map((l) => l.toFixed(1)).join(', ')} (2 cores, shared): wall times scale with it.`,
    '',
  );
  out.push(...benchSse(theophylline()));
  out.push(...benchSseLibrary());
  return out.join('\n');
}

/**
 * Simulation–re-estimation (acceptance: coverage of the 95 % intervals within 90–98 %): 200 data
 * sets on the theo_sd design (24 subjects, each of the 12 twice, and 48) simulated at nlmixr2's
 * FOCE-I estimates, refitted by FOCE-I; the coverage of the Wald interval (estimate ± 1.96 SE) and
 * of the fit's `ci95` (log scale for the positive components), with R⁻¹ and with the sandwich.
 */
export function benchSse({ model, patients }: ReturnType<typeof theophylline>, replicates = 200): string[] {
  const truth = modelParameters(model.ir);
  truth.theta.set([1.59, 2.75, 31.8]);
  truth.omega.set([0.4, 0, 0, 0, 0.07, 0, 0, 0, 0.02]);
  truth.addSd[0] = 0.69;
  const runs = (
    [
      [24, 'r'],
      [24, 'sandwich'],
      [48, 'r'],
    ] as const
  ).map(([subjects, covarianceMethod]) => {
    const designs = Array.from({ length: subjects }, (_, i) => ({ ...patients[i % 12], id: String(i + 1) }));
    const t0 = performance.now();
    const r = simulationReestimation(
      model,
      designs,
      {
        method: 'focei',
        replicates,
        seed: 1000,
        covarianceMethod,
        onReplicate: (k) =>
          k % 20 === 0 &&
          console.error(
            `popfit: simulation–re-estimation, ${subjects} subjects, ${covarianceMethod}: ${k}/${replicates}`,
          ),
      },
      truth,
    );
    return { r, s: secs(t0) };
  });
  const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
  const [a, b, c] = runs;
  return [
    `### Simulation–re-estimation: ${replicates} data sets × 24 and × 48 theophylline subjects, FOCE-I`,
    '',
    `Seeds 1000–${1000 + replicates - 1}; converged: ${runs.map((x) => `${x.r.converged}/${replicates}`).join(', ')}; ${runs.map((x) => `${x.s.toFixed(0)} s`).join(', ')}. Coverage of the Wald interval (estimate ± 1.96 SE, natural scale) and of the fit's \`ci95\` (exp(ln v ± 1.96 SE/v) for these components, all positive), with the covariance step's R⁻¹ and its sandwich R⁻¹SR⁻¹ (the same fits). Binomial SE of a coverage near 95 % over 200 data sets: 1.5 points.`,
    '',
    'Why the intervals under-covered (83.5–87 % for ω² with the sandwich on the natural scale): the sandwich R⁻¹SR⁻¹ is biased downward with few subjects (Kauermann & Carroll, JASA 2001;96:1387), and a variance estimate’s sampling distribution is right-skewed, so a symmetric interval on ω² misses high truths (Pinheiro & Bates 2000, §2.4.3: intervals on the log scale). The estimates themselves are close to unbiased for θ and σ; the ω² are biased downward by a few percent with 24 subjects (maximum likelihood, shrinkage), less with 48. The Hessian is central differences of the OFV with step 5e-3 on u (ln ω for Ω); a step of 1e-2 gave the same coverage of every component on the first 100 data sets (checked once, not rerun here), so its accuracy is not the cause. In two runs of 200 data sets of 24 subjects (seeds 1000–1199 and 5000–5199, 2026-12-06), R⁻¹ with `ci95` held the truth of the ω² in 93–96.5 % (sandwich: 87.5–93.5 %), of θ in 89–97.5 % (a Wald interval with few subjects) and of σ in 95.5–97 %.',
    '',
    '| component | truth | 24: bias | 24: RMSE | 24, R⁻¹: Wald | 24, R⁻¹: ci95 | 24, sandwich: Wald | 24, sandwich: ci95 | 48: bias | 48: RMSE | 48, R⁻¹: Wald | 48, R⁻¹: ci95 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...a.r.components.map((x, k) => {
      const y = b.r.components[k];
      const z = c.r.components[k];
      return `| ${x.name} | ${f3(x.truth)} | ${x.biasPct.toFixed(1)} % | ${x.rmsePct.toFixed(1)} % | ${pct(x.coverage95)} | ${pct(x.coverage95Log)} | ${pct(y.coverage95)} | ${pct(y.coverage95Log)} | ${z.biasPct.toFixed(1)} % | ${z.rmsePct.toFixed(1)} % | ${pct(z.coverage95)} | ${pct(z.coverage95Log)} |`;
    }),
    '',
  ];
}

/**
 * Simulation–re-estimation from a library model at its published estimates: vancomycin Buelga 2005
 * (one compartment, CL = θ·CrCL, V = θ·WT, block Ω on CL and V, additive error), on a routine TDM
 * design: patients drawn from the vancomycin adult preset's population (sex, age, height, weight,
 * serum creatinine → Cockcroft-Gault CrCL), 15 mg/kg rounded to 250 mg every 12 h over 1 h, a peak
 * after the first dose and a trough and peak around the fourth. The same patients (covariates,
 * doses, sampling times) in every data set; refitted by FOCE-I from the truth, R⁻¹ covariance step.
 */
export function benchSseLibrary(subjects = 100, replicates = 200, seed = 3000): string[] {
  const id = 'vancomycin/buelga2005';
  const preset = presetFor('vancomycin-adult')!;
  const vm = virtualModel(preset, id);
  const nCov = vm.model.ir.covariates.length;
  const rng = createRng(2005);
  const wt: number[] = [];
  const crcl: number[] = [];
  const designs: PatientData[] = Array.from({ length: subjects }, (_, i) => {
    const c = drawClinical(preset.population, rng);
    preset.derive(c);
    const cov = vm.covariates(c);
    wt.push(c.WT);
    crcl.push(c.CRCL);
    const dose = Math.max(500, Math.round((15 * c.WT) / 250) * 250);
    return patientFromRecords(
      String(i + 1),
      [
        { time: 0, amt: dose, rate: dose, cmt: 1, ii: 12, addl: 5, cov },
        ...[2, 35.5, 38].map((time) => ({ time, evid: 0, cmt: 1, cov })),
      ],
      nCov,
    );
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = simulationReestimation(vm.model, designs, {
    method: 'focei',
    replicates,
    seed,
    covarianceMethod: 'r',
    onReplicate: (k) =>
      k % 10 === 0 &&
      console.error(`popfit: simulation–re-estimation, ${id}, ${subjects} patients: ${k}/${replicates}`),
  });
  const s = secs(t0);
  const cpu = process.cpuUsage(cpu0);
  const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
  const ci = r.components.map((x) => x.coverage95Log);
  const range = (v: number[]): string => `${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)}`;
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return [
    `### Simulation–re-estimation from a library model: ${replicates} data sets × ${subjects} patients, vancomycin Buelga 2005, FOCE-I, R⁻¹`,
    '',
    `\`${id}\` (one compartment, CL = θ·CrCL, V = θ·WT, Ω block on CL and V, additive SD 3.52 mg/L) simulated at its published estimates on a TDM design: ${subjects} patients drawn once from the \`vancomycin-adult\` preset population (seed 2005; weight ${range(wt)} kg, median ${median(wt).toFixed(0)}; Cockcroft-Gault CrCL ${range(crcl)} mL/min, median ${median(crcl).toFixed(0)}; the model's study range is 42–87 kg and 11–168 mL/min, so some patients extrapolate it, as in a hospital), 15 mg/kg rounded to 250 mg every 12 h as 1-h infusions, levels at 2 h (first peak), 35.5 h (trough before the fourth dose) and 38 h (its peak): 3 levels per patient. Each data set refitted by FOCE-I from the truth with the covariance step's R⁻¹ (\`covarianceMethod: 'r'\`); coverage of the fit's \`ci95\` (log scale for the positive components; the covariance on its natural scale) and of the Wald interval. Seeds ${seed}–${seed + replicates - 1}; converged ${r.converged}/${replicates}; ${s.toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU (one thread, shared machine). Binomial SE of a coverage near 95 % over ${replicates} data sets: ${(100 * Math.sqrt((0.95 * 0.05) / replicates)).toFixed(1)} points.`,
    '',
    '| component | truth | mean | bias | RMSE | ci95 coverage | Wald coverage | with SE |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...r.components.map(
      (x) =>
        `| ${x.name} | ${f3(x.truth)} | ${f3(x.mean)} | ${x.biasPct.toFixed(1)} % | ${x.rmsePct.toFixed(1)} % | ${pct(x.coverage95Log)} | ${pct(x.coverage95)} | ${x.withSe} |`,
    ),
    '',
    `Coverage of \`ci95\` over the components: ${pct(Math.min(...ci))}–${pct(Math.max(...ci))} (goal 90–98 %: ${ci.every((c) => c >= 0.9 && c <= 0.98) ? 'met' : '**not met**'}).`,
    '',
    'In two runs of 200 data sets on these 100 patients (seeds 3000–3199 and 7000–7199, 2026-12-06), `ci95` held the truth of θ in 91.5–93.5 %, of the ω² in 93–97 %, of the covariance in 92.5–94 % and of σ in 91.5–96.5 %; the symmetric Wald interval on ω² fell to 85–88.5 % in the first (the skew the log scale corrects). θ and σ are unbiased within 2 %; the ω² are biased downward by 4–10 % (maximum likelihood, 3 levels per patient, η shrinkage), the small covariance (0.023) upward by 22–24 % of itself with an RMSE of about 70 %: it is barely identified from this design.',
    '',
  ];
}
