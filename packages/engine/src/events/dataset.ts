import { DosetwinError, type Issue } from '../errors.ts';
import type { ModelIR } from '../model/ir.ts';
import { detectTimeVarying, type PatientData, type RecordInput, patientFromRecords } from './records.ts';

type Standard =
  | 'ID'
  | 'TIME'
  | 'EVID'
  | 'AMT'
  | 'RATE'
  | 'CMT'
  | 'II'
  | 'ADDL'
  | 'SS'
  | 'MDV'
  | 'DV'
  | 'OCC'
  | 'BLQ'
  | 'CENS'
  | 'LLOQ'
  | 'DVID';

/** Options of {@link parseDataset}, used by the NONMEM reader (`nonmem-data.ts`). */
export interface DatasetOptions {
  /** Read the text as it is, without the model's registered reader (see {@link setDatasetReader}). */
  raw?: boolean;
  /** Columns read as dosetwin's standard items (default: all of them); others are plain columns. */
  standardColumns?: readonly string[];
  /** Line number to report for each line of the text (index 0 = header), when it was rewritten. */
  lineNumbers?: readonly number[];
}

/**
 * A model translated from another format can carry its own dataset reader: a NONMEM control
 * stream's $INPUT and $DATA say how its dataset is to be read. `parseDataset` hands the text to
 * it, so every caller reads such a model's data as its author meant.
 */
const readers = new WeakMap<ModelIR, (text: string, file: string) => Dataset>();
export function setDatasetReader(model: ModelIR, reader: (text: string, file: string) => Dataset): void {
  readers.set(model, reader);
}

export interface Dataset {
  patients: PatientData[];
  /** Warnings (e.g. a covariate missing from the data and set to the model's default). */
  issues: Issue[];
}

/**
 * Parse a NONMEM-style CSV dataset (header row; ',' separated; '.' or empty = missing) for a
 * model. Column names are matched case-insensitively; covariate columns are matched to the model's
 * covariates by name. Every problem names the file, the line and the field, and all are reported
 * at once.
 *
 * Below-quantification-limit observations (Beal's M3): a `BLQ` (or `CENS`) column with 1 = below
 * the lower limit of quantification, 0 = quantified, and the limit in an `LLOQ` column or, without
 * one, in DV (NONMEM's convention). Such records keep MDV = 0.
 */
export function parseDataset(
  text: string,
  model: ModelIR,
  file = 'data.csv',
  options: DatasetOptions = {},
): Dataset {
  const reader = options.raw ? undefined : readers.get(model);
  if (reader) return reader(text, file);
  const lineOf = (li: number): number => options.lineNumbers?.[li] ?? li + 1;
  const standard = options.standardColumns ? new Set(options.standardColumns) : null;
  const { issues, bad } = dataIssues(file);
  const warnings: Issue[] = [];
  const lines = csvLines(text, file);
  const header = splitCsv(lines[0]).map((h) => h.trim());
  const colOf = new Map<string, number>();
  const anyCol = new Map<string, number>();
  header.forEach((h, i) => {
    anyCol.set(h.toUpperCase(), i);
    if (!standard || standard.has(h.toUpperCase())) colOf.set(h.toUpperCase(), i);
  });
  for (const need of ['ID', 'TIME'] as const)
    if (!colOf.has(need)) bad(1, need, `missing column ${need}`, `columns found: ${header.join(', ')}`);
  const covCols = model.covariates.map((c) => {
    const exact = header.indexOf(c.name);
    return exact >= 0 ? exact : (anyCol.get(c.name.toUpperCase()) ?? -1);
  });
  model.covariates.forEach((c, k) => {
    if (covCols[k] >= 0) return;
    if (c.handling.kind === 'required')
      bad(
        1,
        c.name,
        `the model needs covariate ${c.name} (${c.label}, ${c.unit}) but the data has no ${c.name} column`,
      );
    else
      warnings.push({
        code: 'DT_COVARIATE_DEFAULT',
        severity: 'warning',
        field: c.name,
        message: `no ${c.name} column: using the model's default ${c.handling.value} ${c.unit} for every record`,
        file,
      });
  });
  if (issues.length) throw new DosetwinError(issues);

  const nCov = model.covariates.length;
  const nCmt = model.compartments.length;
  const dvids = new Set(model.errors.flatMap((e) => e.dvids ?? []));
  const byDvid = dvids.size > 0;
  const anyCmt = model.errors.some((e) => e.cmts.length);
  const groups: { id: string; rows: RecordInput[] }[] = [];
  const seenIds = new Set<string>();
  for (let li = 1; li < lines.length; li++) {
    const line = lineOf(li);
    if (lines[li].trim() === '') continue;
    const cells = splitCsv(lines[li]);
    if (cells.length !== header.length) {
      bad(line, 'record', `has ${cells.length} fields, the header has ${header.length}`);
      continue;
    }
    const get = (name: Standard): string | undefined => {
      const c = colOf.get(name);
      return c === undefined ? undefined : cells[c].trim();
    };
    const num = (name: Standard, dflt: number | null): number => {
      const raw = get(name);
      if (raw === undefined || raw === '' || raw === '.') {
        if (dflt === null) bad(line, name, `${name} is missing`);
        return dflt ?? NaN;
      }
      const v = Number(raw);
      if (!Number.isFinite(v)) bad(line, name, `${name} '${raw}' is not a number`);
      return v;
    };
    const id = get('ID') ?? '';
    if (id === '' || id === '.') bad(line, 'ID', 'ID is missing');
    const time = num('TIME', null);
    const amt = num('AMT', 0);
    const evid = num('EVID', amt > 0 ? 1 : 0);
    const rate = num('RATE', 0);
    const cmt = num('CMT', 0);
    const ii = num('II', 0);
    const addl = num('ADDL', 0);
    const ss = num('SS', 0);
    const dvRaw = get('DV');
    const dv = dvRaw === undefined || dvRaw === '' || dvRaw === '.' ? null : Number(dvRaw);
    if (dv !== null && !Number.isFinite(dv)) bad(line, 'DV', `DV '${dvRaw}' is not a number`);
    const mdv = num('MDV', evid !== 0 || dv === null ? 1 : 0);
    const occ = num('OCC', 1);
    // Beal's M3: BLQ (or CENS) = 1 marks an observation below the limit of quantification; the
    // limit is the LLOQ column when present, else DV (NONMEM's convention: DV = LLOQ on BLQ rows).
    const blqCol = colOf.has('BLQ') ? 'BLQ' : 'CENS';
    const cens = num(blqCol, 0);
    const lloq = num('LLOQ', NaN);
    // DVID is read only for a model whose outputs are chosen by it: elsewhere the column stays
    // what it was (often text, such as nlmixr's 'cp' / 'pca').
    const dvid = byDvid ? num('DVID', 0) : 0;
    if (byDvid && !(Number.isInteger(dvid) && dvid >= 0))
      bad(
        line,
        'DVID',
        `DVID ${dvid} must be a whole number ≥ 0 (the observation type of a 'dvid N' output)`,
      );
    else if (byDvid && dvid === 0 && evid === 0 && mdv === 0 && !anyCmt)
      bad(line, 'DVID', 'an observation needs its DVID: the model tells its outputs apart by DVID only');
    else if (byDvid && dvid > 0 && evid === 0 && !dvids.has(dvid))
      bad(
        line,
        'DVID',
        `no output of the model reads DVID ${dvid}`,
        `the model's outputs read DVID ${[...dvids].join(', ')}`,
      );
    if (cens !== 0 && cens !== 1)
      bad(line, blqCol, `${blqCol} ${cens} must be 0 or 1 (1 = below the limit of quantification)`);
    if (cens === 1 && evid === 0 && mdv === 0 && !(lloq > 0) && !(dv !== null && dv > 0))
      bad(line, blqCol, `${blqCol} = 1 needs the limit of quantification: DV = LLOQ (> 0) or an LLOQ column`);
    if (![0, 1, 2, 3, 4].includes(evid)) bad(line, 'EVID', `EVID ${evid} is not one of 0, 1, 2, 3, 4`);
    if (Number.isFinite(time) && time < 0) bad(line, 'TIME', `TIME ${time} is negative`);
    if (amt < 0) bad(line, 'AMT', `AMT ${amt} is negative`);
    if (rate < 0 && rate !== -1 && rate !== -2)
      bad(
        line,
        'RATE',
        `RATE ${rate}: use > 0 (infusion rate), 0 (bolus), −1 (modelled rate) or −2 (modelled duration)`,
      );
    if (!Number.isInteger(cmt) || cmt < 0 || cmt > nCmt)
      bad(
        line,
        'CMT',
        `CMT ${cmt} does not exist: the model has compartments 1..${nCmt} (${model.compartments.join(', ')})`,
      );
    if (!Number.isInteger(addl) || addl < 0) bad(line, 'ADDL', `ADDL ${addl} must be a whole number ≥ 0`);
    if (addl > 0 && !(ii > 0)) bad(line, 'II', `ADDL ${addl} needs II > 0`);
    if (![0, 1, 2].includes(ss)) bad(line, 'SS', `SS ${ss} is not 0, 1 or 2`);
    if (ss > 0 && (evid === 1 || evid === 4) && !(ii > 0) && !(amt === 0 && rate > 0))
      bad(line, 'SS', `SS ${ss} needs II > 0 (or AMT = 0 with RATE > 0 for a constant infusion)`);
    if ((evid === 1 || evid === 4) && amt === 0 && !(ss > 0 && rate > 0))
      bad(line, 'AMT', 'dose record (EVID 1/4) with AMT 0');
    if (mdv !== 0 && mdv !== 1) bad(line, 'MDV', `MDV ${mdv} is not 0 or 1`);
    if (!Number.isInteger(occ) || occ < 1) bad(line, 'OCC', `OCC ${occ} must be a whole number ≥ 1`);
    const cov = new Float64Array(nCov);
    model.covariates.forEach((c, k) => {
      if (covCols[k] < 0) {
        cov[k] = c.handling.kind === 'default' ? c.handling.value : NaN;
        return;
      }
      const raw = cells[covCols[k]].trim();
      if (raw === '' || raw === '.') {
        if (c.handling.kind === 'default') {
          cov[k] = c.handling.value;
          warnings.push({
            code: 'DT_COVARIATE_DEFAULT',
            severity: 'warning',
            field: c.name,
            message: `${c.name} missing: using the model's default ${c.handling.value} ${c.unit}`,
            file,
            line,
          });
        } else bad(line, c.name, `covariate ${c.name} is missing and the model requires it`);
        return;
      }
      const v = Number(raw);
      if (!Number.isFinite(v)) bad(line, c.name, `${c.name} '${raw}' is not a number`);
      cov[k] = v;
    });
    if (!groups.length || groups[groups.length - 1].id !== id) {
      if (seenIds.has(id))
        bad(line, 'ID', `ID ${id} appears again after other IDs: keep each patient's records together`);
      seenIds.add(id);
      groups.push({ id, rows: [] });
    }
    const rows = groups[groups.length - 1].rows;
    const prev = rows[rows.length - 1];
    if (prev && time < prev.time && evid !== 3 && evid !== 4)
      bad(
        line,
        'TIME',
        `TIME ${time} is before the previous record's ${prev.time} for ID ${id}`,
        'sort records by time within each ID',
      );
    rows.push({ time, evid, amt, rate, cmt, ii, addl, ss, mdv, dv, cov, occ, line, cens, lloq, dvid });
  }
  if (issues.length) throw new DosetwinError(issues);
  const patients = groups.map((g) => patientFromRecords(g.id, g.rows, nCov));
  patients.forEach((p) => (p.timeVarying = detectTimeVarying(p)));
  return { patients, issues: dedupeWarnings(warnings) };
}

function dedupeWarnings(w: Issue[]): Issue[] {
  const seen = new Set<string>();
  return w.filter((i) => {
    const k = `${i.code}|${i.field}|${i.line === undefined}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Split one CSV line (quotes allowed around fields). */
/**
 * The error collector of a CSV reader: `bad(line, field, message, hint?)` records a `DT_DATA`
 * error naming the file, line and field (the first 50 are kept, so one bad column does not flood).
 */
export function dataIssues(file: string): {
  issues: Issue[];
  bad: (line: number, field: string, message: string, hint?: string) => void;
} {
  const issues: Issue[] = [];
  const bad = (line: number, field: string, message: string, hint?: string): void => {
    if (issues.length < 50)
      issues.push({
        code: 'DT_DATA',
        severity: 'error',
        field,
        message,
        file,
        line,
        ...(hint ? { hint } : {}),
      });
  };
  return { issues, bad };
}

/** The lines of a CSV text without trailing blank lines; an empty dataset is an error. */
export function csvLines(text: string, file: string): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (!lines.length)
    throw new DosetwinError([
      { code: 'DT_DATA', severity: 'error', field: 'header', message: 'the dataset is empty', file, line: 1 },
    ]);
  return lines;
}

export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
