import type { Issue } from '../errors.ts';
import type { Pos } from '../model/ir.ts';
import { type NmRecord, type NmToken, tokenizeRecord } from './records.ts';

/**
 * `$THETA`, `$OMEGA` and `$SIGMA`: initial estimates (the model's values), as NM-TRAN reads them.
 *
 * $THETA: `init`, `init FIX`, `(low, init)`, `(low, init, up)`, `(init FIX)`, `(low init up) FIX`,
 * `-INF`/`INF`, `(…)xn` repeats, `LABEL=(…)` and `NAMES(…)` symbolic labels (NONMEM 7.5).
 *
 * $OMEGA/$SIGMA: diagonal values (each optionally `FIX`, `SD`/`STANDARD`, `VARIANCE`, in or after
 * parentheses), `DIAGONAL(n)`, `BLOCK(n)` with the lower triangle row by row and `FIX`, `SD`,
 * `CORRELATION`, `CHOLESKY`, `VALUES(diag, odiag)` anywhere, `BLOCK(n) SAME[(m)]`. All are
 * converted to variances and covariances, as NONMEM does.
 */

export interface ThetaDef {
  value: number;
  low: number;
  up: number;
  fixed: boolean;
  /** NONMEM 7.5 symbolic label (`CL=(0, 4)`), upper case, or null. */
  symbol: string | null;
  /** The line's `;` comment, or null. */
  comment: string | null;
  /** The value as written, e.g. `(0, 4, INF) FIX`. */
  text: string;
  pos: Pos;
}

export interface VarianceDef {
  /** Variances and covariances, symmetric, in eta (eps) order. */
  matrix: number[][];
  fixed: boolean[];
  /** Symbolic labels (NONMEM 7.5), upper case, or null. */
  symbols: (string | null)[];
  comments: (string | null)[];
  /** Index of the block each eta belongs to, and where the block was written. */
  block: number[];
  blockPos: Pos[];
  /** Blocks declared with SAME: index of the block they copy (per block; -1 = none). */
  sameAs: number[];
}

const INF = 1e6;

class Cursor {
  i = 0;
  constructor(readonly toks: NmToken[]) {}
  peek(o = 0): NmToken {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  next(): NmToken {
    const t = this.toks[this.i];
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  skipNl(): void {
    while (this.peek().kind === 'nl') this.next();
  }
  isOp(s: string, o = 0): boolean {
    const t = this.peek(o);
    return t.kind === 'op' && t.text === s;
  }
  isWord(re: RegExp, o = 0): boolean {
    const t = this.peek(o);
    return t.kind === 'ident' && re.test(t.text);
  }
}

const FIX_RE = /^FIX(ED)?$/;
const SD_RE = /^(SD|STANDARD)$/;
const VAR_RE = /^VARIANCE$/;
const COR_RE = /^(CORRELATION|CORRELATON|CORR)$/;
const COV_RE = /^COVARIANCE$/;
const CHOL_RE = /^CHOLESKY$/;
const UNINT_RE = /^UNINT$/;

function err(
  file: string,
  pos: Pos,
  code: Issue['code'],
  field: string,
  message: string,
  hint?: string,
): Issue {
  return {
    code,
    severity: 'error',
    field,
    message,
    file,
    line: pos.line,
    column: pos.column,
    ...(hint ? { hint } : {}),
  };
}

/** A signed number or ±INF at the cursor, or null. */
function readNumber(c: Cursor): { v: number; t: NmToken } | null {
  const t = c.peek();
  let sign = 1;
  let o = 0;
  if (c.isOp('-') || c.isOp('+')) {
    sign = c.isOp('-') ? -1 : 1;
    o = 1;
  }
  const u = c.peek(o);
  if (u.kind === 'num') {
    for (let k = 0; k <= o; k++) c.next();
    return { v: sign * u.value, t };
  }
  if (u.kind === 'ident' && u.text === 'INF') {
    for (let k = 0; k <= o; k++) c.next();
    return { v: sign * INF, t };
  }
  return null;
}

/** `xN` (or `x N`) after a value or group: the repeat count, or 1. */
function readRepeat(c: Cursor): number {
  const t = c.peek();
  if (t.kind === 'ident' && /^X\d+$/.test(t.text)) {
    c.next();
    return Number(t.text.slice(1));
  }
  if (t.kind === 'ident' && t.text === 'X' && c.peek(1).kind === 'num') {
    c.next();
    return c.next().value;
  }
  return 1;
}

function commentOf(rec: NmRecord[], line: number): string | null {
  for (const r of rec) for (const l of r.lines) if (l.line === line) return l.comment;
  return null;
}

export function parseThetas(records: NmRecord[], file: string, issues: Issue[]): ThetaDef[] {
  const out: ThetaDef[] = [];
  for (const rec of records) {
    const c = new Cursor(tokenizeRecord(rec, file, issues));
    let names: string[] = [];
    for (;;) {
      c.skipNl();
      const t = c.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'ident' && t.text === 'NAMES' && c.isOp('(', 1)) {
        c.next();
        c.next();
        names = [];
        while (!c.isOp(')') && c.peek().kind !== 'eof') {
          const n = c.next();
          if (n.kind === 'ident') names.push(n.text);
        }
        c.next();
        continue;
      }
      if (
        t.kind === 'ident' &&
        /^(NUMBERPOINTS|NUMBERPTS|NUMPOINTS|NUMPTS)$/.test(t.text) &&
        c.isOp('=', 1)
      ) {
        c.next();
        c.next();
        c.next();
        continue;
      }
      if (t.kind === 'ident' && /^(ABORT|NOABORT|NOABORTFIRST)$/.test(t.text)) {
        c.next();
        continue;
      }
      let symbol: string | null = null;
      if (t.kind === 'ident' && c.isOp('=', 1) && t.text !== 'INF') {
        symbol = t.text;
        c.next();
        c.next();
      }
      const start = c.peek();
      const parsed = readThetaValue(c, file, issues);
      if (!parsed) return out;
      const times = readRepeat(c);
      for (let k = 0; k < times; k++)
        out.push({
          ...parsed,
          symbol: k === 0 ? (symbol ?? names.shift() ?? null) : (names.shift() ?? null),
          comment: commentOf([rec], start.pos.line),
          pos: start.pos,
        });
    }
  }
  // Several thetas on one line with one comment: one word of the comment each, when they match.
  const byLine = new Map<number, ThetaDef[]>();
  for (const t of out) byLine.set(t.pos.line, [...(byLine.get(t.pos.line) ?? []), t]);
  for (const list of byLine.values()) {
    if (list.length < 2 || !list[0].comment) continue;
    const words = list[0].comment.split(/[\s,;]+/).filter(Boolean);
    if (words.length === list.length) list.forEach((t, i) => (t.comment = words[i]));
  }
  return out;
}

function readThetaValue(
  c: Cursor,
  file: string,
  issues: Issue[],
): Omit<ThetaDef, 'symbol' | 'comment' | 'pos'> | null {
  const t = c.peek();
  const bad = (u: NmToken, message: string, hint?: string): null => {
    issues.push(err(file, u.pos, 'DT_NONMEM_THETA', '$THETA', message, hint));
    return null;
  };
  let fixed = false;
  const slots: (number | null)[] = [];
  const paren = c.isOp('(');
  if (paren) {
    c.next();
    let afterSep = true;
    while (!c.isOp(')')) {
      const u = c.peek();
      if (u.kind === 'nl') {
        c.next();
        continue;
      }
      if (u.kind === 'eof') return bad(t, "'(' without ')' in $THETA");
      if (c.isOp(',')) {
        c.next();
        if (afterSep) slots.push(null);
        afterSep = true;
        continue;
      }
      if (u.kind === 'ident' && FIX_RE.test(u.text)) {
        c.next();
        fixed = true;
        continue;
      }
      if (u.kind === 'ident' && UNINT_RE.test(u.text)) {
        c.next();
        continue;
      }
      const n = readNumber(c);
      if (!n) return bad(u, `expected a number, INF or FIX in $THETA, found '${u.raw}'`);
      slots.push(n.v);
      afterSep = false;
    }
    c.next();
    if (afterSep && slots.length) slots.push(null);
  } else {
    const n = readNumber(c);
    if (!n)
      return bad(
        t,
        `expected a value in $THETA, found '${t.raw}'`,
        "write 'init', '(low, init, up)' or 'init FIX'",
      );
    slots.push(n.v);
  }
  if (c.peek().kind === 'ident' && FIX_RE.test(c.peek().text)) {
    c.next();
    fixed = true;
  }
  if (c.peek().kind === 'ident' && UNINT_RE.test(c.peek().text)) c.next();
  let low = -INF;
  let up = INF;
  let init: number | null;
  if (slots.length === 1) init = slots[0];
  else if (slots.length === 2) [low, init] = [slots[0] ?? -INF, slots[1]];
  else if (slots.length === 3) [low, init, up] = [slots[0] ?? -INF, slots[1], slots[2] ?? INF];
  else return bad(t, `a theta takes (low, init, up): found ${slots.length} values`);
  if (init === null)
    return bad(t, 'this theta has no initial estimate (low,,up)', 'dosetwin needs the value of every THETA');
  if (Math.abs(init) >= INF) return bad(t, 'the initial estimate of a theta cannot be INF');
  if (low === init && init === up) fixed = true;
  const fmt = (v: number | null): string =>
    v === null ? '' : v <= -INF ? '-INF' : v >= INF ? 'INF' : String(v);
  const text = (paren ? `(${slots.map(fmt).join(', ')})` : fmt(init)) + (fixed ? ' FIX' : '');
  return { value: init, low, up, fixed, text };
}

/** Parse all $OMEGA (or $SIGMA) records into one matrix. */
export function parseVariances(
  records: NmRecord[],
  what: 'OMEGA' | 'SIGMA',
  file: string,
  issues: Issue[],
): VarianceDef {
  const out: VarianceDef = {
    matrix: [],
    fixed: [],
    symbols: [],
    comments: [],
    block: [],
    blockPos: [],
    sameAs: [],
  };
  const blocks: { values: number[][]; pos: Pos }[] = [];
  const code = what === 'OMEGA' ? 'DT_NONMEM_OMEGA' : 'DT_NONMEM_SIGMA';
  const field = '$' + what;
  const bad = (pos: Pos, message: string, hint?: string): void => {
    issues.push(err(file, pos, code, field, message, hint));
  };
  /** Line of the value each eta's comment was taken from. */
  const valueLines: number[] = [];
  const addBlock = (
    m: number[][],
    fixed: boolean,
    pos: Pos,
    symbols: (string | null)[],
    comments: (string | null)[],
    sameAs = -1,
    commentLines?: number[],
  ): void => {
    const base = out.matrix.length;
    const n = m.length;
    for (const row of out.matrix) row.push(...new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) {
      out.matrix.push([...new Array<number>(base).fill(0), ...m[i]]);
      out.fixed.push(fixed);
      out.symbols.push(symbols[i] ?? null);
      out.comments.push(comments[i] ?? null);
      valueLines.push(commentLines?.[i] ?? pos.line);
      out.block.push(blocks.length);
    }
    out.blockPos.push(pos);
    out.sameAs.push(sameAs);
    blocks.push({ values: m, pos });
  };

  for (const rec of records) {
    const c = new Cursor(tokenizeRecord(rec, file, issues));
    let blockN: number | null = null;
    let diagN: number | null = null;
    let same = 0;
    let fix = false;
    let sd = false;
    let cor = false;
    let chol = false;
    let valuesOpt: { d: number; o: number } | null = null;
    let names: string[] = [];
    const vals: {
      v: number;
      fix: boolean;
      sd: boolean | null;
      symbol: string | null;
      comment: string | null;
      pos: Pos;
    }[] = [];
    const recPos = rec.pos;
    let ok = true;
    const dimArg = (): number | null => {
      if (!c.isOp('(')) return null;
      c.next();
      const n = c.peek();
      if (n.kind !== 'num' || !Number.isInteger(n.value) || n.value < 1) {
        bad(n.pos, `expected a whole number ≥ 1 in parentheses, found '${n.raw}'`);
        ok = false;
        return null;
      }
      c.next();
      if (!c.isOp(')')) {
        bad(c.peek().pos, `expected ')', found '${c.peek().raw}'`);
        ok = false;
        return null;
      }
      c.next();
      return n.value;
    };
    while (ok) {
      c.skipNl();
      const t = c.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'ident') {
        const w = t.text;
        if (w === 'BLOCK') {
          c.next();
          blockN = dimArg() ?? -1;
          continue;
        }
        if (w === 'DIAGONAL') {
          c.next();
          diagN = dimArg();
          continue;
        }
        if (w === 'SAME') {
          c.next();
          same = dimArg() ?? 1;
          continue;
        }
        if (w === 'BAND') {
          bad(t.pos, `${field} BAND is not supported`, 'write the block with BLOCK(n) and explicit zeros');
          ok = false;
          break;
        }
        if (w === 'VALUES' && c.isOp('(', 1)) {
          c.next();
          c.next();
          const d = readNumber(c);
          if (c.isOp(',')) c.next();
          const o = readNumber(c);
          if (!d || !o || !c.isOp(')')) {
            bad(t.pos, 'VALUES takes (diagonal, off-diagonal)');
            ok = false;
            break;
          }
          c.next();
          valuesOpt = { d: d.v, o: o.v };
          continue;
        }
        if (w === 'NAMES' && c.isOp('(', 1)) {
          c.next();
          c.next();
          names = [];
          while (!c.isOp(')') && c.peek().kind !== 'eof') {
            const n = c.next();
            if (n.kind === 'ident') names.push(n.text);
          }
          c.next();
          continue;
        }
        if (c.isOp('=', 1) && w !== 'INF') {
          // NONMEM 7.5 'LABEL=value'
          c.next();
          c.next();
          names.push(w);
          continue;
        }
        const opt = (): boolean => {
          if (FIX_RE.test(w)) fix = true;
          else if (SD_RE.test(w)) sd = true;
          else if (VAR_RE.test(w)) sd = false;
          else if (COR_RE.test(w)) cor = true;
          else if (COV_RE.test(w)) cor = false;
          else if (CHOL_RE.test(w)) chol = true;
          else if (UNINT_RE.test(w)) return true;
          else return false;
          return true;
        };
        // Diagonal form: FIX / SD / VARIANCE after a value apply to that value.
        if (blockN === null && vals.length && (FIX_RE.test(w) || SD_RE.test(w) || VAR_RE.test(w))) {
          c.next();
          const last = vals[vals.length - 1];
          if (FIX_RE.test(w)) last.fix = true;
          else last.sd = SD_RE.test(w);
          continue;
        }
        if (opt()) {
          c.next();
          continue;
        }
        bad(
          t.pos,
          `unexpected '${t.raw}' in ${field}`,
          'options: BLOCK(n), DIAGONAL(n), SAME, FIX, SD, VARIANCE, CORRELATION, CHOLESKY, VALUES(d,o)',
        );
        ok = false;
        break;
      }
      // A value, or a parenthesised group of values and options, possibly repeated.
      const group: { v: number; fix: boolean; sd: boolean | null; pos: Pos }[] = [];
      if (c.isOp('(')) {
        c.next();
        let gfix = false;
        let gsd: boolean | null = null;
        const nums: { v: number; pos: Pos }[] = [];
        while (!c.isOp(')')) {
          const u = c.peek();
          if (u.kind === 'nl' || c.isOp(',')) {
            c.next();
            continue;
          }
          if (u.kind === 'eof') {
            bad(t.pos, `'(' without ')' in ${field}`);
            ok = false;
            break;
          }
          if (u.kind === 'ident' && FIX_RE.test(u.text)) gfix = true;
          else if (u.kind === 'ident' && SD_RE.test(u.text)) gsd = true;
          else if (u.kind === 'ident' && VAR_RE.test(u.text)) gsd = false;
          else if (!(u.kind === 'ident' && UNINT_RE.test(u.text))) {
            const n = readNumber(c);
            if (!n) {
              bad(u.pos, `expected a number in ${field}, found '${u.raw}'`);
              ok = false;
              break;
            }
            nums.push({ v: n.v, pos: n.t.pos });
            continue;
          }
          c.next();
        }
        if (!ok) break;
        c.next();
        for (const n of nums) group.push({ v: n.v, fix: gfix, sd: gsd, pos: n.pos });
      } else {
        const n = readNumber(c);
        if (!n) {
          bad(t.pos, `unexpected '${t.raw}' in ${field}`);
          ok = false;
          break;
        }
        group.push({ v: n.v, fix: false, sd: null, pos: n.t.pos });
      }
      const times = readRepeat(c);
      for (let k = 0; k < times; k++)
        for (const g of group)
          if (!Number.isNaN(g.v)) vals.push({ ...g, symbol: null, comment: commentOf([rec], g.pos.line) });
    }
    if (!ok) continue;

    // ---- build the record's blocks ----
    if (same > 0) {
      if (vals.length || valuesOpt) {
        bad(recPos, `${field} … SAME takes no values`);
        continue;
      }
      if (!blocks.length) {
        bad(recPos, `${field} SAME has no previous block to copy`);
        continue;
      }
      const prev = blocks[blocks.length - 1];
      const prevIndex = blocks.length - 1;
      const origin = out.sameAs[prevIndex] >= 0 ? out.sameAs[prevIndex] : prevIndex;
      if (blockN !== null && blockN > 0 && blockN !== prev.values.length) {
        bad(recPos, `BLOCK(${blockN}) SAME: the previous block has dimension ${prev.values.length}`);
        continue;
      }
      for (let k = 0; k < same; k++)
        addBlock(
          prev.values.map((r) => [...r]),
          true,
          recPos,
          names.splice(0, prev.values.length),
          [commentOf([rec], recPos.line)],
          origin,
        );
      continue;
    }
    if (blockN !== null) {
      if (blockN < 1) {
        bad(recPos, 'BLOCK needs its dimension, BLOCK(n)', 'write e.g. $OMEGA BLOCK(2) 0.1 0.01 0.1');
        continue;
      }
      const n = blockN;
      const need = (n * (n + 1)) / 2;
      let tri: number[];
      if (valuesOpt) {
        if (vals.length) {
          bad(recPos, `BLOCK(${n}) VALUES(…) takes no other values`);
          continue;
        }
        tri = [];
        for (let i = 0; i < n; i++)
          for (let j = 0; j <= i; j++) tri.push(i === j ? valuesOpt.d : valuesOpt.o);
      } else {
        if (vals.length !== need) {
          bad(
            vals.length > need ? vals[need].pos : recPos,
            `BLOCK(${n}) needs ${need} values (the lower triangle, row by row), found ${vals.length}`,
            `e.g. BLOCK(2): var1 cov21 var2`,
          );
          continue;
        }
        tri = vals.map((v) => v.v);
        if (vals.some((v) => v.fix)) fix = true;
      }
      const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      let k = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) m[i][j] = m[j][i] = tri[k++];
      let res: number[][] | string;
      if (chol) res = fromCholesky(m);
      else res = toCovariance(m, sd, cor);
      if (typeof res === 'string') {
        bad(recPos, `${field} BLOCK(${n}): ${res}`);
        continue;
      }
      const allZero = res.every((r) => r.every((x) => x === 0));
      if (!allZero && !positiveDefinite(res)) {
        bad(
          recPos,
          `${field} BLOCK(${n}) is not positive definite`,
          'check the covariances: |cov(i,j)| < √(var i · var j)',
        );
        continue;
      }
      addBlock(
        res,
        fix,
        recPos,
        names,
        vals.map((v) => v.comment),
      );
      continue;
    }
    // Diagonal.
    if (cor || chol) {
      bad(recPos, 'CORRELATION and CHOLESKY apply to BLOCK(n) records');
      continue;
    }
    if (diagN !== null && diagN !== vals.length) {
      bad(recPos, `DIAGONAL(${diagN}) needs ${diagN} values, found ${vals.length}`);
      continue;
    }
    if (!vals.length) {
      bad(recPos, `${field} has no values`);
      continue;
    }
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      const isSd = v.sd ?? sd;
      if (!(v.v >= 0) || (Math.abs(v.v) >= INF && v.v > 0)) {
        bad(v.pos, `a variance must be ≥ 0 and finite, found ${v.v}`);
        continue;
      }
      const variance = isSd ? v.v * v.v : v.v;
      addBlock([[variance]], fix || v.fix, v.pos, [names[i] ?? null], [v.comment], -1, [v.pos.line]);
    }
  }
  // One comment for several values on a line: one word each when they match ('0.2 0.2 ; CL V').
  const byLine = new Map<number, number[]>();
  out.comments.forEach((c, i) => {
    if (!c) return;
    const line = valueLines[i];
    byLine.set(line, [...(byLine.get(line) ?? []), i]);
  });
  for (const idx of byLine.values()) {
    if (idx.length < 2) continue;
    const words = out.comments[idx[0]]!.split(/[\s,;]+/).filter(Boolean);
    if (words.length === idx.length) idx.forEach((k, w) => (out.comments[k] = words[w]));
    else idx.slice(1).forEach((k) => (out.comments[k] = null));
  }
  return out;
}

/** Lower triangle given with SD (diagonal) and/or correlations (off-diagonal) → covariance. */
function toCovariance(m: number[][], sd: boolean, cor: boolean): number[][] | string {
  const n = m.length;
  const out = m.map((r) => [...r]);
  for (let i = 0; i < n; i++) {
    if (!(m[i][i] >= 0)) return `diagonal element ${i + 1} is ${m[i][i]}; it must be ≥ 0`;
    if (sd) out[i][i] = m[i][i] * m[i][i];
  }
  if (cor)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) {
        if (Math.abs(m[i][j]) > 1)
          return `correlation (${i + 1},${j + 1}) is ${m[i][j]}; it must be in [-1, 1]`;
        out[i][j] = out[j][i] = m[i][j] * Math.sqrt(out[i][i] * out[j][j]);
      }
  return out;
}

/** Ω = L·Lᵀ from the lower-triangular Cholesky factor L. */
function fromCholesky(m: number[][]): number[][] | string {
  const n = m.length;
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += m[i][k] * m[j][k];
      out[i][j] = out[j][i] = s;
    }
  return out;
}

function positiveDefinite(a: number[][]): boolean {
  const n = a.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let d = a[j][j];
    for (let k = 0; k < j; k++) d -= L[j][k] * L[j][k];
    if (!(d > 0)) return false;
    L[j][j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = s / L[j][j];
    }
  }
  return true;
}
