import { DosetwinError, type Issue } from '../errors.ts';
import type { ModelIR, Pos } from '../model/ir.ts';
import { type Dataset, parseDataset } from './dataset.ts';

/**
 * A NONMEM dataset read as NM-TRAN reads it for a control stream: `$INPUT` names the columns by
 * position (the file's own header row is just a record to ignore), `$DATA` selects the records
 * (`IGNORE=#` by default, `IGNORE=@`, `IGNORE=c`, `IGNORE=(list)`, `ACCEPT=(list)`). Fields are
 * separated by commas, blanks or tabs; a null field (`.` or empty) is 0, except DV, which stays
 * missing. CMT 0 or absent takes the model's default dose/observation compartment, and a missing
 * EVID is derived (AMT > 0 → 1; MDV = 1 → 2; else 0). The records are then written as a CSV
 * with a header and read by the one CSV reader, `parseDataset`, with messages pointing at the
 * lines of the original file.
 */

/** NM-TRAN's reserved data item labels. */
export const RESERVED_ITEMS = new Set([
  'ID',
  'L1',
  'L2',
  'DV',
  'MDV',
  'RAW_',
  'MRG_',
  'RPT_',
  'TIME',
  'DATE',
  'DAT1',
  'DAT2',
  'DAT3',
  'DROP',
  'SKIP',
  'EVID',
  'AMT',
  'RATE',
  'SS',
  'II',
  'ADDL',
  'CMT',
  'PCMT',
  'CALL',
  'CONT',
  'XVID1',
  'XVID2',
  'XVID3',
  'XVID4',
  'XVID5',
  'REPL_',
]);

/** Data items PREDPP reads (passed to the reader as its standard columns). */
const PREDPP_ITEMS = ['ID', 'TIME', 'EVID', 'AMT', 'RATE', 'CMT', 'II', 'ADDL', 'SS', 'MDV', 'DV'];

export interface InputItem {
  /** The label (for `A=B`, the reserved one). */
  label: string;
  /** The other name of `A=B`, usable in code, or null. */
  synonym: string | null;
  drop: boolean;
  pos: Pos;
}

export interface DataCondition {
  accept: boolean;
  label: string;
  /** `==`, `!=` (compared as text, as NM-TRAN does), or numeric `==N`, `!=N`, `<`, `<=`, `>`, `>=`. */
  op: string;
  value: string;
  pos: Pos;
}

export interface NonmemDataSpec {
  /** Control stream file name (for messages). */
  controlFile: string;
  /** `$DATA` file name as written, or null. */
  file: string | null;
  items: InputItem[];
  /** `#` (default: records with # in column 1), `@` (first non-blank character alphabetic or @), or another character. */
  ignoreChar: string;
  conditions: DataCondition[];
  /** Stop after this many records (RECORDS=n), or null. */
  records: number | null;
  /** 1-based default dose and observation compartments. */
  defaultDoseCmt: number;
  defaultObsCmt: number;
}

/** Values of a record by label (labels and synonyms), as text. */
function fieldOf(spec: NonmemDataSpec, cells: string[], label: string): string | undefined {
  const i = spec.items.findIndex((it) => it.label === label || it.synonym === label);
  return i < 0 ? undefined : (cells[i] ?? '').trim();
}

function conditionHolds(c: DataCondition, raw: string): boolean {
  const v = c.value;
  switch (c.op) {
    case '==':
      return raw === v;
    case '!=':
      return raw !== v;
  }
  const a = Number(raw === '.' || raw === '' ? 0 : raw);
  const b = Number(v);
  switch (c.op) {
    case '==N':
      return a === b;
    case '!=N':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
  return false;
}

/** Split a data record on commas, blanks and tabs (a comma between blanks is one separator). */
export function splitNonmemRecord(line: string): string[] {
  const s = line.trim();
  if (s === '') return [];
  const out: string[] = [];
  let cur = '';
  let i = 0;
  let pendingComma = false;
  while (i < s.length) {
    const ch = s[i];
    if (ch === ',' || ch === ' ' || ch === '\t') {
      // Consume a run of separators; it is one separator, with an empty field per extra comma.
      let commas = 0;
      while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) {
        if (s[i] === ',') commas++;
        i++;
      }
      out.push(cur);
      cur = '';
      for (let k = 1; k < commas; k++) out.push('');
      pendingComma = false;
      continue;
    }
    cur += ch;
    pendingComma = true;
    i++;
  }
  if (pendingComma || cur !== '') out.push(cur);
  return out;
}

/**
 * The records of a NONMEM dataset selected and named by the control stream, as a CSV text for
 * `parseDataset` (header: the kept $INPUT labels, plus a copy column for each covariate the model
 * reads under a synonym), with the original line number of each CSV line.
 */
export function nonmemDataToCsv(
  text: string,
  ir: ModelIR,
  spec: NonmemDataSpec,
  file: string,
): { csv: string; lineNumbers: number[] } {
  const issues: Issue[] = [];
  const bad = (line: number, field: string, message: string, hint?: string): void => {
    if (issues.length < 50)
      issues.push({
        code: 'DT_NONMEM_DATA',
        severity: 'error',
        field,
        message,
        file,
        line,
        ...(hint ? { hint } : {}),
      });
  };
  const kept = spec.items.map((it, i) => ({ it, i })).filter((x) => !x.it.drop);
  const has = (label: string): boolean => kept.some((k) => k.it.label === label);
  for (const need of ['ID', 'TIME'])
    if (!has(need))
      throw new DosetwinError([
        {
          code: 'DT_NONMEM_INPUT',
          severity: 'error',
          field: '$INPUT',
          message: `$INPUT has no ${need} item (or it is dropped): the dataset cannot be read`,
          file: spec.controlFile,
        },
      ]);
  // Covariates the model reads under a synonym get a copy column under that name.
  const extra = ir.covariates
    .map((c) => c.name)
    .filter((n) => !kept.some((k) => k.it.label === n))
    .map((n) => ({ name: n, col: spec.items.findIndex((it) => it.synonym === n && !it.drop) }))
    .filter((x) => x.col >= 0);
  const hasCmt = has('CMT');
  const hasEvid = has('EVID');
  const header = [
    ...kept.map((k) => k.it.label),
    ...extra.map((x) => x.name),
    ...(hasEvid ? [] : ['EVID']),
    ...(hasCmt ? [] : ['CMT']),
  ];
  const out: string[] = [header.join(',')];
  const lineNumbers: number[] = [1];
  const lines = text.split(/\r?\n/);
  let count = 0;
  const listCond = spec.conditions;
  const accepting = listCond.some((c) => c.accept);
  for (let li = 0; li < lines.length; li++) {
    const raw = lines[li];
    const line = li + 1;
    if (raw.trim() === '') continue;
    if (spec.ignoreChar === '@') {
      const first = raw.trimStart()[0];
      if (/[A-Za-z@]/.test(first)) continue;
    } else if (raw[0] === spec.ignoreChar) continue;
    const cells = splitNonmemRecord(raw);
    if (cells.length < spec.items.length) {
      bad(
        line,
        'record',
        `has ${cells.length} fields; $INPUT lists ${spec.items.length} items`,
        /[A-Za-z]/.test(raw.trimStart()[0] ?? '')
          ? 'a header row? add IGNORE=@ to $DATA'
          : 'every record needs a value (or .) for each $INPUT item',
      );
      continue;
    }
    if (listCond.length) {
      const hits = listCond.map((c) => {
        const v = fieldOf(spec, cells, c.label);
        return v !== undefined && conditionHolds(c, v);
      });
      if (accepting ? !hits.some(Boolean) : hits.some(Boolean)) continue;
    }
    if (spec.records !== null && count >= spec.records) break;
    count++;
    const value = (label: string): string => {
      const v = fieldOf(spec, cells, label) ?? '';
      return v === '.' ? '' : v;
    };
    const row = kept.map(({ it, i }) => {
      const v = (cells[i] ?? '').trim();
      if (/^[0-9.+-]*:/.test(v) && (it.label === 'TIME' || it.label === 'II'))
        bad(
          line,
          it.label,
          `${it.label} '${v}' is a clock time`,
          'give TIME and II in hours (NM-TRAN day-time translation is not supported)',
        );
      if (it.label === 'DV') return v === '.' ? '' : v;
      return v === '.' || v === '' ? '0' : v;
    });
    const amt = Number(value('AMT') || 0);
    const evid = hasEvid ? Number(value('EVID') || 0) : amt > 0 ? 1 : Number(value('MDV') || 0) === 1 ? 2 : 0;
    const cmtRaw = hasCmt ? Number(value('CMT') || 0) : 0;
    const cmt = cmtRaw !== 0 ? cmtRaw : evid === 1 || evid === 4 ? spec.defaultDoseCmt : spec.defaultObsCmt;
    if (hasCmt) row[kept.findIndex((k) => k.it.label === 'CMT')] = String(cmt);
    const copies = extra.map((x) => {
      const v = (cells[x.col] ?? '').trim();
      return v === '.' || v === '' ? '0' : v;
    });
    out.push(
      [...row, ...copies, ...(hasEvid ? [] : [String(evid)]), ...(hasCmt ? [] : [String(cmt)])].join(','),
    );
    lineNumbers.push(line);
  }
  if (issues.length) throw new DosetwinError(issues);
  return { csv: out.join('\n') + '\n', lineNumbers };
}

/** Read a NONMEM dataset for a model translated from a control stream (see {@link nonmemDataToCsv}). */
export function readNonmemDataset(
  text: string,
  ir: ModelIR,
  spec: NonmemDataSpec,
  file = 'data.csv',
): Dataset {
  const { csv, lineNumbers } = nonmemDataToCsv(text, ir, spec, file);
  return parseDataset(csv, ir, file, { raw: true, standardColumns: PREDPP_ITEMS, lineNumbers });
}
