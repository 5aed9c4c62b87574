import { Command, CommanderError } from 'commander';
import { registerAdmin } from './commands/admin.ts';
import { registerCheck } from './commands/check.ts';
import { registerConvert } from './commands/convert.ts';
import { registerFit } from './commands/fit.ts';
import { registerForecast } from './commands/forecast.ts';
import { registerMl } from './commands/ml.ts';
import { registerModels } from './commands/models.ts';
import { registerRecommend } from './commands/recommend.ts';
import { registerServe } from './commands/serve.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerStore } from './commands/store.ts';

/** The `dosetwin` command. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('dosetwin')
    .description('dosetwin: model-informed precision dosing, a pharmacological digital twin of each patient')
    .version('0.1.0')
    .exitOverride();
  registerSimulate(program);
  registerFit(program);
  registerRecommend(program);
  registerForecast(program);
  registerCheck(program);
  registerModels(program);
  registerConvert(program);
  registerServe(program);
  registerAdmin(program);
  registerMl(program);
  registerStore(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
