import { type CompiledModel, compileModel } from './compile.ts';
import { parseModel } from './parse.ts';

const cache = new Map<string, CompiledModel>();

/**
 * Parse and compile a model file's text. Compiled models are cached by file name and content, so
 * repeated loads (a server handling many requests) compile once.
 */
export function loadModel(source: string, file = 'model.dtm'): CompiledModel {
  const key = `${file}\u0000${source}`;
  let m = cache.get(key);
  if (!m) {
    m = compileModel(parseModel(source, file));
    if (cache.size > 256) cache.clear();
    cache.set(key, m);
  }
  return m;
}
