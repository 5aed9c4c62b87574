import { DosetwinError } from '../errors.ts';
import type { BinOp, CmtProperty, Expr, Pos, Stmt } from './ir.ts';
import type { Token } from './lexer.ts';

const CMT_PROPS: readonly CmtProperty[] = ['lag', 'bioav', 'rate', 'duration', 'init'];

/**
 * Recursive-descent parser over a token stream: expressions with the usual precedence
 * (|| < && < comparisons < + - < * / < unary < ^, ^ right-associative) and equation statements.
 */
export class TokenParser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly file: string,
  ) {}

  peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  next(): Token {
    const t = this.toks[this.i];
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }
  isOp(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t.kind === 'op' && t.text === text;
  }
  isIdent(text?: string, o = 0): boolean {
    const t = this.peek(o);
    return t.kind === 'ident' && (text === undefined || t.text === text);
  }
  skipNewlines(): void {
    while (this.peek().kind === 'nl' || this.isOp(';')) this.next();
  }

  error(t: Token, message: string, hint?: string): never {
    throw new DosetwinError([
      {
        code: 'DT_MODEL_SYNTAX',
        severity: 'error',
        field: 'model',
        message,
        file: this.file,
        line: t.pos.line,
        column: t.pos.column,
        ...(hint ? { hint } : {}),
      },
    ]);
  }

  describe(t: Token): string {
    if (t.kind === 'eof') return 'end of block';
    if (t.kind === 'nl') return 'end of line';
    return `'${t.text}'`;
  }

  expectOp(text: string, what?: string): Token {
    const t = this.peek();
    if (t.kind !== 'op' || t.text !== text)
      this.error(t, `expected '${text}'${what ? ' ' + what : ''}, found ${this.describe(t)}`);
    return this.next();
  }

  expectIdent(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') this.error(t, `expected ${what}, found ${this.describe(t)}`);
    return this.next();
  }

  expectNumber(what: string): number {
    let sign = 1;
    if (this.isOp('-')) {
      this.next();
      sign = -1;
    }
    const t = this.peek();
    if (t.kind !== 'num') this.error(t, `expected ${what} (a number), found ${this.describe(t)}`);
    this.next();
    return sign * t.value;
  }

  /** End of statement: newline, ';', '}' (left in place) or end of block. */
  endStatement(): void {
    const t = this.peek();
    if (t.kind === 'nl' || t.kind === 'eof' || (t.kind === 'op' && t.text === ';')) {
      if (t.kind !== 'eof') this.next();
      return;
    }
    if (t.kind === 'op' && t.text === '}') return;
    this.error(t, `unexpected ${this.describe(t)} after the end of the statement`);
  }

  // ---- expressions ----
  expr(): Expr {
    return this.or();
  }
  private or(): Expr {
    let a = this.and();
    while (this.isOp('||')) {
      const pos = this.next().pos;
      a = { k: 'bin', op: '||', a, b: this.and(), pos };
    }
    return a;
  }
  private and(): Expr {
    let a = this.cmp();
    while (this.isOp('&&')) {
      const pos = this.next().pos;
      a = { k: 'bin', op: '&&', a, b: this.cmp(), pos };
    }
    return a;
  }
  private cmp(): Expr {
    const a = this.add();
    const t = this.peek();
    if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      const b = this.add();
      if (this.peek().kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(this.peek().text))
        this.error(this.peek(), 'comparisons cannot be chained', "write 'a < b && b < c'");
      return { k: 'bin', op: t.text as BinOp, a, b, pos: t.pos };
    }
    return a;
  }
  private add(): Expr {
    let a = this.mul();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      a = { k: 'bin', op: t.text as BinOp, a, b: this.mul(), pos: t.pos };
    }
    return a;
  }
  private mul(): Expr {
    let a = this.unary();
    while (this.isOp('*') || this.isOp('/')) {
      const t = this.next();
      a = { k: 'bin', op: t.text as BinOp, a, b: this.unary(), pos: t.pos };
    }
    return a;
  }
  private unary(): Expr {
    if (this.isOp('-')) {
      const pos = this.next().pos;
      return { k: 'neg', a: this.unary(), pos };
    }
    if (this.isOp('+')) {
      this.next();
      return this.unary();
    }
    if (this.isOp('!')) {
      const pos = this.next().pos;
      return { k: 'not', a: this.unary(), pos };
    }
    return this.power();
  }
  private power(): Expr {
    const a = this.primary();
    if (this.isOp('^') || this.isOp('**')) {
      const pos = this.next().pos;
      // Right-associative, and binds tighter than unary minus on its left: -x^2 = -(x^2).
      return { k: 'bin', op: '^', a, b: this.unary(), pos };
    }
    return a;
  }
  private primary(): Expr {
    const t = this.peek();
    if (t.kind === 'num') {
      this.next();
      return { k: 'num', v: t.value, pos: t.pos };
    }
    if (t.kind === 'ident') {
      this.next();
      if (this.isOp('(')) {
        this.next();
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          for (;;) {
            args.push(this.expr());
            if (this.isOp(',')) {
              this.next();
              continue;
            }
            break;
          }
        }
        this.expectOp(')', `to close the call of ${t.text}(`);
        return { k: 'call', fn: t.text, args, pos: t.pos };
      }
      return { k: 'ref', name: t.text, pos: t.pos };
    }
    if (t.kind === 'op' && t.text === '(') {
      this.next();
      const e = this.expr();
      this.expectOp(')', 'to close the parenthesis');
      return e;
    }
    this.error(t, `expected a number, a name or '(', found ${this.describe(t)}`);
  }

  // ---- statements ----
  /** Statements until '}' (when nested) or end of block. */
  statements(nested: boolean): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.atEnd()) {
        if (nested) this.error(this.peek(), "missing '}' to close the block");
        return out;
      }
      if (this.isOp('}')) {
        if (!nested) this.error(this.peek(), "'}' without a matching '{'");
        return out;
      }
      if (this.isIdent('transit') && this.isOp('(', 1)) out.push(...this.transitChain());
      else out.push(this.statement());
    }
  }

  /**
   * `transit(a1..a6, k = KTR, input = E)`: a chain of first-order delays of a signal (Hamberg's
   * clotting-factor activity, Friberg's maturing neutrophils): d/dt(a1) = k·(E − a1),
   * d/dt(a_i) = k·(a_{i−1} − a_i). Written out as those d/dt statements; the compartments are
   * declared as usual.
   */
  transitChain(): Stmt[] {
    const t = this.next();
    this.expectOp('(', "after 'transit'");
    const first = this.expectIdent('the first compartment of the chain, e.g. a1');
    this.expectOp('..', `after '${first.text}' (a range such as a1..a6)`);
    const last = this.expectIdent('the last compartment of the chain, e.g. a6');
    const a = /^(.*?)(\d+)$/.exec(first.text);
    const b = /^(.*?)(\d+)$/.exec(last.text);
    if (!a || !b || a[1] !== b[1] || Number(b[2]) < Number(a[2]))
      this.error(
        first,
        `'${first.text}..${last.text}' is not a range of numbered compartments`,
        'write the same name with increasing numbers, e.g. transit(a1..a6, k = KTR, input = E)',
      );
    const args: Record<string, Expr> = {};
    while (this.isOp(',')) {
      this.next();
      const key = this.expectIdent("'k = ...' or 'input = ...'");
      if (key.text !== 'k' && key.text !== 'input')
        this.error(
          key,
          `transit() has no argument '${key.text}'`,
          'arguments: k (the rate), input (the signal)',
        );
      this.expectOp('=', `after '${key.text}'`);
      args[key.text] = this.expr();
    }
    this.expectOp(')', 'to close transit(');
    if (!args.k || !args.input) this.error(t, 'transit() needs k = (the rate) and input = (the signal)');
    this.endStatement();
    const pos = t.pos;
    const ref = (name: string): Expr => ({ k: 'ref', name, pos });
    const out: Stmt[] = [];
    for (let i = Number(a![2]); i <= Number(b![2]); i++) {
      const cmt = `${a![1]}${i}`;
      // Each statement gets its own copy of the expressions (the IR is a tree, not a graph).
      const from = i === Number(a![2]) ? cloneExpr(args.input) : ref(`${a![1]}${i - 1}`);
      out.push({
        k: 'ddt',
        cmt,
        expr: {
          k: 'bin',
          op: '*',
          a: cloneExpr(args.k),
          b: { k: 'bin', op: '-', a: from, b: ref(cmt), pos },
          pos,
        },
        pos,
      });
    }
    return out;
  }

  statement(): Stmt {
    const t = this.peek();
    if (t.kind !== 'ident')
      this.error(t, `expected a statement (NAME = expression), found ${this.describe(t)}`);
    if (t.text === 'if' && this.isOp('(', 1)) return this.ifStatement();
    if (t.text === 'd' && this.isOp('/', 1) && this.isIdent('dt', 2)) {
      this.next();
      this.next();
      this.next();
      this.expectOp('(', "after 'd/dt'");
      const cmt = this.expectIdent('a compartment name').text;
      this.expectOp(')');
      this.expectOp('=', `after 'd/dt(${cmt})'`);
      const expr = this.expr();
      this.endStatement();
      return { k: 'ddt', cmt, expr, pos: t.pos };
    }
    if ((CMT_PROPS as readonly string[]).includes(t.text) && this.isOp('(', 1)) {
      this.next();
      this.next();
      const cmt = this.expectIdent('a compartment name').text;
      this.expectOp(')');
      this.expectOp('=', `after '${t.text}(${cmt})'`);
      const expr = this.expr();
      this.endStatement();
      return { k: 'cmtprop', prop: t.text as CmtProperty, cmt, expr, pos: t.pos };
    }
    this.next();
    if (!this.isOp('='))
      this.error(this.peek(), `expected '=' after '${t.text}', found ${this.describe(this.peek())}`);
    this.next();
    const expr = this.expr();
    this.endStatement();
    return { k: 'assign', name: t.text, expr, pos: t.pos };
  }

  private ifStatement(): Stmt {
    const pos: Pos = this.next().pos;
    const branches: { cond: Expr; body: Stmt[] }[] = [];
    let otherwise: Stmt[] | null = null;
    branches.push(this.condAndBody());
    for (;;) {
      // 'else' may follow '}' on the same or the next line.
      let o = 0;
      while (this.peek(o).kind === 'nl') o++;
      if (!this.isIdent('else', o)) break;
      for (let k = 0; k < o; k++) this.next();
      this.next();
      if (this.isIdent('if') && this.isOp('(', 1)) {
        this.next();
        branches.push(this.condAndBody());
        continue;
      }
      otherwise = this.block();
      break;
    }
    this.endStatement();
    return { k: 'if', branches, otherwise, pos };
  }

  private condAndBody(): { cond: Expr; body: Stmt[] } {
    this.expectOp('(', "after 'if'");
    const cond = this.expr();
    this.expectOp(')', 'to close the condition');
    return { cond, body: this.block() };
  }

  private block(): Stmt[] {
    while (this.peek().kind === 'nl') this.next();
    this.expectOp('{', 'to open the block');
    const body = this.statements(true);
    this.expectOp('}');
    return body;
  }
}

/** A deep copy of an expression. */
function cloneExpr(e: Expr): Expr {
  switch (e.k) {
    case 'num':
    case 'ref':
      return { ...e };
    case 'neg':
    case 'not':
      return { ...e, a: cloneExpr(e.a) };
    case 'bin':
      return { ...e, a: cloneExpr(e.a), b: cloneExpr(e.b) };
    case 'call':
      return { ...e, args: e.args.map(cloneExpr) };
  }
}
