/**
 * No control or bidirectional-formatting character enters the record: NUL and the other C0
 * controls (tab, line feed and carriage return excepted), DEL, and the bidi marks, embeddings,
 * overrides and isolates (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069). Stored in a
 * name they truncate it in C tools, hide a part of it, or show it reversed ('Martin' as 'nitraM')
 * on a screen or a printed report. Every string of every JSON body is checked before its schema,
 * and the first such character is named by its field and code point.
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import type { FastifyInstance } from 'fastify';

const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The first forbidden character in a JSON value: its field path and code point. */
export function forbiddenCharacter(
  value: unknown,
  path = 'body',
): { field: string; codePoint: string } | null {
  if (typeof value === 'string') {
    const m = FORBIDDEN.exec(value);
    return m
      ? { field: path, codePoint: `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` }
      : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = forbiddenCharacter(value[i], `${path}.${i}`);
      if (f) return f;
    }
    return null;
  }
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      const f = forbiddenCharacter(k, path) ?? forbiddenCharacter(v, `${path}.${k}`);
      if (f) return f;
    }
  return null;
}

export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const f = forbiddenCharacter(req.body);
    if (!f) return;
    const issue: Issue = {
      code: 'DT_REQUEST_VALUE',
      severity: 'error',
      field: f.field,
      message: `${f.field} holds the control or bidirectional character ${f.codePoint}: refused (it would hide or reverse a part of the text)`,
      fr: {
        message: `${f.field} : contient le caractère de contrôle ou de direction ${f.codePoint} : refusé (il masquerait ou inverserait une partie du texte)`,
      },
    };
    throw new DosetwinError([issue]);
  });
}
