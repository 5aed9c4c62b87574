import { compileModel, DosetwinError, parseModel, type CompiledModel, type ModelIR } from '@dosetwin/engine';
import { LIBRARY, type LibraryEntry } from './library.ts';
import { parseProducts, type ProductLine } from './products.ts';
import { parseVerified, type Verification } from './verified.ts';

/** A library model: its file, parsed IR, verification record and products; compiled on first use. */
export interface LibraryModel {
  id: string;
  file: string;
  source: string;
  ir: ModelIR;
  verification: Verification;
  /**
   * The model file's own products block: overrides of its drug file only. What the model is used
   * with (drug file and overrides) is `modelPolicy(model)`.
   */
  products: ProductLine[];
  /** Problems reading the verified and products blocks (the library sweep requires none). */
  problems: string[];
  compiled(): CompiledModel;
}

const cache = new Map<string, LibraryModel>();

function load(e: LibraryEntry): LibraryModel {
  let m = cache.get(e.id);
  if (m) return m;
  const ir = parseModel(e.source, e.file);
  const verification = parseVerified(ir.verified);
  const { products, problems } = parseProducts(ir.products ?? []);
  let compiled: CompiledModel | null = null;
  m = {
    id: e.id,
    file: e.file,
    source: e.source,
    ir,
    verification,
    products,
    problems: [
      ...(ir.id !== e.id ? [`the file's model id '${ir.id}' differs from its path id '${e.id}'`] : []),
      ...verification.problems,
      ...problems,
    ],
    compiled: () => (compiled ??= compileModel(ir)),
  };
  cache.set(e.id, m);
  return m;
}

/** Every library model, sorted by id. */
export function listModels(): LibraryModel[] {
  return LIBRARY.map(load);
}

/** Ids of the library, without parsing. */
export function modelIds(): string[] {
  return LIBRARY.map((e) => e.id);
}

/** The model with this id (path without extension, e.g. `vancomycin/goti2018`). */
export function getModel(id: string): LibraryModel {
  const e = LIBRARY.find((x) => x.id === id);
  if (!e) {
    const drug = id.split('/')[0];
    const same = LIBRARY.filter((x) => x.id.startsWith(`${drug}/`)).map((x) => x.id);
    throw new DosetwinError([
      {
        code: 'DT_MODEL_UNKNOWN',
        severity: 'error',
        field: 'model',
        message: `no library model '${id}'`,
        hint: same.length ? `${drug} models: ${same.join(', ')}` : `run 'dosetwin models' for the list`,
      },
    ]);
  }
  return load(e);
}

/** The models of one drug (matched on the `drug` line or the id's folder), sorted by id. */
export function modelsForDrug(drug: string): LibraryModel[] {
  const d = drug.toLowerCase();
  return listModels().filter((m) => m.ir.drug.toLowerCase() === d || m.id.startsWith(`${d}/`));
}

/** `Goti 2018` from a citation text: first author's surname and the first year. */
export function shortCitation(ir: ModelIR): string {
  const text = ir.citation?.text ?? '';
  // The surname with its lowercase particles (van Hest, ter Heine, de Winter), before the initials.
  const author = /^((?:(?:van|von|der|den|de|ter|te|la|le|du|da|di)\s+)*[^\s,]+)/.exec(text)?.[1] ?? '?';
  const year = /\b(19|20)\d{2}\b/.exec(text)?.[0] ?? '';
  return `${author}${/\bet al\b/.test(text) ? ' et al.' : ''} ${year}`.trim();
}
