/**
 * The JSON body parser, in place of Fastify's: the same refusals (an empty body, invalid JSON,
 * a body that would change every object's prototype), each with a message that says which. A key
 * `__proto__`, or `constructor` holding a `prototype`, is refused: no field has those names, and
 * merged into an object they would poison it (Fastify's parser refuses them too, but answers
 * 'not valid JSON').
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import type { FastifyInstance } from 'fastify';

class ProtoKey extends Error {}

const bodyError = (message: string, fr: string): DosetwinError =>
  new DosetwinError([
    { code: 'DT_REQUEST_BODY', severity: 'error', field: 'body', message, fr: { message: fr } } as Issue,
  ]);

export function parseJsonBody(text: string): unknown {
  if (text.length === 0)
    throw bodyError(
      'the body is empty; a JSON object is expected',
      'body : le corps est vide ; un objet JSON est attendu',
    );
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (
        key === '__proto__' ||
        (key === 'constructor' &&
          value !== null &&
          typeof value === 'object' &&
          Object.hasOwn(value, 'prototype'))
      )
        throw new ProtoKey();
      return value;
    });
  } catch (e) {
    if (e instanceof ProtoKey)
      throw bodyError(
        "the body holds a '__proto__' or 'constructor.prototype' key: refused, no field has that name",
        'body : le corps contient une clé « __proto__ » ou « constructor.prototype » : refusé, aucun champ ne porte ce nom',
      );
    throw bodyError('the body is not valid JSON', 'body : le corps n’est pas du JSON valide');
  }
}

export function installJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}
