import { writeFileSync } from 'node:fs';
import { formatIssue } from '@dosetwin/engine';
import {
  clinicalPatient,
  drugFile,
  drugPatientCsv,
  type FhirImport,
  importedRecord,
  importFhir,
} from '@dosetwin/models';
import type { Command } from 'commander';
import { argError, guarded, printIssues } from '../io.ts';

interface ImportOptions {
  server: string;
  patient: string;
  drug: string;
  csv?: string;
  into?: string;
  as?: string;
  dataDir?: string;
  json?: boolean;
}

const where = (s: { resourceType: string; id: string; versionId: string | null }): string =>
  `${s.resourceType}/${s.id}${s.versionId ? `/_history/${s.versionId}` : ''}`;

/** What the import took, converted and refused, as lines a pharmacist reads. */
export function importSummary(imp: FhirImport, from: string): string {
  const lines = [
    `from ${from}: ${imp.doses.length} doses, ${imp.levels.length} levels, ${imp.covariates.length} covariates taken; ${imp.refused.length} refused`,
  ];
  for (const d of imp.doses) {
    const v = d.values;
    lines.push(
      `  dose       ${v.at}  ${v.amount} ${v.unit} ${v.route}${v.duration ? ` over ${v.duration.value} ${v.duration.unit}` : ''}  (${v.product})  ← ${where(d.source)}`,
    );
  }
  for (const l of imp.levels) {
    const v = l.values;
    lines.push(
      `  level      ${v.at}  ${v.value} ${v.unit} ${v.matrix}${l.note ? ` [${l.note}]` : ''}  ← ${where(l.source)}`,
    );
  }
  for (const c of imp.covariates) {
    const v = c.values;
    lines.push(
      `  covariate  ${v.at}  ${v.name} = ${v.value}${v.unit === '-' ? '' : ` ${v.unit}`}  ← ${where(c.source)}`,
    );
  }
  if (imp.conversions.length) lines.push('converted:');
  for (const c of imp.conversions)
    lines.push(`  ${where(c.source)} ${c.field}: ${c.from} → ${c.to} (${c.why.en})`);
  if (imp.refused.length) lines.push('refused:');
  for (const r of imp.refused) lines.push(`  ${formatIssue(r.issue)}`);
  return lines.join('\n') + '\n';
}

/**
 * `dosetwin fhir import --server URL --patient ID --drug DRUG`: one patient's doses, levels and
 * covariates read from a FHIR R4 server (the token, if the server wants one, from
 * DOSETWIN_FHIR_TOKEN, never from the command line where others can see it). Prints what was
 * taken with its source, each conversion and each refusal with its reason; `--csv FILE` writes the
 * record as a NONMEM-style CSV with units; `--into PATIENT --as USER` stores it in the service's
 * database as USER would through the API (same checks, links, audit; again: only what changed).
 * Exit codes: 0 done, 1 an entry held (a warning to confirm, a duplicate), 2 an input or server
 * problem (the CLI's convention for every issue).
 */
export function registerFhir(program: Command): void {
  const fhir = program
    .command('fhir')
    .description("a hospital's FHIR R4 server: import a patient's record, export it as a Bundle");
  fhir
    .command('import')
    .description("read one patient's doses, levels and covariates for a drug from a FHIR R4 server")
    .requiredOption('--server <url>', "the FHIR server's base URL (token: $DOSETWIN_FHIR_TOKEN)")
    .requiredOption('--patient <id>', "the patient's FHIR id")
    .requiredOption('--drug <drug>', "the drug whose levels and doses are read, e.g. 'vancomycin'")
    .option('--csv <file>', "write the record as a NONMEM-style CSV with units ('-' = standard output)")
    .option('--into <patient>', "store it in the service's database, in this dosetwin patient")
    .option('--as <user>', 'with --into: the clinical user (prescriber or pharmacologist) entering it')
    .option('--data-dir <dir>', 'with --into: SQLite data directory (default $DOSETWIN_DATA_DIR or ./.data)')
    .option('--json', 'print the import as JSON')
    .action(async (o: ImportOptions) => {
      process.exitCode = await guarded(() => runImport(o));
    });
  fhir
    .command('export')
    .description("a patient's record and signed decisions for a drug as a FHIR R4 Bundle (JSON)")
    .requiredOption('--patient <id>', 'the dosetwin patient')
    .requiredOption('--drug <drug>', "the drug, e.g. 'vancomycin'")
    .option('-o, --output <file>', "the Bundle's file ('-' = standard output, the default)")
    .option('--data-dir <dir>', 'SQLite data directory (default $DOSETWIN_DATA_DIR or ./.data)')
    .action(async (o: { patient: string; drug: string; output?: string; dataDir?: string }) => {
      process.exitCode = await guarded(async () => {
        if (!drugFile(o.drug)) argError('--drug', `'${o.drug}' is not a drug of the library`);
        const server = await import('@dosetwin/server');
        const url = process.env.DATABASE_URL;
        const db = await server.openDb({
          dataDir: o.dataDir ?? process.env.DOSETWIN_DATA_DIR ?? './.data',
          databaseUrl: url && /^postgres(ql)?:\/\//.test(url) ? url : undefined,
        });
        try {
          const { bundle, notExported } = await server.exportRecordBundle(db.db, o.patient, o.drug);
          const text = JSON.stringify(bundle, null, 1) + '\n';
          if (!o.output || o.output === '-') process.stdout.write(text);
          else writeFileSync(o.output, text);
          for (const n of notExported) process.stderr.write(`not exported: ${n}\n`);
          return 0;
        } finally {
          await db.close();
        }
      });
    });
}

async function runImport(o: ImportOptions): Promise<number> {
  if (!/^https?:\/\/\S+$/.test(o.server)) argError('--server', `'${o.server}' is not an http(s) URL`);
  const drug = drugFile(o.drug);
  if (!drug) argError('--drug', `'${o.drug}' is not a drug of the library`);
  if (o.into && !o.as) argError('--as', 'with --into, name the clinical user entering the record');
  // Imported here so that the other commands do not load the server and its database drivers.
  const server = await import('@dosetwin/server');
  const access = { baseUrl: o.server, token: process.env.DOSETWIN_FHIR_TOKEN ?? null };
  const resources = await server.patientResources(access, o.patient);
  const imp = importFhir(resources, drug, { patientId: o.patient });
  if (o.csv) {
    if (!imp.doses.length) {
      printIssues(imp.refused.map((r) => r.issue));
      argError(
        '--csv',
        `no ${drug.drug} dose was taken from Patient/${o.patient}: there is no record to write`,
      );
    }
    const csv = drugPatientCsv(clinicalPatient(importedRecord(o.patient, imp)).patient);
    if (o.csv === '-') process.stdout.write(csv);
    else writeFileSync(o.csv, csv);
  }
  if (o.into) {
    const url = process.env.DATABASE_URL;
    const db = await server.openDb({
      dataDir: o.dataDir ?? process.env.DOSETWIN_DATA_DIR ?? './.data',
      databaseUrl: url && /^postgres(ql)?:\/\//.test(url) ? url : undefined,
    });
    try {
      const r = await server.importIntoRecord(db.db, o.as!, access, o.into, {
        drug: drug.drug,
        fhirPatientId: o.patient,
      });
      const out = o.csv === '-' ? process.stderr : process.stdout;
      if (o.json) out.write(JSON.stringify(r, null, 1) + '\n');
      else {
        out.write(`into patient ${o.into} as ${o.as}:\n`);
        for (const e of r.entries)
          out.write(
            `  ${e.outcome.padEnd(9)} ${e.resource}${e.recordId ? ` → ${e.kind}/${e.recordId}` : ''}${e.issues.length ? `  ${e.issues.map((i) => `${i.code} ${i.message}`).join('; ')}` : ''}\n`,
          );
        for (const m of r.missing) out.write(`  missing   ${m.resource} (kept: ${m.recordId})\n`);
        if (r.refused.length) out.write('refused:\n');
        for (const x of r.refused) out.write(`  ${formatIssue(x.issue)}\n`);
      }
      return r.entries.some((e) => e.outcome === 'held') ? 1 : 0;
    } finally {
      await db.close();
    }
  }
  const out = o.csv === '-' ? process.stderr : process.stdout;
  if (o.json) out.write(JSON.stringify(imp, null, 1) + '\n');
  else out.write(importSummary(imp, `${o.server.replace(/\/+$/, '')}/Patient/${o.patient}`));
  return 0;
}
