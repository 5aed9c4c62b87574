import { DosetwinError, type Issue } from '../errors.ts';
import type { Pos } from './ir.ts';

export type TokenKind = 'num' | 'ident' | 'str' | 'op' | 'nl' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Numeric value of `num` tokens. */
  value: number;
  pos: Pos;
}

const OPS = [
  '..',
  '**',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '^',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  '=',
  '<',
  '>',
  '!',
  '~',
  '|',
  ':',
  ';',
];

/**
 * Tokenise a slice of a model file. `lines` holds the source lines and their 1-based line numbers;
 * comments run from `#` to the end of the line. Newlines are tokens because they end statements.
 */
export function tokenize(lines: { text: string; line: number }[], file: string): Token[] {
  const out: Token[] = [];
  const issues: Issue[] = [];
  for (const { text, line } of lines) {
    let i = 0;
    const n = text.length;
    while (i < n) {
      const c = text[i];
      const column = i + 1;
      if (c === '#') break;
      if (c === ' ' || c === '\t' || c === '\r') {
        i++;
        continue;
      }
      if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
        let j = i;
        while (j < n && isDigit(text[j])) j++;
        if (text[j] === '.' && text[j + 1] !== '.') {
          j++;
          while (j < n && isDigit(text[j])) j++;
        }
        if ((text[j] === 'e' || text[j] === 'E') && /^[eE][+-]?\d/.test(text.slice(j, j + 3))) {
          j++;
          if (text[j] === '+' || text[j] === '-') j++;
          while (j < n && isDigit(text[j])) j++;
        }
        const s = text.slice(i, j);
        out.push({ kind: 'num', text: s, value: Number(s), pos: { line, column } });
        i = j;
        continue;
      }
      if (isIdentStart(c)) {
        let j = i + 1;
        while (j < n && isIdentPart(text[j])) j++;
        out.push({ kind: 'ident', text: text.slice(i, j), value: NaN, pos: { line, column } });
        i = j;
        continue;
      }
      if (c === '"') {
        const j = text.indexOf('"', i + 1);
        if (j < 0) {
          issues.push({
            code: 'DT_MODEL_SYNTAX',
            severity: 'error',
            field: 'model',
            message: 'unterminated string',
            file,
            line,
            column,
          });
          break;
        }
        out.push({ kind: 'str', text: text.slice(i + 1, j), value: NaN, pos: { line, column } });
        i = j + 1;
        continue;
      }
      const op = OPS.find((o) => text.startsWith(o, i));
      if (op) {
        out.push({ kind: 'op', text: op, value: NaN, pos: { line, column } });
        i += op.length;
        continue;
      }
      issues.push({
        code: 'DT_MODEL_SYNTAX',
        severity: 'error',
        field: 'model',
        message: `unexpected character '${c}'`,
        file,
        line,
        column,
      });
      i++;
    }
    out.push({ kind: 'nl', text: '\n', value: NaN, pos: { line, column: text.length + 1 } });
  }
  if (issues.length) throw new DosetwinError(issues);
  const last = lines.length ? lines[lines.length - 1] : { line: 1, text: '' };
  out.push({ kind: 'eof', text: '', value: NaN, pos: { line: last.line, column: last.text.length + 1 } });
  return out;
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
