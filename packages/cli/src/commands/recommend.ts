import { existsSync } from 'node:fs';
import {
  type CompiledModel,
  DosetwinError,
  type Issue,
  MapObjective,
  Simulator,
  type Target,
  cholesky,
  createRng,
  estimateMap,
  loadModel,
  parseDataset,
  parseTarget,
  recommend,
  samplePosterior,
} from '@dosetwin/engine';
import { getModel } from '@dosetwin/models';
import type { Command } from 'commander';
import { argError, guarded, printIssues, readText } from '../io.ts';

interface Opts {
  model: string;
  data: string;
  target: string[];
  interval: string;
  duration: string;
  strengths?: string;
  start?: string;
  maxDose?: string;
  maxDailyDose?: string;
  mic?: string;
  fu?: string;
  samples: string;
  seed: string;
  optimise: string;
  format: string;
}

const list = (s: string, field: string): number[] => {
  const v = s.split(',').map((x) => Number(x.trim()));
  if (!v.length || v.some((x) => !Number.isFinite(x) || x < 0))
    argError(field, `'${s}' is not a list of numbers ≥ 0`);
  return v;
};
const num = (s: string | undefined, field: string): number | undefined => {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!Number.isFinite(v) || v < 0) argError(field, `'${s}' is not a number ≥ 0`);
  return v;
};

/** A model file, or a library id such as `vancomycin/goti2018`. */
function resolveModel(spec: string): CompiledModel {
  if (existsSync(spec)) return loadModel(readText(spec, 'model'), spec);
  return getModel(spec).compiled();
}

/**
 * `dosetwin recommend`: per patient, the MAP fit of the levels (a posteriori) or the typical
 * patient (a priori, no level), then the ranked candidate regimens with predicted exposure after
 * rounding and, with --samples, the probability of target attainment over posterior (or prior)
 * draws.
 */
export function registerRecommend(program: Command): void {
  program
    .command('recommend')
    .description('propose regimens reaching exposure targets, ranked, with PTA and warnings')
    .requiredOption('--model <file|id>', 'model file (.dtm, .mod) or library id (dosetwin models)')
    .requiredOption('--data <file>', 'NONMEM-style CSV: the doses given and the levels measured')
    .requiredOption(
      '--target <spec...>',
      "targets, most important first: 'auc24=400..600', 'trough=5..10 ug/L', 'ft_mic>=100'",
    )
    .option('--interval <h>', 'allowed dosing intervals (model time unit)', '8,12,24')
    .option('--duration <h>', 'allowed infusion durations; 0 = bolus / oral', '0')
    .option('--strengths <mg>', 'available unit strengths (model dose unit), e.g. 250,500')
    .option('--start <t>', 'time of the next dose (default: the last record)')
    .option('--max-dose <mg>', 'maximum single dose')
    .option('--max-daily-dose <mg>', 'maximum daily dose')
    .option('--mic <c>', 'MIC (model concentration unit) for MIC-based targets')
    .option('--fu <f>', 'unbound fraction for %fT>MIC', '1')
    .option(
      '--samples <n>',
      'posterior (or prior) draws for the probability of target attainment; 0 = none',
      '200',
    )
    .option('--seed <n>', 'seed of the draws', '1')
    .option('--optimise <what>', "'target' (closest to the primary target) or 'pta'", 'target')
    .option('--format <format>', 'json (one object per line per patient) or text', 'json')
    .action(async (o: Opts) => {
      process.exitCode = await guarded(() => {
        if (o.format !== 'json' && o.format !== 'text')
          argError('--format', `'${o.format}' is not json or text`);
        if (o.optimise !== 'target' && o.optimise !== 'pta')
          argError('--optimise', `'${o.optimise}' is not target or pta`);
        const model = resolveModel(o.model);
        const ir = model.ir;
        const targets: Target[] = o.target.map((t, i) => parseTarget(t, ir.units.conc, ir.units.time, i + 1));
        const ds = parseDataset(readText(o.data, 'data'), ir, o.data);
        printIssues(ds.issues);
        const nSamples = num(o.samples, '--samples')!;
        const out: string[] = [];
        for (const p of ds.patients) {
          const warnings: Issue[] = [];
          // Covariates outside the model's validity domain: computable, but an extrapolation.
          ir.covariates.forEach((c, k) => {
            if (!c.valid) return;
            for (let i = 0; i < p.n; i++) {
              const v = p.cov[i * p.nCov + k];
              if ((c.valid.lo !== null && v < c.valid.lo) || (c.valid.hi !== null && v > c.valid.hi)) {
                warnings.push({
                  code: 'DT_DOMAIN_OUTSIDE',
                  severity: 'warning',
                  field: `covariates.${c.name}`,
                  message: `${c.name} is ${v} ${c.unit}; model validated for ${c.valid.lo ?? ''}..${c.valid.hi ?? ''}`,
                });
                break;
              }
            }
          });
          const hasLevels = Array.from(p.evid).some((e, i) => e === 0 && p.mdv[i] === 0);
          const sim = new Simulator(model);
          const nEta = ir.etas.length;
          let point: Float64Array | null = null;
          let draws: Float64Array[] = [];
          let fitInfo: Record<string, unknown> = {};
          const seed = num(o.seed, '--seed')!;
          if (hasLevels) {
            const fit = estimateMap(model, p);
            point = fit.eta;
            fitInfo = {
              eta: Array.from(fit.eta),
              etaNames: fit.etaNames,
              obj: fit.obj,
              converged: fit.converged,
            };
            if (!fit.converged)
              warnings.push({
                code: 'DT_MAP_NONCONVERGENCE',
                severity: 'warning',
                field: 'fit',
                message: `MAP estimation did not converge: ${fit.message}`,
              });
            for (const r of fit.ipred) {
              if (!Number.isFinite(r.dv) || r.dv <= 0) continue;
              // A level the model finds implausible: |ln(DV/IPRED)| beyond 3 residual SDs (proportional part).
              const e = ir.errors[sim.outputIndex(r.cmt)] ?? ir.errors[0];
              const sd =
                e.kind === 'add' ? e.addSd / r.ipred : e.propSd + e.addSd / Math.max(r.ipred, 1e-300);
              if (sd > 0 && Math.abs(r.dv - r.ipred) / (sd * r.ipred) > 3)
                warnings.push({
                  code: 'DT_LEVEL_IMPLAUSIBLE',
                  severity: 'warning',
                  field: `data[line ${p.line[r.record]}].DV`,
                  message: `the level ${r.dv} at t = ${r.time} is far from the fitted ${Number(r.ipred.toPrecision(4))} (> 3 residual SDs): check the sample time and dose history`,
                });
            }
            if (nSamples > 0) {
              const obj = new MapObjective(new Simulator(model), p);
              const post = samplePosterior(obj, fit.x, fit.cov, { samples: nSamples, seed });
              const idx = ir.etas.map((e) => post.names.indexOf(e.name));
              for (let s = 0; s < post.size; s++)
                draws.push(Float64Array.from(idx, (j) => (j >= 0 ? post.draws[s * post.n + j] : 0)));
            }
          } else if (nSamples > 0) {
            // A priori: draws from the prior N(0, Ω).
            const L = new Float64Array(nEta * nEta);
            if (!cholesky(nEta, ir.omega.flat(), L))
              throw new DosetwinError([
                {
                  code: 'DT_OMEGA',
                  severity: 'error',
                  field: 'random',
                  message: 'Ω is not positive definite',
                },
              ]);
            const rng = createRng(seed);
            draws = Array.from({ length: nSamples }, () => {
              const z = Float64Array.from({ length: nEta }, () => rng.normal());
              return Float64Array.from({ length: nEta }, (_, i) => {
                let v = 0;
                for (let j = 0; j <= i; j++) v += L[i * nEta + j] * z[j];
                return v;
              });
            });
          }
          const last = p.time[p.n - 1];
          const start = num(o.start, '--start') ?? last;
          const r = recommend({
            sim,
            history: p,
            point,
            draws: draws.length ? draws : undefined,
            targets,
            space: {
              start,
              intervals: list(o.interval, '--interval'),
              durations: list(o.duration, '--duration'),
              strengths: o.strengths ? list(o.strengths, '--strengths') : undefined,
              maxDose: num(o.maxDose, '--max-dose'),
              maxDailyDose: num(o.maxDailyDose, '--max-daily-dose'),
            },
            mic: num(o.mic, '--mic'),
            fu: num(o.fu, '--fu'),
            optimiseFor: o.optimise as 'target' | 'pta',
          });
          const result = {
            id: p.id,
            method: hasLevels ? 'a posteriori (MAP)' : 'a priori (typical patient)',
            model: { id: ir.id, version: ir.version, citation: ir.citation?.text ?? null },
            units: ir.units,
            targets: targets.map((t) => t.text),
            ...fitInfo,
            posteriorDraws: draws.length,
            candidates: r.candidates.map((c, rank) => ({
              rank: rank + 1,
              dose: c.dose,
              interval: c.interval,
              duration: c.duration,
              start,
              units: c.units,
              metrics: Object.fromEntries(targets.map((t, k) => [t.metric, c.metrics[k]])),
              met: c.met,
              pta: c.pta ?? null,
              exactDose: c.exactDose,
              timeToSteadyState: c.timeToSteadyState ?? null,
            })),
            warnings: [...warnings, ...r.warnings].map((w) => ({
              code: w.code,
              field: w.field,
              message: w.message,
            })),
          };
          if (o.format === 'json') out.push(JSON.stringify(result));
          else {
            out.push(`${p.id}: ${result.method}, model ${ir.id} ${ir.version}`);
            for (const c of result.candidates)
              out.push(
                `  #${c.rank} ${c.dose} ${ir.units.dose} every ${c.interval} ${ir.units.time}${c.duration ? ` over ${c.duration} ${ir.units.time}` : ''}: ` +
                  targets
                    .map(
                      (t, k) =>
                        `${t.metric} ${Number(c.metrics[t.metric].toPrecision(4))}${c.met[k] ? ' ✓' : ' ✗'}`,
                    )
                    .join(', ') +
                  (c.pta ? `, PTA ${(100 * c.pta.all).toFixed(0)} %` : ''),
              );
            for (const w of result.warnings) out.push(`  warning ${w.code}: ${w.message}`);
          }
        }
        process.stdout.write(out.join('\n') + '\n');
        return 0;
      });
    });
}
