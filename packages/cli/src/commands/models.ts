import { getModel, listModels, modelsForDrug, renderModelCard, shortCitation } from '@dosetwin/models';
import type { Command } from 'commander';
import { guarded } from '../io.ts';

const STATUS = { verified: 'verified', partial: 'partial', unconfirmed: 'UNCONFIRMED' } as const;

/**
 * `dosetwin models [--drug NAME] [--json]`: the model library, one model per line (id, status,
 * drug, population, citation). `dosetwin models show ID`: the model card.
 */
export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description(
      "the model library: 'dosetwin models' lists it, 'dosetwin models show ID' prints a model card",
    );

  models
    .command('list', { isDefault: true })
    .description('list the library models (id, verification status, drug, population, citation)')
    .option('--drug <name>', 'only the models of this drug')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { drug?: string; json?: boolean }) => {
      process.exitCode = await guarded(() => {
        const list = opts.drug ? modelsForDrug(opts.drug) : listModels();
        const rows = list.map((m) => ({
          id: m.id,
          status: m.verification.status ? STATUS[m.verification.status] : 'no status',
          drug: m.ir.drug,
          population: m.ir.population,
          citation: shortCitation(m.ir),
          doi: m.ir.citation?.doi ?? '',
        }));
        if (opts.json) {
          for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
          return 0;
        }
        const w = (k: 'id' | 'status' | 'drug' | 'citation'): number =>
          Math.max(k.length, ...rows.map((r) => r[k].length));
        const line = (r: Record<'id' | 'status' | 'drug' | 'citation' | 'population', string>): string =>
          `${r.id.padEnd(w('id'))}  ${r.status.padEnd(w('status'))}  ${r.drug.padEnd(w('drug'))}  ${r.citation.padEnd(w('citation'))}  ${r.population.length > 70 ? r.population.slice(0, 69) + '…' : r.population}`;
        process.stdout.write(
          [
            line({
              id: 'id',
              status: 'status',
              drug: 'drug',
              citation: 'citation',
              population: 'population',
            }),
            ...rows.map(line),
          ].join('\n') + '\n',
        );
        if (!rows.length) process.stderr.write(`no models${opts.drug ? ` for drug '${opts.drug}'` : ''}\n`);
        return 0;
      });
    });

  models
    .command('show <id>')
    .description(
      'print the model card: citation, population, covariates, parameters, Ω, residual error, targets, products, verification',
    )
    .action(async (id: string) => {
      process.exitCode = await guarded(() => {
        process.stdout.write(renderModelCard(getModel(id)));
        return 0;
      });
    });
}
