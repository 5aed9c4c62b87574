// The model a command is given: a model file (.dtm, NONMEM control stream) or a library id.
import { existsSync } from 'node:fs';
import { type CompiledModel, loadModel } from '@dosetwin/engine';
import { getModel } from '@dosetwin/models';
import { readText } from '../io.ts';

/** A model file, or a library id such as `vancomycin/goti2018`. */
export function resolveModel(spec: string): CompiledModel {
  if (existsSync(spec)) return loadModel(readText(spec, 'model'), spec);
  return getModel(spec).compiled();
}
