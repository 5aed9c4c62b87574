import {
  type ClinicalRecord,
  clinicalTwin,
  currentRegimen,
  type MissedDoseAdvice,
  missedDoseAdvice,
  patientSheet,
} from '@dosetwin/models';
import type { Command } from 'commander';
import { argError, guarded, readText } from '../io.ts';
import { quantityArg } from './adherence.ts';

export interface MissedInput {
  modelId: string;
  record: ClinicalRecord;
  dueAt: string;
  at: string;
  /** Formulation id or product as recorded; default: the last dose's product. */
  formulation?: string;
  efficacy?: string;
  toxicity?: string;
}

/** The options after a missed or late dose of the record's current regimen (the library's, as the web diary). */
export function missedAdvice(input: MissedInput): MissedDoseAdvice {
  const regimen = currentRegimen({ administrations: input.record.administrations, start: null });
  if (!regimen)
    argError(
      '--record',
      'the record needs at least two doses: the regimen the patient is on is the last one continued',
    );
  const last = [...input.record.administrations].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).at(-1)!;
  const ct = clinicalTwin({ ...input.record, modelId: input.modelId, targets: [] });
  return missedDoseAdvice(ct, {
    regimen,
    formulation: input.formulation ?? last.product,
    dueAt: input.dueAt,
    at: input.at,
    ...(input.efficacy ? { efficacy: quantityArg(input.efficacy, '--efficacy') } : {}),
    ...(input.toxicity ? { toxicity: quantityArg(input.toxicity, '--toxicity') } : {}),
  });
}

const OPTION: Record<string, string> = {
  'take-now': 'take the dose now',
  'take-reduced': 'take half now',
  skip: 'skip, next as usual',
  'next-early': 'skip, next early',
  'double-next': 'skip, double the next',
  'as-prescribed': 'on time (reference)',
};

/** The patient's sheet, then the clinician's table. */
export function missedText(a: MissedDoseAdvice, lang: 'en' | 'fr'): string {
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(0)} %`;
  const forbids = new Set<string>(a.labelRule?.forbids ?? []);
  const rows = [...a.options, a.reference].map(
    (o) =>
      `  ${String(o.rank || '-').padEnd(4)} ${OPTION[o.id].padEnd(24)} ${o.pWithin === null ? '   -' : `${(100 * o.pWithin).toFixed(0).padStart(3)} %`}` +
      `  ${o.hoursBelow.toFixed(1).padStart(5)} h  ${o.hoursAbove.toFixed(1).padStart(5)} h  ` +
      `${o.trough.value.toPrecision(3)} ${o.trough.unit} (${pct(o.troughChange)})  AUC ${pct(o.aucChange)}` +
      (o.label ? '  label' : forbids.has(o.id) ? '  forbidden by the label' : ''),
  );
  return (
    [
      ...patientSheet(a, lang),
      '',
      `${a.modelId}, ${a.method}, ${a.draws} draws; ${a.delay.value.toFixed(2)} h late; window ${a.window.efficacy.value}-${a.window.toxicity.value} ${a.window.toxicity.unit} on the ${a.window.reads === 'troughs' ? 'troughs' : 'whole curve'}`,
      `  rank option                   P(in window, ${a.horizon.value} h)  below  above  next trough  interval AUC`,
      ...rows,
      ...(a.labelRule ? [`label: ${a.labelRule.citation}`] : []),
    ].join('\n') + '\n'
  );
}

export function registerMissed(program: Command): void {
  program
    .command('missed')
    .description(
      'after a missed or late dose: the options (take now, half, skip, next early, double the next) simulated with the patient’s draws, ranked, the label’s rule and the patient’s sheet',
    )
    .requiredOption('--model <id>', 'library model, e.g. tacrolimus/woillard2011-prograf')
    .requiredOption(
      '--record <file>',
      'the clinical record as JSON: { "administrations", "samples", "covariates" }',
    )
    .requiredOption('--due <time>', 'when the missed dose was due, ISO 8601 with zone')
    .requiredOption('--at <time>', 'the time now, ISO 8601 with zone')
    .option('--formulation <id>', 'formulation id or product (default: the last dose’s product)')
    .option('--efficacy <conc>', "efficacy threshold, e.g. '5 ng/mL' (default: the drug file's)")
    .option('--toxicity <conc>', "toxicity threshold, e.g. '10 ng/mL' (default: the drug file's)")
    .option('--lang <lang>', 'language of the patient’s sheet: en or fr', 'en')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        model: string;
        record: string;
        due: string;
        at: string;
        formulation?: string;
        efficacy?: string;
        toxicity?: string;
        lang: string;
        json?: boolean;
      }) => {
        process.exitCode = await guarded(() => {
          if (opts.lang !== 'en' && opts.lang !== 'fr') argError('--lang', `'${opts.lang}' is not en or fr`);
          let record: ClinicalRecord;
          try {
            const x = JSON.parse(readText(opts.record, 'record')) as Partial<ClinicalRecord>;
            record = {
              patientId: x.patientId ?? 'cli',
              administrations: x.administrations ?? [],
              samples: x.samples ?? [],
              covariates: x.covariates ?? [],
            };
          } catch (e) {
            if (e instanceof SyntaxError) argError('--record', `${opts.record} is not JSON: ${e.message}`);
            throw e;
          }
          const a = missedAdvice({
            modelId: opts.model,
            record,
            dueAt: opts.due,
            at: opts.at,
            ...(opts.formulation ? { formulation: opts.formulation } : {}),
            ...(opts.efficacy ? { efficacy: opts.efficacy } : {}),
            ...(opts.toxicity ? { toxicity: opts.toxicity } : {}),
          });
          const lang = opts.lang as 'en' | 'fr';
          process.stdout.write(
            opts.json
              ? JSON.stringify({ ...a, sheet: patientSheet(a, lang) }, null, 2) + '\n'
              : missedText(a, lang),
          );
          return 0;
        });
      },
    );
}
