import { DosetwinError, type Issue } from '../errors.ts';
import type { ModelIR } from '../model/ir.ts';
import { splitCsv } from './dataset.ts';

/**
 * Read a table of individual etas: a header with `ID` and either `ETA1..ETAn` (NONMEM order =
 * the model's eta order) or the model's eta names; other columns (ETC, OBJ…) are ignored, so
 * NONMEM's own phi/eta tables can be read as they are.
 */
export function parseEtaTable(text: string, model: ModelIR, file = 'etas.csv'): Map<string, Float64Array> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const issues: Issue[] = [];
  const bad = (line: number, field: string, message: string): void => {
    if (issues.length < 50) issues.push({ code: 'DT_DATA', severity: 'error', field, message, file, line });
  };
  if (!lines.length)
    throw new DosetwinError([
      {
        code: 'DT_DATA',
        severity: 'error',
        field: 'header',
        message: 'the eta table is empty',
        file,
        line: 1,
      },
    ]);
  const header = splitCsv(lines[0]).map((h) => h.trim());
  const idCol = header.findIndex((h) => h.toUpperCase() === 'ID');
  if (idCol < 0) bad(1, 'ID', 'missing column ID');
  const cols = model.etas.map((e, k) => {
    const byName = header.indexOf(e.name);
    const byNumber = header.findIndex((h) => h.toUpperCase() === `ETA${k + 1}`);
    const c = byName >= 0 ? byName : byNumber;
    if (c < 0) bad(1, e.name, `missing column ETA${k + 1} (or ${e.name}) for eta ${e.name}`);
    return c;
  });
  if (issues.length) throw new DosetwinError(issues);
  const out = new Map<string, Float64Array>();
  for (let li = 1; li < lines.length; li++) {
    const cells = splitCsv(lines[li]);
    if (cells.length !== header.length) {
      bad(li + 1, 'record', `has ${cells.length} fields, the header has ${header.length}`);
      continue;
    }
    const id = cells[idCol].trim();
    if (out.has(id)) bad(li + 1, 'ID', `ID ${id} appears twice`);
    const v = new Float64Array(cols.length);
    cols.forEach((c, k) => {
      const x = Number(cells[c].trim());
      if (cells[c].trim() === '' || !Number.isFinite(x))
        bad(li + 1, header[c], `${header[c]} '${cells[c].trim()}' is not a number`);
      v[k] = x;
    });
    out.set(id, v);
  }
  if (issues.length) throw new DosetwinError(issues);
  return out;
}
