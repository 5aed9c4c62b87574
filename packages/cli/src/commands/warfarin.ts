import { DosetwinError, type Issue } from '@dosetwin/engine';
import { nextWarfarinDose, WARFARIN, type WarfarinHistory } from '@dosetwin/models';
import type { Command } from 'commander';
import { argError, guarded, printIssues, readText } from '../io.ts';

const HISTORY_HELP =
  'CSV with a header: datetime,dose_mg,inr — one row per day or event, ISO 8601 date-times ' +
  '(2026-12-01T08:00), the racemic dose taken in mg and/or the INR measured (before that day’s dose); ' +
  'leave a cell empty when there is none';

/**
 * The history file: rows of datetime, dose (mg) and INR, as hours from the first row. The unit of
 * the dose is in the header (`dose_mg`); a header without it is refused rather than guessed.
 */
export function readWarfarinHistory(text: string, file: string): { history: WarfarinHistory; t0: number } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const bad = (line: number, field: string, message: string): never => {
    throw new DosetwinError([
      { code: 'DT_DATA', severity: 'error', field, message, file, line, column: 1 } as Issue,
    ]);
  };
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string): number => header.indexOf(name);
  if (col('datetime') < 0 || col('dose_mg') < 0 || col('inr') < 0)
    bad(
      1,
      'header',
      `the header must name datetime, dose_mg and inr (found: ${header.join(', ') || 'nothing'})`,
    );
  const rows = lines.slice(1).map((l, k) => {
    const cells = l.split(',').map((c) => c.trim());
    const line = k + 2;
    const when = Date.parse(cells[col('datetime')] ?? '');
    if (!Number.isFinite(when))
      bad(line, 'datetime', `'${cells[col('datetime')] ?? ''}' is not an ISO 8601 date-time`);
    const num = (name: string): number | null => {
      const c = cells[col(name)] ?? '';
      if (c === '') return null;
      const v = Number(c);
      if (!Number.isFinite(v)) bad(line, name, `'${c}' is not a number`);
      return v;
    };
    return { when, line, dose: num('dose_mg'), inr: num('inr') };
  });
  if (!rows.length) bad(2, 'rows', 'the history has no row');
  rows.forEach(
    (r, i) => i > 0 && r.when < rows[i - 1].when && bad(r.line, 'datetime', 'rows are not in time order'),
  );
  const t0 = rows[0].when;
  const h = (ms: number): number => (ms - t0) / 3.6e6;
  return {
    t0,
    history: {
      doses: rows.filter((r) => r.dose !== null).map((r) => ({ timeH: h(r.when), doseMg: r.dose! })),
      inrs: rows.filter((r) => r.inr !== null).map((r) => ({ timeH: h(r.when), inr: r.inr! })),
    },
  };
}

/** `dosetwin warfarin`: the next daily warfarin dose from the doses taken and the INRs measured. */
export function registerWarfarin(program: Command): void {
  program
    .command('warfarin')
    .description(
      'next daily warfarin dose from the doses and INRs (Hamberg 2007 PK/PD twin; INR 2-3, tablets of 1-10 mg)',
    )
    .requiredOption('--age <years>', 'age in years')
    .requiredOption('--cyp2c9 <genotype>', 'CYP2C9 genotype, e.g. *1/*3')
    .requiredOption('--vkorc1 <genotype>', 'VKORC1 -1639 G>A genotype: G/G, G/A or A/A')
    .requiredOption('--history <file>', HISTORY_HELP)
    .option('--next <datetime>', 'when the next dose is due (default: 24 h after the last dose)')
    .option('--days <n>', 'days the new dose is kept before the next INR check', '14')
    .option('--draws <n>', 'posterior draws for the probability of INR 2-3', '100')
    .option('--seed <n>', 'seed of the draws', '1')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        age: string;
        cyp2c9: string;
        vkorc1: string;
        history: string;
        next?: string;
        days: string;
        draws: string;
        seed: string;
        json?: boolean;
      }) => {
        process.exitCode = await guarded(() => {
          const int = (v: string, field: string): number => {
            const n = Number(v);
            if (!Number.isInteger(n)) argError(field, `'${v}' is not a whole number`);
            return n;
          };
          const ageY = Number(opts.age);
          if (!Number.isFinite(ageY)) argError('--age', `'${opts.age}' is not a number of years`);
          const { history, t0 } = readWarfarinHistory(readText(opts.history, '--history'), opts.history);
          const lastDose = Math.max(...history.doses.map((d) => d.timeH), -24);
          let nextDoseH = lastDose + 24;
          if (opts.next !== undefined) {
            const when = Date.parse(opts.next);
            if (!Number.isFinite(when)) argError('--next', `'${opts.next}' is not an ISO 8601 date-time`);
            nextDoseH = (when - t0) / 3.6e6;
          }
          const advice = nextWarfarinDose({
            ageY,
            cyp2c9: opts.cyp2c9,
            vkorc1: opts.vkorc1,
            ...history,
            nextDoseH,
            days: int(opts.days, '--days'),
            draws: int(opts.draws, '--draws'),
            seed: int(opts.seed, '--seed'),
          });
          printIssues(advice.warnings);
          if (opts.json) {
            process.stdout.write(
              JSON.stringify({ nextDoseAt: new Date(t0 + nextDoseH * 3.6e6).toISOString(), ...advice }) +
                '\n',
            );
            return 0;
          }
          const { lo, hi } = WARFARIN.target.inr;
          const p = advice.probabilityInRange;
          process.stdout.write(
            [
              `next daily dose: ${advice.doseMg} mg (tablets ${advice.tablets.join(' + ')} mg) from ${new Date(t0 + nextDoseH * 3.6e6).toISOString()} for ${opts.days} days`,
              `  predicted INR on day ${opts.days}: ${advice.inrAtEnd.toFixed(2)}` +
                (p === null
                  ? ''
                  : `; P(INR ${lo}-${hi}) = ${(100 * p).toFixed(0)} % over ${advice.draws} posterior draws`),
              `  ${advice.method}; CL(S-warfarin) ${advice.parameters.CL.toFixed(3)} L/h, EC50 ${advice.parameters.EC50.toFixed(2)} mg/L`,
              ...advice.neighbours.map(
                (n) =>
                  `  or ${n.doseMg} mg: INR ${n.inrAtEnd.toFixed(2)}` +
                  (n.probabilityInRange === null ? '' : `, P ${(100 * n.probabilityInRange).toFixed(0)} %`),
              ),
            ].join('\n') + '\n',
          );
          return 0;
        });
      },
    );
}
