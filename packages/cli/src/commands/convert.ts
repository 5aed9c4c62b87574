import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  compileModel,
  DosetwinError,
  type Issue,
  nonmemDataToCsv,
  parseControlStream,
  printModel,
} from '@dosetwin/engine';
import type { Command } from 'commander';
import { argError, guarded, printIssues, readText } from '../io.ts';

export interface ConvertOptions {
  /** `dose mg | time h | conc mg/L` (control streams do not state units). */
  units?: string;
  /** Model id (default `nonmem/<file name>`). */
  id?: string;
  /** A NONMEM dataset to write as the CSV the converted model reads. */
  dataText?: string;
  dataFile?: string;
}

export interface Converted {
  /** The model file (`.dtm`), with a header saying where it comes from. */
  model: string;
  /** The dataset as the CSV the model file reads (when a dataset was given). */
  csv?: string;
  warnings: Issue[];
}

/** `dose mg | time h | conc mg/L` → units, or an argument error. */
function parseUnits(spec: string): { dose: string; time: string; conc: string } {
  const m = /^\s*dose\s+(\S+)\s*\|\s*time\s+(\S+)\s*\|\s*conc\s+(\S+)\s*$/.exec(spec);
  if (!m) argError('--units', `'${spec}' is not a units line`, "write 'dose mg | time h | conc mg/L'");
  return { dose: m[1], time: m[2], conc: m[3] };
}

/**
 * Translate a NONMEM control stream into a model file. The translation is compiled (so a model
 * that would not run is an error here, not later); the file starts with comments saying where it
 * came from, how the dataset is read ($INPUT/$DATA) and every translation note.
 */
export function convertControlStream(text: string, file: string, opts: ConvertOptions = {}): Converted {
  const cs = parseControlStream(text, file, {
    ...(opts.units ? { units: parseUnits(opts.units) } : {}),
    ...(opts.id ? { id: opts.id } : {}),
  });
  compileModel(cs.ir);
  const d = cs.data;
  const header = [
    `# Converted by 'dosetwin convert' from the NONMEM control stream ${basename(file)}.`,
    '# Read and curate before use: units, labels, covariate ranges and handling are not in a control stream.',
    `# $INPUT ${d.items.map((it) => (it.drop ? `${it.label}=DROP` : it.synonym ? `${it.synonym}=${it.label}` : it.label)).join(' ')}`,
    `# $DATA ${d.file ?? '(none)'}; records: ${d.ignoreChar === '@' ? 'IGNORE=@' : `IGNORE=${d.ignoreChar}`}${d.conditions.map((c) => `; ${c.accept ? 'ACCEPT' : 'IGNORE'} ${c.label} ${c.op} ${c.value}`).join('')}; default dose CMT ${d.defaultDoseCmt}, observation CMT ${d.defaultObsCmt}`,
    ...cs.warnings.map((w) =>
      `# note${w.line ? ` (line ${w.line})` : ''}: ${w.message}`.replace(/\s+/g, ' '),
    ),
    '',
  ];
  const out: Converted = { model: header.join('\n') + printModel(cs.ir), warnings: cs.warnings };
  if (opts.dataText !== undefined)
    out.csv = nonmemDataToCsv(opts.dataText, cs.ir, d, opts.dataFile ?? 'data').csv;
  return out;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description(
      'translate a NONMEM control stream (.mod/.ctl) into a dosetwin model file (.dtm) to read and curate',
    )
    .argument('<control-stream>', 'NONMEM control stream')
    .option(
      '-o, --output <file>',
      "model file to write ('-' = standard output; default: beside the input, .dtm)",
    )
    .option('--units <units>', "units of the model, e.g. 'dose mg | time h | conc mg/L'")
    .option('--id <id>', 'model id (default nonmem/<file name>)')
    .option('--data <file>', 'NONMEM dataset to convert too, read through $INPUT/$DATA')
    .option('--data-out <file>', 'where to write the converted dataset (CSV the model file reads)')
    .option('--force', 'overwrite existing output files')
    .action(
      async (
        input: string,
        opts: {
          output?: string;
          units?: string;
          id?: string;
          data?: string;
          dataOut?: string;
          force?: boolean;
        },
      ) => {
        process.exitCode = await guarded(() => {
          if (opts.dataOut && !opts.data)
            argError('--data-out', '--data-out needs --data (the NONMEM dataset)');
          const output =
            opts.output ?? join(dirname(input), basename(input).replace(/\.[^.]*$/, '') + '.dtm');
          const dataOut =
            opts.data &&
            (opts.dataOut ??
              join(dirname(opts.data), basename(opts.data).replace(/\.[^.]*$/, '') + '.dosetwin.csv'));
          for (const f of [output, dataOut])
            if (f && f !== '-' && existsSync(f) && !opts.force)
              throw new DosetwinError([
                {
                  code: 'DT_FILE',
                  severity: 'error',
                  field: 'output',
                  message: `${f} exists`,
                  hint: 'use --force to overwrite it, or -o to write elsewhere',
                  file: f,
                },
              ]);
          const r = convertControlStream(readText(input, 'control stream'), input, {
            ...(opts.units ? { units: opts.units } : {}),
            ...(opts.id ? { id: opts.id } : {}),
            ...(opts.data ? { dataText: readText(opts.data, 'data'), dataFile: opts.data } : {}),
          });
          printIssues(r.warnings);
          if (output === '-') process.stdout.write(r.model);
          else {
            writeFileSync(output, r.model);
            process.stderr.write(`wrote ${output}\n`);
          }
          if (dataOut && r.csv !== undefined) {
            if (dataOut === '-') process.stdout.write(r.csv);
            else {
              writeFileSync(dataOut, r.csv);
              process.stderr.write(`wrote ${dataOut}\n`);
            }
          }
          return 0;
        });
      },
    );
}
