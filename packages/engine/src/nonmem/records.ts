import type { Issue } from '../errors.ts';
import type { Pos } from '../model/ir.ts';

/**
 * A NONMEM control stream split into its records (`$PROBLEM`, `$INPUT`, `$PK`, …), and the
 * tokens of a record. NM-TRAN's lexical rules: a record starts with `$NAME` as the first
 * non-blank text of a line and runs to the next record; `;` starts a comment; `&` at the end of
 * a line continues it on the next; names are case-insensitive (NONMEM ≥ 7.2); record names may
 * be abbreviated (`$PROB`, `$SUBR`, `$EST`).
 */

export interface RecordLine {
  /** The line without its comment, as written. */
  code: string;
  /** Text after `;` (trimmed), or null. */
  comment: string | null;
  line: number;
  /** 0-based column of `code[0]` in the source line. */
  col: number;
}

export interface NmRecord {
  /** Canonical name, e.g. `THETA`. */
  name: string;
  /** As written, e.g. `$THE`. */
  written: string;
  pos: Pos;
  /** The record's text: the rest of the header line, then the following lines. */
  lines: RecordLine[];
}

/** Canonical record names, with the aliases NM-TRAN accepts. */
const RECORDS: Record<string, string> = {
  PROBLEM: 'PROBLEM',
  INPUT: 'INPUT',
  DATA: 'DATA',
  INFILE: 'DATA',
  SUBROUTINES: 'SUBROUTINES',
  SUBROUTINE: 'SUBROUTINES',
  SUBS: 'SUBROUTINES',
  MODEL: 'MODEL',
  PK: 'PK',
  DES: 'DES',
  ERROR: 'ERROR',
  PRED: 'PRED',
  THETA: 'THETA',
  OMEGA: 'OMEGA',
  SIGMA: 'SIGMA',
  ESTIMATION: 'ESTIMATION',
  ESTM: 'ESTIMATION',
  COVARIANCE: 'COVARIANCE',
  COVR: 'COVARIANCE',
  TABLE: 'TABLE',
  SCATTERPLOT: 'SCATTERPLOT',
  SIMULATION: 'SIMULATION',
  SIMULATE: 'SIMULATION',
  SIML: 'SIMULATION',
  ABBREVIATED: 'ABBREVIATED',
  SIZES: 'SIZES',
  PRIOR: 'PRIOR',
  THETAP: 'THETAP',
  THETAPV: 'THETAPV',
  OMEGAP: 'OMEGAP',
  OMEGAPD: 'OMEGAPD',
  SIGMAP: 'SIGMAP',
  SIGMAPD: 'SIGMAPD',
  THETAI: 'THETAI',
  THETAR: 'THETAR',
  MSFI: 'MSFI',
  MIX: 'MIX',
  INFN: 'INFN',
  AES: 'AES',
  AESINITIAL: 'AESINITIAL',
  AES0: 'AESINITIAL',
  TOL: 'TOL',
  LEVEL: 'LEVEL',
  NONPARAMETRIC: 'NONPARAMETRIC',
  ETAS: 'ETAS',
  PHIS: 'PHIS',
  RCOV: 'RCOV',
  RCOVI: 'RCOVI',
  OMIT: 'OMIT',
  BIND: 'BIND',
  TTDF: 'TTDF',
  DESIGN: 'DESIGN',
  ANNEAL: 'ANNEAL',
  CONTR: 'CONTR',
  SUPER: 'SUPER',
  DEFAULT: 'DEFAULT',
  FORMAT: 'FORMAT',
  INDEX: 'INDEX',
  INDXS: 'INDEX',
  WARNINGS: 'WARNINGS',
  OLKJDF: 'OLKJDF',
  OVARF: 'OVARF',
  SLKJDF: 'SLKJDF',
  SVARF: 'SVARF',
  CHAIN: 'CHAIN',
};

/** Canonical record name for `written` (without `$`), or an error message. */
export function resolveRecordName(written: string): { name: string } | { error: string } {
  const w = written.toUpperCase();
  if (RECORDS[w]) return { name: RECORDS[w] };
  if (w.length >= 3) {
    const hits = Object.keys(RECORDS).filter((k) => k.startsWith(w));
    const canon = new Set(hits.map((h) => RECORDS[h]));
    if (canon.size === 1) return { name: [...canon][0] };
    if (hits.length) {
      const shortest = hits.reduce((a, b) => (b.length < a.length ? b : a));
      if (hits.every((h) => h.startsWith(shortest))) return { name: RECORDS[shortest] };
      return { error: `'$${written}' is ambiguous: it abbreviates ${hits.map((h) => '$' + h).join(', ')}` };
    }
  }
  return { error: `unknown record '$${written}'` };
}

/** Remove a `;` comment; with `quoteAware`, a `;` inside '…' or "…" does not start one. */
export function splitComment(text: string, quoteAware: boolean): { code: string; comment: string | null } {
  let q: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === q) q = null;
    } else if (quoteAware && (c === '"' || c === "'")) q = c;
    else if (c === ';') return { code: text.slice(0, i), comment: text.slice(i + 1).trim() };
  }
  return { code: text, comment: null };
}

/**
 * Split a control stream into records. Text before the first record must be blank or comments.
 * Only the first problem is read: a second `$PROBLEM` and everything after it are reported and
 * skipped (a control stream may chain an estimation and a simulation problem).
 */
export function splitRecords(source: string, file: string, issues: Issue[], warnings: Issue[]): NmRecord[] {
  const out: NmRecord[] = [];
  const lines = source.split('\n');
  let problems = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '').replace(/\t/g, ' ');
    const line = i + 1;
    const m = /^(\s*)\$([A-Za-z_0-9]*)/.exec(raw);
    if (m) {
      const written = m[2];
      const col = m[1].length + 1;
      const r = resolveRecordName(written);
      if ('error' in r) {
        issues.push({
          code: 'DT_NONMEM_RECORD',
          severity: 'error',
          field: 'records',
          message: r.error,
          hint: 'records: $PROBLEM $INPUT $DATA $SUBROUTINES $MODEL $PK $DES $ERROR $THETA $OMEGA $SIGMA $ESTIMATION $COVARIANCE $TABLE …',
          file,
          line,
          column: col,
        });
        // Keep the lines away from the previous record.
        out.push({ name: '?', written: '$' + written, pos: { line, column: col }, lines: [] });
        continue;
      }
      if (r.name === 'PROBLEM' && ++problems > 1) {
        warnings.push({
          code: 'DT_NONMEM_IGNORED',
          severity: 'warning',
          field: 'records',
          message: `a second problem starts here: only the first problem of a control stream is read`,
          file,
          line,
          column: col,
        });
        break;
      }
      const start = m[0].length;
      const rest = raw.slice(start);
      const quoteAware = r.name === 'DATA' || r.name === 'PROBLEM';
      const { code, comment } =
        r.name === 'PROBLEM' ? { code: rest, comment: null } : splitComment(rest, quoteAware);
      out.push({
        name: r.name,
        written: '$' + written,
        pos: { line, column: col },
        lines: [{ code, comment, line, col: start }],
      });
      continue;
    }
    const quoteAware = out.length > 0 && out[out.length - 1].name === 'DATA';
    const { code, comment } = splitComment(raw, quoteAware);
    if (!out.length) {
      if (code.trim() !== '')
        issues.push({
          code: 'DT_NONMEM_SYNTAX',
          severity: 'error',
          field: 'records',
          message: `text before the first record: '${code.trim().slice(0, 30)}'`,
          hint: 'a control stream starts with a record such as $PROBLEM',
          file,
          line,
          column: code.search(/\S/) + 1,
        });
      continue;
    }
    out[out.length - 1].lines.push({ code, comment, line, col: 0 });
  }
  return out;
}

// ---- tokens ----

export type NmTokenKind = 'num' | 'ident' | 'str' | 'op' | 'nl' | 'eof';

export interface NmToken {
  kind: NmTokenKind;
  /** Identifiers upper-cased; operators normalised (`.EQ.` → `==`, `**` → `^`, `/=` → `!=`). */
  text: string;
  /** As written. */
  raw: string;
  value: number;
  pos: Pos;
}

const DOTTED: Record<string, string> = {
  EQ: '==',
  NE: '!=',
  GT: '>',
  GE: '>=',
  LT: '<',
  LE: '<=',
  AND: '&&',
  OR: '||',
  NOT: '!',
  EQN: '==N',
  NEN: '!=N',
  EQV: '.EQV.',
  NEQV: '.NEQV.',
};
const DOTTED_RE = /^\.(EQN|NEN|EQV|NEQV|EQ|NE|GT|GE|LT|LE|AND|OR|NOT)\./i;
const OPS: [string, string][] = [
  ['**', '^'],
  ['==', '=='],
  ['/=', '!='],
  ['<=', '<='],
  ['>=', '>='],
  ['<', '<'],
  ['>', '>'],
  ['+', '+'],
  ['-', '-'],
  ['*', '*'],
  ['/', '/'],
  ['(', '('],
  [')', ')'],
  [',', ','],
  ['=', '='],
  [':', ':'],
];

/**
 * Tokenise a record's lines. A line ending with `&` continues on the next (no end-of-line token).
 * Problems are appended to `issues` (code DT_NONMEM_SYNTAX); lexing goes on after them.
 */
export function tokenizeRecord(rec: NmRecord, file: string, issues: Issue[]): NmToken[] {
  const out: NmToken[] = [];
  for (const l of rec.lines) {
    let text = l.code;
    let cont = false;
    const t = text.trimEnd();
    if (t.endsWith('&')) {
      cont = true;
      text = t.slice(0, -1);
    }
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text[i];
      const pos: Pos = { line: l.line, column: l.col + i + 1 };
      if (c === ' ' || c === '\r') {
        i++;
        continue;
      }
      if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
        let j = i;
        while (j < n && isDigit(text[j])) j++;
        if (text[j] === '.' && !DOTTED_RE.test(text.slice(j))) {
          j++;
          while (j < n && isDigit(text[j])) j++;
        }
        if (/^[EeDd][+-]?\d/.test(text.slice(j, j + 3))) {
          j++;
          if (text[j] === '+' || text[j] === '-') j++;
          while (j < n && isDigit(text[j])) j++;
        }
        const s = text.slice(i, j);
        out.push({ kind: 'num', text: s, raw: s, value: Number(s.replace(/[dD]/, 'e')), pos });
        i = j;
        continue;
      }
      if (isIdentStart(c)) {
        let j = i + 1;
        while (j < n && isIdentPart(text[j])) j++;
        const s = text.slice(i, j);
        out.push({ kind: 'ident', text: s.toUpperCase(), raw: s, value: NaN, pos });
        i = j;
        continue;
      }
      if (c === '.') {
        const m = DOTTED_RE.exec(text.slice(i));
        if (m) {
          out.push({ kind: 'op', text: DOTTED[m[1].toUpperCase()], raw: m[0], value: NaN, pos });
          i += m[0].length;
          continue;
        }
      }
      if (c === '"' || c === "'") {
        const j = text.indexOf(c, i + 1);
        const end = j < 0 ? n : j;
        out.push({ kind: 'str', text: text.slice(i + 1, end), raw: text.slice(i, end + 1), value: NaN, pos });
        if (j < 0)
          issues.push(syntax(file, pos, `unterminated quote ${c}`, `close the quote on the same line`));
        i = end + 1;
        continue;
      }
      const op = OPS.find(([o]) => text.startsWith(o, i));
      if (op) {
        out.push({ kind: 'op', text: op[1], raw: op[0], value: NaN, pos });
        i += op[0].length;
        continue;
      }
      issues.push(syntax(file, pos, `unexpected character '${c}'`));
      i++;
    }
    if (!cont)
      out.push({
        kind: 'nl',
        text: '\n',
        raw: '',
        value: NaN,
        pos: { line: l.line, column: l.col + text.length + 1 },
      });
  }
  const last = rec.lines[rec.lines.length - 1];
  out.push({
    kind: 'eof',
    text: '',
    raw: '',
    value: NaN,
    pos: last ? { line: last.line, column: last.col + last.code.length + 1 } : rec.pos,
  });
  return out;
}

export function syntax(file: string, pos: Pos, message: string, hint?: string): Issue {
  return {
    code: 'DT_NONMEM_SYNTAX',
    severity: 'error',
    field: 'control stream',
    message,
    file,
    line: pos.line,
    column: pos.column,
    ...(hint ? { hint } : {}),
  };
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}
