import {
  ADHERENCE_PATTERNS,
  adherenceEffect,
  adherenceScenarios,
  type AdherenceEffect,
  clinicalTwin,
  type ClinicalRecord,
  type DoseEvent,
  drugFile,
  getModel,
  type Prescription,
  type Quantity,
  readPillBoxCsv,
  realAdministrations,
} from '@dosetwin/models';
import { DosetwinError } from '@dosetwin/engine';
import type { Command } from 'commander';
import { argError, guarded, readText } from '../io.ts';

export interface AdherenceInput {
  modelId: string;
  /** The record's levels and covariates (its administrations, if any, are replaced by the prescription's). */
  record: Pick<ClinicalRecord, 'samples' | 'covariates'>;
  prescription: Prescription;
  /** The pill box's CSV text and its file name (for messages). */
  pillbox: { text: string; file: string };
  scenarios?: boolean;
}

export interface AdherenceReport {
  events: DoseEvent[];
  due: number;
  effect: AdherenceEffect;
  scenarios: { label: string; p5: number; p50: number; p95: number; fractionBelow: number | null }[] | null;
  conc: string;
}

/** "8 mg" → a quantity, or an argument error naming the option. */
export function quantityArg(text: string, option: string): Quantity {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Zµ/%]+)\s*$/.exec(text);
  if (!m) argError(option, `'${text}' is not a number with its unit`, "write e.g. '8 mg' or '12 h'");
  return { value: Number(m[1]), unit: m[2] };
}

/**
 * The pill box's openings against the prescription, the fit with the prescribed and with the real
 * dose times, and (asked) the adherence patterns' exposure at the end of 14 days.
 */
export function adherenceReport(input: AdherenceInput): AdherenceReport {
  let events: DoseEvent[];
  try {
    events = readPillBoxCsv(input.pillbox.text, input.prescription);
  } catch (e) {
    // The CLI's messages name the file and its line (file:line).
    if (e instanceof DosetwinError)
      throw new DosetwinError(
        e.issues.map((i) => {
          const line = /^line (\d+)$/.exec(i.field);
          return { ...i, file: input.pillbox.file, ...(line ? { line: Number(line[1]) } : {}) };
        }),
      );
    throw e;
  }
  const base = { patientId: 'cli', modelId: input.modelId, targets: [], ...input.record };
  const effect = adherenceEffect(base, input.prescription, events);
  const model = getModel(input.modelId);
  let scenarios: AdherenceReport['scenarios'] = null;
  if (input.scenarios) {
    const real = realAdministrations(input.prescription, events).administrations;
    const ct = clinicalTwin({ ...base, administrations: real });
    const lastMs = Date.parse(real[real.length - 1].at);
    const tauMs = input.prescription.regimen.interval.value * 3_600_000;
    const start = new Date(lastMs + tauMs).toISOString();
    const efficacy = drugFile(model.ir.drug)?.missedDose?.efficacy;
    const bands = adherenceScenarios(ct, { ...input.prescription.regimen, start }, ADHERENCE_PATTERNS, {
      ...(efficacy ? { below: efficacy } : {}),
    });
    scenarios = bands.map((b) => {
      const i = b.ms.length - 1;
      return { label: b.label, p5: b.p5[i], p50: b.p50[i], p95: b.p95[i], fractionBelow: b.fractionBelow };
    });
  }
  return {
    events,
    due: realAdministrations(input.prescription, []).statuses.length,
    effect,
    scenarios,
    conc: model.ir.units.conc,
  };
}

/** The report as text. */
export function adherenceText(r: AdherenceReport, modelId: string): string {
  const count = (s: DoseEvent['status']): number => r.events.filter((e) => e.status === s).length;
  const lines = [
    `pill box: ${r.due} doses due; ${count('missed')} missed, ${count('late')} late, ${count('taken')} early, ${count('extra')} extra`,
    ...r.events.map((e) =>
      e.status === 'missed'
        ? `  missed  due ${e.dueAt}`
        : e.status === 'extra'
          ? `  extra   taken ${e.takenAt}`
          : `  ${e.status === 'late' ? 'late ' : 'early'}   due ${e.dueAt}, taken ${e.takenAt}`,
    ),
    `estimate (${modelId}, model units) with the prescribed times -> with the real times:`,
    ...Object.keys(r.effect.change).map(
      (k) =>
        `  ${k.padEnd(8)} ${r.effect.prescribed[k].toPrecision(4)} -> ${r.effect.real[k].toPrecision(4)} (${r.effect.change[k] >= 0 ? '+' : ''}${(100 * r.effect.change[k]).toFixed(1)} %)`,
    ),
  ];
  if (r.effect.largest)
    lines.push(
      `adherence changes ${r.effect.largest.name} by ${(100 * r.effect.largest.change).toFixed(1)} % (real vs prescribed times)`,
    );
  if (r.scenarios) {
    lines.push(
      `adherence patterns, concentration when the dose of day 14 is due (${r.conc}): p5 / p50 / p95`,
    );
    for (const s of r.scenarios)
      lines.push(
        `  ${s.label.padEnd(24)} ${s.p5.toPrecision(3)} / ${s.p50.toPrecision(3)} / ${s.p95.toPrecision(3)}` +
          (s.fractionBelow === null
            ? ''
            : `; time below the efficacy threshold ${(100 * s.fractionBelow).toFixed(1)} %`),
      );
  }
  return lines.join('\n') + '\n';
}

export function registerAdherence(program: Command): void {
  program
    .command('adherence')
    .description(
      'read an electronic pill box export (CSV of openings) against the prescription: missed, late and extra doses, the estimate with prescribed vs real times, and adherence patterns',
    )
    .requiredOption('--model <id>', 'library model, e.g. tacrolimus/woillard2011-prograf')
    .requiredOption(
      '--record <file>',
      'the levels and covariates as JSON: { "samples": [...], "covariates": [...] }',
    )
    .requiredOption('--pillbox <file>', "CSV of openings with a column 'opened_at' (ISO 8601 with zone)")
    .requiredOption('--dose <dose>', "prescribed dose, e.g. '8 mg'")
    .requiredOption('--every <interval>', "prescribed interval, e.g. '12 h'")
    .requiredOption('--from <time>', 'first prescribed dose, ISO 8601 with zone')
    .requiredOption('--until <time>', 'last prescribed dose considered, ISO 8601 with zone')
    .option('--route <route>', 'oral, bolus or infusion', 'oral')
    .option('--product <name>', 'product as prescribed', 'as prescribed')
    .option('--scenarios', 'also show adherence patterns (every dose, 1 in 10 missed, weekend delays)')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        model: string;
        record: string;
        pillbox: string;
        dose: string;
        every: string;
        from: string;
        until: string;
        route: string;
        product: string;
        scenarios?: boolean;
        json?: boolean;
      }) => {
        process.exitCode = await guarded(() => {
          if (!['oral', 'bolus', 'infusion'].includes(opts.route))
            argError('--route', `'${opts.route}' is not oral, bolus or infusion`);
          let record: AdherenceInput['record'];
          try {
            const x = JSON.parse(readText(opts.record, 'record')) as Partial<ClinicalRecord>;
            record = { samples: x.samples ?? [], covariates: x.covariates ?? [] };
          } catch (e) {
            if (e instanceof SyntaxError) argError('--record', `${opts.record} is not JSON: ${e.message}`);
            throw e;
          }
          const prescription: Prescription = {
            regimen: {
              dose: quantityArg(opts.dose, '--dose'),
              interval: quantityArg(opts.every, '--every'),
              route: opts.route as Prescription['regimen']['route'],
              duration: null,
              start: opts.from,
              loading: null,
            },
            until: opts.until,
            product: opts.product,
          };
          const r = adherenceReport({
            modelId: opts.model,
            record,
            prescription,
            pillbox: { text: readText(opts.pillbox, 'pillbox'), file: opts.pillbox },
            scenarios: opts.scenarios,
          });
          process.stdout.write(opts.json ? JSON.stringify(r, null, 2) + '\n' : adherenceText(r, opts.model));
          return 0;
        });
      },
    );
}
