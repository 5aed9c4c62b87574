// The model a command is given (`--model`): a model file (.dtm, NONMEM control stream) or a
// library id. Every command that takes a model reads it here.
import { existsSync } from 'node:fs';
import { type CompiledModel, loadModel } from '@dosetwin/engine';
import { getModel, type LibraryModel, type ModelRef } from '@dosetwin/models/data';
import { readText } from '../io.ts';

/** A command's model: compiled, the library entry when it is one, and what the data reader needs. */
export interface ModelArg {
  model: CompiledModel;
  /** The library model for a library id (its policy, products, targets); null for a file. */
  library: LibraryModel | null;
  /** The model as the data reader (`readPatients`) takes it. */
  ref: ModelRef;
}

/**
 * A model file, or a library id such as `vancomycin/goti2018`. A name that is not a file and ends
 * in .dtm, .mod or .ctl is a missing file (DT_FILE); any other is looked up in the library
 * (DT_MODEL_UNKNOWN, with the drug's models as the hint).
 */
export function resolveModelArg(spec: string): ModelArg {
  if (existsSync(spec) || /\.(dtm|mod|ctl)$/i.test(spec)) {
    const model = loadModel(readText(spec, 'model'), spec);
    return { model, library: null, ref: { id: model.ir.id, ir: model.ir } };
  }
  const library = getModel(spec);
  return { model: library.compiled(), library, ref: library };
}

/** The compiled model of a file or library id. */
export function resolveModel(spec: string): CompiledModel {
  return resolveModelArg(spec).model;
}

/** How `--model` is described in the help of every command that takes one. */
export const MODEL_HELP =
  'model file (.dtm, NONMEM control stream .mod/.ctl) or library id (dosetwin models)';
