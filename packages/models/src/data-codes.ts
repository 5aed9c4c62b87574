/**
 * Coded columns of a data file, read by the covariate register's codes: SEX is 0 = male,
 * 1 = female everywhere (models and derivations), so a file coded otherwise (1 = male, 2 = female,
 * M/F) would silently give a man the female Cockcroft–Gault factor. Every value of a coded column
 * must be one of its codes; the error names the column and the line. The coding read is stated
 * as a note for the output ("SEX: 0 = male, 1 = female").
 */
import { csvLines, dataIssues, DosetwinError, splitCsv } from '@dosetwin/engine';
import { covariateEntry } from './covariate-register.ts';
import { splitHeader } from './drug-data.ts';

/** The columns checked by default: those whose coding is a safety matter for every model. */
export const CHECKED_CODES: readonly string[] = ['SEX'];

/** `SEX: 0 = male, 1 = female`, from the register's codes (null for a name without codes). */
export function codingNote(name: string): string | null {
  const codes = covariateEntry(name)?.codes;
  return codes ? `${name}: ${codes.map((c) => `${c.value} = ${c.en}`).join(', ')}` : null;
}

/**
 * Check the coded columns `names` of a CSV whose first line is its header (`SEX` or `SEX (-)`,
 * any case): every non-empty value ('.' is empty) must be one of the register's codes. Returns the
 * coding notes of the columns present; throws a DosetwinError listing every bad value with its
 * column and line (DT_DATA).
 */
export function checkCodedColumns(
  text: string,
  file: string,
  names: readonly string[] = CHECKED_CODES,
): { notes: string[] } {
  // The header alone first: a file without a coded column (most) is not split into lines here.
  const eol = text.indexOf('\n');
  const first = eol < 0 ? text : text.slice(0, text[eol - 1] === '\r' ? eol - 1 : eol);
  const header = splitCsv(first).map((h) => splitHeader(h).name.toUpperCase());
  const checked = names.filter((n) => header.includes(n.toUpperCase()) && covariateEntry(n)?.codes);
  const lines = checked.length > 0 || text.trim() === '' ? csvLines(text, file) : [];
  const { issues, bad } = dataIssues(file);
  const notes: string[] = [];
  for (const name of checked) {
    const col = header.indexOf(name.toUpperCase());
    const codes = covariateEntry(name)!.codes!;
    const note = codingNote(name)!;
    notes.push(note);
    const values = codes.map((c) => c.value);
    for (let li = 1; li < lines.length; li++) {
      const raw = (splitCsv(lines[li])[col] ?? '').trim();
      if (raw === '' || raw === '.' || lines[li].trim() === '' || lines[li].startsWith('#')) continue;
      if (!values.includes(Number(raw)))
        bad(
          li + 1,
          name,
          `column ${name}, line ${li + 1}: '${raw}' is not one of ${values.join(', ')}`,
          `${note}; recode the column before reading it`,
        );
    }
  }
  if (issues.length) throw new DosetwinError(issues);
  return { notes };
}
