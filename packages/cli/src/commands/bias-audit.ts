// `dosetwin bias-audit`: how well a model forecasts each patient's next level on the hospital's own
// TDM data, overall and by subgroup, with the biased subgroups flagged (models: biasAudit). Named
// apart from `dosetwin audit`, which verifies the service's audit trail.
import { DosetwinError } from '@dosetwin/engine';
import {
  AUDIT_DIMENSIONS,
  type BiasAudit,
  biasAudit,
  formatBiasAudit,
  patientAttributes,
} from '@dosetwin/models';
import type { Command } from 'commander';
import { DATA_HELP, printDataNotes, readPatients } from '../data.ts';
import { argError, guarded, readText } from '../io.ts';
import { MODEL_HELP, resolveModelArg } from './model-arg.ts';

/** What `--format json` prints: the audit without its per-level forecasts unless asked. */
export type BiasAuditOutput = Omit<BiasAudit, 'forecasts'> & { forecasts?: BiasAudit['forecasts'] };

const number = (flag: string, v: string, integer = false): number => {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x)))
    argError(flag, `'${v}' is not ${integer ? 'a whole number' : 'a number'}`);
  return x;
};

export function registerBiasAudit(program: Command): void {
  program
    .command('bias-audit')
    .description(
      "bias audit of a model on the hospital's TDM data: each patient's next level forecast from the earlier ones (the first a priori), bias (median relative error, 95 % bootstrap interval over patients) and imprecision (RMSE), overall and by subgroup; subgroups biased beyond the threshold flagged",
    )
    .requiredOption('--model <file|id>', MODEL_HELP)
    .requiredOption(
      '--data <file>',
      `${DATA_HELP}; subgroup columns (SEX, AGE, CRCL, WT, genotype, WARD) by name`,
    )
    .option(
      '--by <list>',
      `subgroups, comma-separated: ${AUDIT_DIMENSIONS.map((d) => d.key).join(', ')} or a column name (default: those the data hold)`,
    )
    .option('--threshold <fraction>', 'bias flagged beyond ± this fraction', '0.1')
    .option('--min-earlier <n>', 'levels needed before a forecast (0: the first level a priori too)', '0')
    .option('--seed <n>', 'seed of the bootstrap intervals', '1')
    .option('--forecasts', 'with --format json: every forecast (patient, line, time, observed, predicted)')
    .option('--format <format>', 'text (a table) or json (one object)', 'text')
    .action(
      async (opts: {
        model: string;
        data: string;
        by?: string;
        threshold: string;
        minEarlier: string;
        seed: string;
        forecasts?: boolean;
        format: string;
      }) => {
        process.exitCode = await guarded(() => {
          if (opts.format !== 'text' && opts.format !== 'json')
            argError('--format', `'${opts.format}' is not text or json`);
          const threshold = number('--threshold', opts.threshold);
          if (!(threshold > 0 && threshold < 10))
            argError('--threshold', `${threshold} is not a fraction in (0, 10): 0.1 is ±10 %`);
          const minEarlier = number('--min-earlier', opts.minEarlier, true);
          if (minEarlier < 0) argError('--min-earlier', `${minEarlier} is below 0`);
          const seed = number('--seed', opts.seed, true);
          const by = opts.by
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          if (by && !by.length) argError('--by', 'no subgroup named');
          const arg = resolveModelArg(opts.model);
          const data = readPatients(arg.ref, opts.data);
          printDataNotes(data, process.stderr);
          const attributes = patientAttributes(readText(opts.data, 'data'), opts.data);
          const patients = data.map((d) => ({
            data: d.patient,
            attributes: attributes.get(d.patient.id) ?? {},
          }));
          let audit: BiasAudit;
          try {
            audit = biasAudit(arg.model, patients, { by, threshold, minEarlier, seed });
          } catch (e) {
            // The library names a subgroup by its place in the list; here that list is --by.
            if (e instanceof DosetwinError && e.issues[0]?.field.startsWith('by['))
              argError('--by', e.issues[0].message, e.issues[0].hint);
            throw e;
          }
          if (opts.format === 'text') process.stdout.write(formatBiasAudit(audit) + '\n');
          else {
            const { forecasts: _forecasts, ...rest } = audit;
            const out: BiasAuditOutput = opts.forecasts ? audit : rest;
            process.stdout.write(JSON.stringify(out) + '\n');
          }
          return 0;
        });
      },
    );
}
