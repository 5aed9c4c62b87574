/**
 * A drug-level dataset: NONMEM-style CSV whose header states the unit of every quantity, so the
 * same file can be read by models with different units and covariate conventions:
 *
 *     ID,TIME (h),EVID,AMT (mg),RATE,DV (mg/L),WT (kg),SCR (umol/L),AGE (y),SEX,DIAL
 *
 * `NAME (unit)` or `NAME [unit]`. TIME, AMT and DV (and LLOQ, in DV's unit) need a unit; II is in
 * TIME's unit and RATE in AMT per TIME. CMT is model-specific and must be empty. Every other
 * column is a covariate by name, with its unit; a covariate without a unit is accepted only when
 * no model of the set reads it with a unit (SEX, DIAL), so that a number is never read in a unit
 * the file did not state. An empty covariate cell means "not measured at this record": the
 * previous value holds (the first one before it).
 */
import { DosetwinError, type Issue, csvLines, dataIssues, splitCsv } from '@dosetwin/engine';
import type { DrugPatient, DrugRecord } from './averaging.ts';
import { DERIVATIONS } from './covariates.ts';
import type { LibraryModel } from './registry.ts';

const STANDARD = [
  'ID',
  'TIME',
  'EVID',
  'AMT',
  'RATE',
  'CMT',
  'II',
  'ADDL',
  'SS',
  'MDV',
  'DV',
  'OCC',
  'BLQ',
  'CENS',
  'LLOQ',
] as const;

/** `WT (kg)` → { name: 'WT', unit: 'kg' }; `SEX` → { name: 'SEX', unit: null }. */
export function splitHeader(h: string): { name: string; unit: string | null } {
  const m = /^\s*([^([\s]+)\s*(?:\(([^)]*)\)|\[([^\]]*)\])?\s*$/.exec(h);
  if (!m) return { name: h.trim(), unit: null };
  const unit = (m[2] ?? m[3] ?? '').trim();
  return { name: m[1], unit: unit === '' ? null : unit };
}

/** Read a drug-level CSV dataset (see the module documentation); every problem names its line and column. */
export function parseDrugData(text: string, file = 'data.csv'): DrugPatient[] {
  const { issues, bad } = dataIssues(file);
  const lines = csvLines(text, file);
  const cols = splitCsv(lines[0]).map(splitHeader);
  const col = new Map<string, number>();
  cols.forEach((c, i) => {
    const up = c.name.toUpperCase();
    if ((STANDARD as readonly string[]).includes(up)) col.set(up, i);
  });
  const unitOf = (name: string): string | null => (col.has(name) ? cols[col.get(name)!].unit : null);
  for (const need of ['ID', 'TIME'])
    if (!col.has(need))
      bad(1, need, `missing column ${need}`, `columns found: ${cols.map((c) => c.name).join(', ')}`);
  const needUnit = (name: string, example: string): string => {
    const u = unitOf(name);
    if (col.has(name) && u === null)
      bad(1, name, `column ${name} has no unit`, `write its unit in the header, e.g. '${name} (${example})'`);
    return u ?? '';
  };
  const timeUnit = needUnit('TIME', 'h');
  const doseUnit = col.has('AMT') ? needUnit('AMT', 'mg') : 'mg';
  const concUnit = col.has('DV') ? needUnit('DV', 'mg/L') : 'mg/L';
  if (col.has('LLOQ') && unitOf('LLOQ') !== null && unitOf('LLOQ') !== concUnit)
    bad(1, 'LLOQ', `LLOQ is in ${unitOf('LLOQ')}, DV in ${concUnit}: give both in the same unit`);
  if (col.has('II') && unitOf('II') !== null && unitOf('II') !== timeUnit)
    bad(1, 'II', `II is in ${unitOf('II')}, TIME in ${timeUnit}: give both in the same unit`);
  const rateUnit = unitOf('RATE');
  if (rateUnit !== null && rateUnit !== `${doseUnit}/${timeUnit}`)
    bad(1, 'RATE', `RATE is in ${rateUnit}; it must be AMT per TIME (${doseUnit}/${timeUnit})`);
  const covCols = cols
    .map((c, i) => ({ ...c, i }))
    .filter((c) => !(STANDARD as readonly string[]).includes(c.name.toUpperCase()));
  if (issues.length) throw new DosetwinError(issues);

  const patients: DrugPatient[] = [];
  const seen = new Set<string>();
  for (let li = 1; li < lines.length; li++) {
    const line = li + 1;
    if (lines[li].trim() === '') continue;
    const cells = splitCsv(lines[li]).map((c) => c.trim());
    if (cells.length !== cols.length) {
      bad(line, 'record', `has ${cells.length} fields, the header has ${cols.length}`);
      continue;
    }
    const raw = (name: string): string | null => {
      const c = col.get(name);
      if (c === undefined) return null;
      const v = cells[c];
      return v === '' || v === '.' ? null : v;
    };
    const num = (name: string): number | undefined => {
      const r = raw(name);
      if (r === null) return undefined;
      const v = Number(r);
      if (!Number.isFinite(v)) bad(line, name, `${name} '${r}' is not a number`);
      return v;
    };
    const id = raw('ID');
    if (id === null) {
      bad(line, 'ID', 'ID is missing');
      continue;
    }
    const time = num('TIME');
    if (time === undefined) bad(line, 'TIME', 'TIME is missing');
    const covariates: Record<string, { value: number; unit: string } | number> = {};
    for (const c of covCols) {
      const r = cells[c.i];
      if (r === '' || r === '.') continue;
      const v = Number(r);
      if (!Number.isFinite(v)) {
        bad(line, c.name, `${c.name} '${r}' is not a number`);
        continue;
      }
      covariates[c.name] = c.unit === null ? v : { value: v, unit: c.unit };
    }
    const cmt = num('CMT');
    const blq = num('BLQ') ?? num('CENS');
    const rec: DrugRecord & { cmt?: number } = {
      time: time ?? NaN,
      evid: num('EVID'),
      amt: num('AMT'),
      rate: num('RATE'),
      ii: num('II'),
      addl: num('ADDL'),
      ss: num('SS'),
      mdv: num('MDV'),
      dv: num('DV') ?? null,
      occ: num('OCC'),
      cens: blq,
      lloq: num('LLOQ'),
      line,
      covariates,
      ...(cmt ? { cmt } : {}),
    };
    for (const k of Object.keys(rec) as (keyof typeof rec)[]) if (rec[k] === undefined) delete rec[k];
    let p = patients[patients.length - 1];
    if (!p || p.id !== id) {
      if (seen.has(id))
        bad(line, 'ID', `ID ${id} appears again after other IDs: keep each patient's records together`);
      seen.add(id);
      p = { id, units: { dose: doseUnit, time: timeUnit, conc: concUnit }, records: [] };
      patients.push(p);
    }
    const prev = p.records[p.records.length - 1];
    if (prev && rec.time < prev.time)
      bad(line, 'TIME', `TIME ${rec.time} is before the previous record's ${prev.time} for ID ${id}`);
    p.records.push(rec);
  }
  if (issues.length) throw new DosetwinError(issues);
  return patients;
}

/** The unit a model needs a covariate in (declared, or as a derivation input), or null when it is unitless or unused. */
export function unitNeeded(model: LibraryModel, name: string): string | null {
  for (const c of model.ir.covariates) {
    if (c.name === name && c.unit !== '-') return c.unit;
    const rule = c.derive;
    if (!rule) continue;
    const spec = DERIVATIONS[rule.fn];
    for (let i = 0; i < rule.args.length; i++)
      if (rule.args[i].name === name) {
        const u = rule.args[i].unit ?? spec?.inputs[i]?.unit ?? null;
        if (u && u !== '-') return u;
      }
  }
  for (const spec of Object.values(DERIVATIONS))
    for (const inp of spec.inputs) if (inp.role === name && inp.unit !== '-') return inp.unit;
  return null;
}

/**
 * Refuse covariates given as bare numbers that some model reads with a unit (the number's unit
 * would be a guess): one issue per covariate, naming the model and the unit it needs.
 */
export function checkCovariateUnits(patients: readonly DrugPatient[], models: readonly LibraryModel[]): void {
  const issues: Issue[] = [];
  const done = new Set<string>();
  for (const p of patients)
    for (const r of [{ covariates: p.covariates }, ...p.records])
      for (const [name, v] of Object.entries(r.covariates ?? {})) {
        if (typeof v !== 'number' || done.has(name)) continue;
        for (const m of models) {
          const u = unitNeeded(m, name);
          if (u) {
            done.add(name);
            issues.push({
              code: 'DT_DATA_UNIT',
              severity: 'error',
              field: name,
              message: `${name} is given without a unit; ${m.id} reads it in ${u}`,
              hint: `write its unit in the header, e.g. '${name} (${u})'`,
            });
            break;
          }
        }
      }
  if (issues.length) throw new DosetwinError(issues);
}
