import { Command, CommanderError } from 'commander';

type Register = (program: Command) => void;

/**
 * Each command's module, imported only when that command runs: most of them load the engine and the
 * library, which takes longer than all the rest of a start (`dosetwin --version` loads none). One
 * module may register several top-level commands (audit, backup and restore are the store's).
 */
const MODULES: { commands: string[]; load: () => Promise<Register> }[] = [
  { commands: ['simulate'], load: async () => (await import('./commands/simulate.ts')).registerSimulate },
  { commands: ['fit'], load: async () => (await import('./commands/fit.ts')).registerFit },
  { commands: ['popfit'], load: async () => (await import('./commands/popfit.ts')).registerPopfit },
  { commands: ['federate'], load: async () => (await import('./commands/federate.ts')).registerFederate },
  {
    commands: ['bias-audit'],
    load: async () => (await import('./commands/bias-audit.ts')).registerBiasAudit,
  },
  { commands: ['recommend'], load: async () => (await import('./commands/recommend.ts')).registerRecommend },
  { commands: ['forecast'], load: async () => (await import('./commands/forecast.ts')).registerForecast },
  { commands: ['warfarin'], load: async () => (await import('./commands/warfarin.ts')).registerWarfarin },
  { commands: ['adherence'], load: async () => (await import('./commands/adherence.ts')).registerAdherence },
  { commands: ['missed'], load: async () => (await import('./commands/missed.ts')).registerMissed },
  { commands: ['check'], load: async () => (await import('./commands/check.ts')).registerCheck },
  { commands: ['models'], load: async () => (await import('./commands/models.ts')).registerModels },
  { commands: ['convert'], load: async () => (await import('./commands/convert.ts')).registerConvert },
  { commands: ['serve'], load: async () => (await import('./commands/serve.ts')).registerServe },
  { commands: ['admin'], load: async () => (await import('./commands/admin.ts')).registerAdmin },
  { commands: ['ml'], load: async () => (await import('./commands/ml.ts')).registerMl },
  {
    commands: ['audit', 'backup', 'restore'],
    load: async () => (await import('./commands/store.ts')).registerStore,
  },
  { commands: ['trial'], load: async () => (await import('./commands/trial.ts')).registerTrial },
  { commands: ['fhir'], load: async () => (await import('./commands/fhir.ts')).registerFhir },
];

/**
 * The modules `argv` needs: the named command's; none for `--version`; all of them otherwise (the
 * help lists every command, and an unknown one is answered with the closest names).
 */
function modulesFor(argv: string[]): typeof MODULES {
  const first = argv[2];
  const named = MODULES.filter((m) => first !== undefined && m.commands.includes(first));
  if (named.length > 0) return named;
  if (first === '--version' || first === '-V') return [];
  return MODULES;
}

/** The `dosetwin` command. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('dosetwin')
    .description('dosetwin: model-informed precision dosing, a pharmacological digital twin of each patient')
    .version('0.1.0')
    .exitOverride();
  const registers = await Promise.all(modulesFor(argv).map((m) => m.load()));
  for (const register of registers) register(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
