import { type CompiledModel, compileModel } from './compile.ts';
import { parseControlStream } from '../nonmem/translate.ts';
import { parseModel } from './parse.ts';

/** NONMEM control streams are recognised by their extension. */
export const isControlStream = (file: string): boolean => /\.(mod|ctl|nmctl)$/i.test(file);

const cache = new Map<string, CompiledModel>();

/**
 * Parse and compile a model file's text: the model language (`.dtm`), or a NONMEM control stream
 * (`.mod`, `.ctl`), which compiles to the same IR and brings its $INPUT/$DATA dataset reader.
 * Compiled models are cached by file name and content, so repeated loads (a server handling many
 * requests) compile once.
 */
export function loadModel(source: string, file = 'model.dtm'): CompiledModel {
  const key = `${file}\u0000${source}`;
  let m = cache.get(key);
  if (!m) {
    if (isControlStream(file)) {
      const cs = parseControlStream(source, file);
      const compiled = compileModel(cs.ir);
      m = { ...compiled, warnings: [...cs.warnings, ...compiled.warnings] };
    } else m = compileModel(parseModel(source, file));
    if (cache.size > 256) cache.clear();
    cache.set(key, m);
  }
  return m;
}
