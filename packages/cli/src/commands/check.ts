import { checkUnits } from '@dosetwin/engine';
import type { Command } from 'commander';
import { guarded, printIssues } from '../io.ts';
import { MODEL_HELP, resolveModelArg } from './model-arg.ts';

/** `dosetwin check --model FILE|ID`: parse, compile and summarise a model (structure, parameters, etas). */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('parse and compile a model; report errors with line and column, or a summary')
    .requiredOption('--model <file|id>', MODEL_HELP)
    .action(async (opts: { model: string }) => {
      process.exitCode = await guarded(() => {
        const m = resolveModelArg(opts.model).model;
        const ir = m.ir;
        const solver =
          m.structure.kind === 'closed'
            ? `closed form (${ir.pk!.name}${m.structure.depot ? ', first-order absorption' : ''})`
            : m.structure.kind === 'linear-ode'
              ? 'linear ODEs: exact matrix exponential'
              : 'non-linear ODEs: adaptive DOPRI5 / RODAS4';
        const lines = [
          `${ir.id} ${ir.version}  ${ir.drug}`,
          ir.citation ? `  cite: ${ir.citation.text}` : '  cite: (none)',
          `  units: dose ${ir.units.dose}, time ${ir.units.time}, conc ${ir.units.conc}`,
          `  compartments: ${ir.compartments.map((c, i) => `${i + 1}=${c}`).join(', ')}`,
          `  solver: ${solver}`,
          `  covariates: ${ir.covariates.map((c) => `${c.name} (${c.unit})`).join(', ') || '(none)'}`,
          `  parameters: ${ir.parameters.map((p) => `${p.name}=${p.value} ${p.unit}`).join(', ')}`,
          `  etas: ${ir.etas.map((e, k) => `${e.name} (ω² ${ir.omega[k][k]})`).join(', ')}`,
          `  outputs: ${ir.errors.map((e) => `${e.output} ~ ${e.kind}`).join(', ')}`,
        ];
        const unitFindings = checkUnits(ir);
        lines.push(
          `  units: ${unitFindings.length ? `${unitFindings.length} finding(s), see stderr` : 'consistent'}`,
        );
        process.stdout.write(lines.join('\n') + '\n');
        printIssues(unitFindings);
        return 0;
      });
    });
}
