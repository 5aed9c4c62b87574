/**
 * The fonts the PDFs embed: DejaVu Sans (regular, bold, oblique) from the npm package
 * @fontsource/dejavu-sans, so that the report and the nomogram print what the screen shows —
 * ≥ ≤ → ✓ ✗ ⚠, ’ and the French narrow no-break space (U+202F) — where the standard Helvetica
 * (WinAnsi) has none of them, and so that nothing depends on the fonts of the machine.
 *
 * The package ships web fonts only. From its WOFF2 files pdfkit embeds the whole font (900 kB a
 * PDF) instead of the glyphs used; from its WOFF files it subsets, but fontkit inflates the whole
 * compressed glyph table again for every glyph it reads (a report took 3.7 s of CPU). So each WOFF
 * is unpacked once per process into the plain TrueType font it wraps (`sfntOfWoff`), which pdfkit
 * reads directly and subsets (about 25 kB of font in a three-page report).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';

/** The names to pass to `doc.font()`. */
export const FONT = {
  regular: 'DejaVuSans',
  bold: 'DejaVuSans-Bold',
  oblique: 'DejaVuSans-Oblique',
} as const;

export type Face = keyof typeof FONT;

const FILE: Record<Face, string> = {
  regular: 'dejavu-sans-latin-400-normal.woff',
  bold: 'dejavu-sans-latin-700-normal.woff',
  oblique: 'dejavu-sans-latin-400-italic.woff',
};

/** A WOFF file's table directory entry (WOFF 1.0, §5). */
export interface WoffTable {
  tag: string;
  offset: number;
  compLength: number;
  origLength: number;
  origChecksum: number;
}

/** The tables of a WOFF 1.0 file, as its directory lists them (sorted by tag). */
export function woffTables(woff: Buffer): WoffTable[] {
  if (woff.length < 44 || woff.toString('latin1', 0, 4) !== 'wOFF')
    throw new Error('not a WOFF 1.0 font (no wOFF signature)');
  const numTables = woff.readUInt16BE(12);
  return Array.from({ length: numTables }, (_, i) => {
    const at = 44 + 20 * i;
    return {
      tag: woff.toString('latin1', at, at + 4),
      offset: woff.readUInt32BE(at + 4),
      compLength: woff.readUInt32BE(at + 8),
      origLength: woff.readUInt32BE(at + 12),
      origChecksum: woff.readUInt32BE(at + 16),
    };
  });
}

/**
 * The TrueType/OpenType font a WOFF 1.0 file wraps: each table inflated when stored compressed
 * (zlib, when its compressed length is below its length), laid out 4-byte aligned behind an sfnt
 * table directory in the WOFF's order, with the checksums the WOFF recorded.
 */
export function sfntOfWoff(woff: Buffer): Buffer {
  const tables = woffTables(woff);
  const data = tables.map((t) => {
    const stored = woff.subarray(t.offset, t.offset + t.compLength);
    const raw = t.compLength < t.origLength ? inflateSync(stored) : stored;
    if (raw.length !== t.origLength)
      throw new Error(`WOFF table ${t.tag}: ${raw.length} bytes unpacked, ${t.origLength} expected`);
    return raw;
  });
  const n = tables.length;
  const pow2 = 2 ** Math.floor(Math.log2(n));
  const headerLength = 12 + 16 * n;
  const padded = (x: number): number => (x + 3) & ~3;
  const out = Buffer.alloc(headerLength + data.reduce((s, d) => s + padded(d.length), 0));
  out.writeUInt32BE(woff.readUInt32BE(4), 0); // flavor: the sfnt version
  out.writeUInt16BE(n, 4);
  out.writeUInt16BE(pow2 * 16, 6); // searchRange
  out.writeUInt16BE(Math.log2(pow2), 8); // entrySelector
  out.writeUInt16BE(n * 16 - pow2 * 16, 10); // rangeShift
  let offset = headerLength;
  tables.forEach((t, i) => {
    const rec = 12 + 16 * i;
    out.write(t.tag, rec, 4, 'latin1');
    out.writeUInt32BE(t.origChecksum, rec + 4);
    out.writeUInt32BE(offset, rec + 8);
    out.writeUInt32BE(t.origLength, rec + 12);
    data[i].copy(out, offset);
    offset += padded(data[i].length);
  });
  return out;
}

let fonts: Record<Face, Buffer> | null = null;

/** The three faces as TrueType fonts, unpacked once per process (resolved through the package, from src/ or dist/). */
export function pdfFonts(): Record<Face, Buffer> {
  if (!fonts) {
    const require = createRequire(import.meta.url);
    const read = (f: Face): Buffer =>
      sfntOfWoff(readFileSync(require.resolve(`@fontsource/dejavu-sans/files/${FILE[f]}`)));
    fonts = { regular: read('regular'), bold: read('bold'), oblique: read('oblique') };
  }
  return fonts;
}

/**
 * Registers the three faces in a new document and selects the regular one (pdfkit's default
 * Helvetica, never used, is never written).
 */
export function registerPdfFonts(doc: PDFKit.PDFDocument): PDFKit.PDFDocument {
  const f = pdfFonts();
  for (const face of Object.keys(FONT) as Face[]) doc.registerFont(FONT[face], f[face]);
  return doc.font(FONT.regular);
}
