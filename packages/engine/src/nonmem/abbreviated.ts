import { DosetwinError, type Issue } from '../errors.ts';
import type { BinOp, Expr, Pos } from '../model/ir.ts';
import { type NmToken, syntax } from './records.ts';

/**
 * NM-TRAN abbreviated code ($PK, $DES, $ERROR) parsed into statements over IR expressions:
 *
 *     X = expr                      A_0(1) = expr      DADT(2) = expr
 *     IF (cond) X = expr            one-line IF (also with EXIT, CALL, RETURN)
 *     IF (cond) THEN … ELSE IF (cond) THEN … ELSE … ENDIF
 *     EXIT n m   CALL name(...)   RETURN   DO WHILE (cond) … ENDDO   WRITE/PRINT …
 *
 * Operators: `.EQ. .NE. .GT. .GE. .LT. .LE. .AND. .OR. .NOT.` and `== /= > >= < <=`, `**`.
 * Fortran precedence: .OR. < .AND. < .NOT. < relational < + − < * / < **. Functions map to the
 * engine's (`EXP` → exp, `DLOG` → log, …); NONMEM arrays (THETA(1), ETA(2), EPS(1), A(2),
 * MTIME(1)…) are left as calls with upper-case names for the translator to resolve.
 */

export type NmStmt =
  | { k: 'assign'; name: string; index: Expr | null; expr: Expr; pos: Pos }
  | { k: 'if'; branches: { cond: Expr; body: NmStmt[] }[]; otherwise: NmStmt[] | null; pos: Pos }
  | { k: 'do'; cond: Expr; body: NmStmt[]; pos: Pos }
  | { k: 'other'; what: 'EXIT' | 'CALL' | 'RETURN' | 'WRITE'; text: string; pos: Pos };

/** NONMEM intrinsic functions → engine functions. */
export const NM_FUNCTIONS: Record<string, string> = {
  EXP: 'exp',
  DEXP: 'exp',
  LOG: 'log',
  DLOG: 'log',
  ALOG: 'log',
  LOG10: 'log10',
  DLOG10: 'log10',
  ALOG10: 'log10',
  SQRT: 'sqrt',
  DSQRT: 'sqrt',
  ABS: 'abs',
  DABS: 'abs',
  SIN: 'sin',
  DSIN: 'sin',
  COS: 'cos',
  DCOS: 'cos',
  TAN: 'tan',
  DTAN: 'tan',
  ASIN: 'asin',
  ACOS: 'acos',
  ATAN: 'atan',
  INT: 'int',
  IDINT: 'int',
  MOD: 'mod',
  DMOD: 'mod',
  MIN: 'min',
  DMIN1: 'min',
  AMIN1: 'min',
  MAX: 'max',
  DMAX1: 'max',
  AMAX1: 'max',
  FLOOR: 'floor',
};

const REL = ['==', '!=', '<', '<=', '>', '>='];

class Parser {
  private i = 0;
  constructor(
    private readonly toks: NmToken[],
    private readonly file: string,
  ) {}

  peek(o = 0): NmToken {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  next(): NmToken {
    const t = this.toks[this.i];
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  isOp(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t.kind === 'op' && t.text === text;
  }
  isWord(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t.kind === 'ident' && t.text === text;
  }
  atLineEnd(): boolean {
    const k = this.peek().kind;
    return k === 'nl' || k === 'eof';
  }
  fail(t: NmToken, message: string, hint?: string): never {
    throw new DosetwinError([syntax(this.file, t.pos, message, hint)]);
  }
  describe(t: NmToken): string {
    if (t.kind === 'eof') return 'the end of the record';
    if (t.kind === 'nl') return 'the end of the line';
    return `'${t.raw}'`;
  }
  expectOp(text: string, what: string): NmToken {
    if (!this.isOp(text))
      this.fail(this.peek(), `expected '${text}' ${what}, found ${this.describe(this.peek())}`);
    return this.next();
  }
  endLine(): void {
    if (!this.atLineEnd())
      this.fail(this.peek(), `unexpected ${this.describe(this.peek())} after the end of the statement`);
    if (this.peek().kind === 'nl') this.next();
  }

  // ---- expressions ----
  expr(): Expr {
    let a = this.and();
    while (this.isOp('||')) {
      const pos = this.next().pos;
      a = { k: 'bin', op: '||', a, b: this.and(), pos };
    }
    return a;
  }
  private and(): Expr {
    let a = this.not();
    while (this.isOp('&&')) {
      const pos = this.next().pos;
      a = { k: 'bin', op: '&&', a, b: this.not(), pos };
    }
    return a;
  }
  private not(): Expr {
    if (this.isOp('!')) {
      const pos = this.next().pos;
      return { k: 'not', a: this.not(), pos };
    }
    return this.rel();
  }
  private rel(): Expr {
    const a = this.add();
    const t = this.peek();
    if (t.kind === 'op' && REL.includes(t.text)) {
      this.next();
      const b = this.add();
      const u = this.peek();
      if (u.kind === 'op' && REL.includes(u.text))
        this.fail(u, 'comparisons cannot be chained', "write 'A.LT.B .AND. B.LT.C'");
      return { k: 'bin', op: t.text as BinOp, a, b, pos: t.pos };
    }
    if (t.kind === 'op' && (t.text === '.EQV.' || t.text === '.NEQV.' || t.text.endsWith('N')))
      this.fail(t, `operator ${t.raw} is not supported in abbreviated code`);
    return a;
  }
  private add(): Expr {
    let a: Expr;
    if (this.isOp('-')) {
      const pos = this.next().pos;
      a = { k: 'neg', a: this.mul(), pos };
    } else {
      if (this.isOp('+')) this.next();
      a = this.mul();
    }
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      a = { k: 'bin', op: t.text as BinOp, a, b: this.mul(), pos: t.pos };
    }
    return a;
  }
  private mul(): Expr {
    let a = this.signed();
    while (this.isOp('*') || this.isOp('/')) {
      const t = this.next();
      a = { k: 'bin', op: t.text as BinOp, a, b: this.signed(), pos: t.pos };
    }
    return a;
  }
  /** A factor, optionally signed (`A*-B`, `2**-1`: accepted as NM-TRAN does). */
  private signed(): Expr {
    if (this.isOp('-')) {
      const pos = this.next().pos;
      return { k: 'neg', a: this.signed(), pos };
    }
    if (this.isOp('+')) {
      this.next();
      return this.signed();
    }
    return this.power();
  }
  private power(): Expr {
    const a = this.primary();
    if (this.isOp('^')) {
      const pos = this.next().pos;
      return { k: 'bin', op: '^', a, b: this.signed(), pos };
    }
    return a;
  }
  private primary(): Expr {
    const t = this.peek();
    if (t.kind === 'num') {
      this.next();
      if (!Number.isFinite(t.value)) this.fail(t, `'${t.raw}' is not a finite number`);
      return { k: 'num', v: t.value, pos: t.pos };
    }
    if (t.kind === 'ident') {
      this.next();
      if (this.isOp('(')) {
        this.next();
        const args: Expr[] = [];
        if (!this.isOp(')'))
          for (;;) {
            args.push(this.expr());
            if (this.isOp(',')) {
              this.next();
              continue;
            }
            break;
          }
        this.expectOp(')', `to close ${t.raw}(`);
        const fn = NM_FUNCTIONS[t.text];
        return { k: 'call', fn: fn ?? t.text, args, pos: t.pos };
      }
      return { k: 'ref', name: t.text, pos: t.pos };
    }
    if (this.isOp('(')) {
      this.next();
      const e = this.expr();
      this.expectOp(')', 'to close the parenthesis');
      return e;
    }
    this.fail(t, `expected a number, a name or '(', found ${this.describe(t)}`);
  }

  // ---- statements ----
  /** All statements of a record; IF blocks must be closed. */
  program(): NmStmt[] {
    const { body, end } = this.block();
    if (end) this.fail(end, `${end.raw.toUpperCase()} without a matching IF … THEN`);
    return body;
  }

  /**
   * Statements until ELSE, ELSE IF, ENDIF or ENDDO at the start of a line (returned unconsumed),
   * or until the end of the record.
   */
  private block(): { body: NmStmt[]; end: NmToken | null } {
    const body: NmStmt[] = [];
    for (;;) {
      while (this.peek().kind === 'nl') this.next();
      const t = this.peek();
      if (t.kind === 'eof') return { body, end: null };
      if (this.lineWord()) return { body, end: t };
      body.push(this.statement());
    }
  }

  /** ELSE, ELSEIF, ENDIF, ENDDO (also written `ELSE IF`, `END IF`, `END DO`) at the cursor. */
  private lineWord(): string | null {
    const t = this.peek();
    if (t.kind !== 'ident') return null;
    if (t.text === 'ELSE' && this.isWord('IF', 1)) return 'ELSEIF';
    if (t.text === 'END' && this.isWord('IF', 1)) return 'ENDIF';
    if (t.text === 'END' && this.isWord('DO', 1)) return 'ENDDO';
    if (['ELSE', 'ELSEIF', 'ENDIF', 'ENDDO'].includes(t.text) && !this.isOp('=', 1)) return t.text;
    return null;
  }
  private consumeLineWord(w: string): void {
    const t = this.next();
    if (t.text === 'ELSE' && w === 'ELSEIF') this.next();
    if (t.text === 'END') this.next();
  }

  private statement(): NmStmt {
    const t = this.peek();
    if (t.kind === 'str' && t.raw.startsWith('"'))
      this.fail(t, 'verbatim Fortran code (a line starting with ") is not supported');
    if (t.kind !== 'ident') this.fail(t, `expected a statement, found ${this.describe(t)}`);
    if (t.text === 'IF' && this.isOp('(', 1)) return this.ifStatement();
    if (t.text === 'DO' && this.isWord('WHILE', 1)) {
      this.next();
      this.next();
      this.expectOp('(', "after 'DO WHILE'");
      const cond = this.expr();
      this.expectOp(')', 'to close the condition');
      this.endLine();
      const { body, end } = this.block();
      if (!end || this.lineWord() !== 'ENDDO')
        this.fail(end ?? this.peek(), `DO WHILE at line ${t.pos.line} has no ENDDO`);
      this.consumeLineWord('ENDDO');
      this.endLine();
      return { k: 'do', cond, body, pos: t.pos };
    }
    const simple = this.simpleStatement();
    this.endLine();
    return simple;
  }

  /** A statement that fits on one line (also the body of a one-line IF). */
  private simpleStatement(): NmStmt {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(t, `expected a statement, found ${this.describe(t)}`);
    if (!this.isOp('=', 1) && !this.isOp('(', 1)) {
      if (t.text === 'EXIT' || t.text === 'RETURN') {
        this.next();
        const text = [t.text, this.restOfLine()].join(' ').trim();
        return { k: 'other', what: t.text, text, pos: t.pos };
      }
      if (t.text === 'CALL') {
        this.next();
        return { k: 'other', what: 'CALL', text: 'CALL ' + this.restOfLine(), pos: t.pos };
      }
      if (['WRITE', 'PRINT', 'OPEN', 'CLOSE', 'REWIND'].includes(t.text))
        return { k: 'other', what: 'WRITE', text: this.restOfLine(), pos: t.pos };
      if (t.text === 'THEN') this.fail(t, "THEN without 'IF (…)' before it on the line");
      this.fail(
        this.peek(1),
        `expected '=' after '${t.raw}', found ${this.describe(this.peek(1))}`,
        'statements are NAME = expression, IF, EXIT, CALL',
      );
    }
    if (['WRITE', 'PRINT', 'OPEN', 'CLOSE', 'REWIND'].includes(t.text) && this.isOp('(', 1))
      return { k: 'other', what: 'WRITE', text: this.restOfLine(), pos: t.pos };
    if (t.text === 'CALL') {
      this.next();
      return { k: 'other', what: 'CALL', text: 'CALL ' + this.restOfLine(), pos: t.pos };
    }
    this.next();
    let index: Expr | null = null;
    if (this.isOp('(')) {
      this.next();
      index = this.expr();
      this.expectOp(')', `to close ${t.raw}(`);
    }
    if (!this.isOp('='))
      this.fail(
        this.peek(),
        `expected '=' after '${t.raw}${index ? '(…)' : ''}', found ${this.describe(this.peek())}`,
      );
    this.next();
    const expr = this.expr();
    return { k: 'assign', name: t.text, index, expr, pos: t.pos };
  }

  /** Raw text up to the end of the line (left unconsumed: endLine follows). */
  private restOfLine(): string {
    const parts: string[] = [];
    while (!this.atLineEnd()) parts.push(this.next().raw);
    return parts.join(' ');
  }

  private ifStatement(): NmStmt {
    const start = this.next();
    const cond = this.condition();
    if (!this.isWord('THEN')) {
      // One-line IF.
      if (this.atLineEnd()) this.fail(this.peek(), "expected THEN or a statement after 'IF (…)'");
      const body = this.simpleStatement();
      this.endLine();
      return { k: 'if', branches: [{ cond, body: [body] }], otherwise: null, pos: start.pos };
    }
    this.next();
    this.endLine();
    const branches: { cond: Expr; body: NmStmt[] }[] = [];
    let otherwise: NmStmt[] | null = null;
    let inElse = false;
    let cur = cond;
    for (;;) {
      const { body, end } = this.block();
      const w = end ? this.lineWord() : null;
      if (!end || w === 'ENDDO')
        this.fail(
          end ?? start,
          `IF (…) THEN at line ${start.pos.line} has no ENDIF`,
          'close each IF … THEN block with ENDIF',
        );
      if (inElse) {
        if (w !== 'ENDIF') this.fail(end, `${w} after ELSE in the IF at line ${start.pos.line}`);
        otherwise = body;
      } else branches.push({ cond: cur, body });
      if (w === 'ENDIF') {
        this.consumeLineWord('ENDIF');
        this.endLine();
        break;
      }
      if (w === 'ELSEIF') {
        this.consumeLineWord('ELSEIF');
        cur = this.condition();
        if (!this.isWord('THEN')) this.fail(this.peek(), "expected THEN after 'ELSE IF (…)'");
        this.next();
        this.endLine();
        continue;
      }
      this.consumeLineWord('ELSE');
      this.endLine();
      inElse = true;
    }
    return { k: 'if', branches, otherwise, pos: start.pos };
  }

  private condition(): Expr {
    this.expectOp('(', "after 'IF'");
    const c = this.expr();
    this.expectOp(')', 'to close the condition');
    return c;
  }
}

/** Parse the tokens of an abbreviated-code record; a syntax error is appended to `issues`. */
export function parseAbbreviated(toks: NmToken[], file: string, issues: Issue[]): NmStmt[] {
  try {
    return new Parser(toks, file).program();
  } catch (e) {
    if (e instanceof DosetwinError) {
      issues.push(...e.issues);
      return [];
    }
    throw e;
  }
}
