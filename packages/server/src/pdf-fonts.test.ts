// The fonts the PDFs embed (DejaVu Sans from @fontsource/dejavu-sans): each WOFF unpacked to the
// very TrueType tables it wraps (every table's checksum is the one the WOFF recorded for the
// original), a glyph in every face for every character the report and the nomogram print (a
// missing one would print as a box), and a French nomogram read back with pdf.js: the symbols as
// the screen shows them (≥, –, ’), subsets of the faces embedded rather than whole fonts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { type Nomogram, type NomogramCell, wilson95 } from '@dosetwin/engine';
import {
  COVARIATE_REGISTER,
  ISSUE_CATALOGUE,
  listModels,
  MET_MEANING,
  PTA_MEANING,
  rankingRule,
} from '@dosetwin/models';
import { renderNomogramPdf } from './nomogram-pdf.ts';
import { type Face, FONT, pdfFonts, sfntOfWoff, woffTables } from './pdf-fonts.ts';
import { pdfText } from './pdf-text.ts';

const FACES = Object.keys(FONT) as Face[];
const woff = (name: string): Buffer =>
  readFileSync(createRequire(import.meta.url).resolve(`@fontsource/dejavu-sans/files/${name}`));

/** The OpenType table checksum: the sum of the table's big-endian 32-bit words, zero-padded. */
function tableChecksum(t: Buffer): number {
  const b = Buffer.concat([t, Buffer.alloc((4 - (t.length % 4)) % 4)]);
  let sum = 0;
  for (let i = 0; i < b.length; i += 4) sum = (sum + b.readUInt32BE(i)) >>> 0;
  return sum;
}

/** The glyph id of a BMP code point in an sfnt's Unicode cmap subtable of format 4 (0: none). */
function glyphId(sfnt: Buffer, cp: number): number {
  const n = sfnt.readUInt16BE(4);
  const rec = Array.from({ length: n }, (_, i) => 12 + 16 * i).find(
    (r) => sfnt.toString('latin1', r, r + 4) === 'cmap',
  );
  assert.ok(rec !== undefined, 'no cmap table');
  const cmap = sfnt.readUInt32BE(rec + 8);
  const sub = Array.from({ length: sfnt.readUInt16BE(cmap + 2) }, (_, i) => cmap + 4 + 8 * i)
    .map((e) => cmap + sfnt.readUInt32BE(e + 4))
    .find((at) => sfnt.readUInt16BE(at) === 4);
  assert.ok(sub !== undefined, 'no format 4 cmap subtable');
  const segX2 = sfnt.readUInt16BE(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const ranges = deltas + segX2;
  for (let s = 0; s < segX2; s += 2) {
    if (cp > sfnt.readUInt16BE(ends + s)) continue;
    const start = sfnt.readUInt16BE(starts + s);
    if (cp < start) return 0;
    const delta = sfnt.readUInt16BE(deltas + s);
    const range = sfnt.readUInt16BE(ranges + s);
    if (range === 0) return (cp + delta) & 0xffff;
    const g = sfnt.readUInt16BE(ranges + s + range + 2 * (cp - start));
    return g === 0 ? 0 : (g + delta) & 0xffff;
  }
  return 0;
}

/** The printable characters of `text` a face has no glyph for (line breaks and tabs are no glyphs). */
const missing = (face: Face, text: string): string[] =>
  [...new Set(text)].filter((c) => {
    const cp = c.codePointAt(0)!;
    return cp >= 0x20 && (cp > 0xffff || glyphId(pdfFonts()[face], cp) === 0);
  });

test('each WOFF unpacks to the TrueType tables it wraps: lengths and checksums as the WOFF recorded them; a WOFF2 or a damaged table is refused', () => {
  for (const name of [
    'dejavu-sans-latin-400-normal.woff',
    'dejavu-sans-latin-700-normal.woff',
    'dejavu-sans-latin-400-italic.woff',
  ]) {
    const w = woff(name);
    const tables = woffTables(w);
    const sfnt = sfntOfWoff(w);
    assert.equal(sfnt.readUInt32BE(0), 0x00010000, `${name}: a TrueType font`);
    assert.equal(sfnt.readUInt16BE(4), tables.length);
    // searchRange, entrySelector, rangeShift for 16 to 31 tables (18 or 19 here): 16 · 16,
    // log2(16), n · 16 − 256.
    const n = tables.length;
    assert.ok(n >= 16 && n < 32, `${name}: ${n} tables`);
    assert.deepEqual(
      [sfnt.readUInt16BE(6), sfnt.readUInt16BE(8), sfnt.readUInt16BE(10)],
      [256, 4, 16 * n - 256],
    );
    tables.forEach((t, i) => {
      const rec = 12 + 16 * i;
      assert.equal(sfnt.toString('latin1', rec, rec + 4), t.tag);
      const offset = sfnt.readUInt32BE(rec + 8);
      assert.equal(offset % 4, 0, `${t.tag} 4-byte aligned`);
      assert.equal(sfnt.readUInt32BE(rec + 12), t.origLength);
      const data = Buffer.from(sfnt.subarray(offset, offset + t.origLength));
      // The head table's checksum is taken with its checkSumAdjustment (bytes 8-11) set to 0.
      if (t.tag === 'head') data.writeUInt32BE(0, 8);
      assert.equal(tableChecksum(data), t.origChecksum, `${name}: ${t.tag} checksum`);
    });
  }
  const woff2 = woff('dejavu-sans-latin-400-normal.woff2');
  assert.throws(() => sfntOfWoff(woff2), /not a WOFF 1\.0 font/);
  const damaged = Buffer.from(woff('dejavu-sans-latin-400-normal.woff'));
  // The first table's recorded length, one byte more than its data unpacks to.
  damaged.writeUInt32BE(damaged.readUInt32BE(44 + 12) + 1, 44 + 12);
  assert.throws(() => sfntOfWoff(damaged), /WOFF table FFTM: 28 bytes unpacked, 29 expected/);
});

test('every face has a glyph for every character the report and the nomogram print; a character none has is caught', () => {
  const src = (f: string): string => readFileSync(new URL(f, import.meta.url), 'utf8');
  const printed = [
    // The texts of the report and the nomogram, with the library's words they quote.
    ...['report-text.ts', 'report.ts', 'report-chart.ts', 'report-pdf.ts', 'nomogram-pdf.ts'].map(src),
    JSON.stringify([MET_MEANING, PTA_MEANING, rankingRule('fr'), rankingRule('en')]),
    JSON.stringify(ISSUE_CATALOGUE),
    JSON.stringify(COVARIATE_REGISTER),
    ...listModels().map((m) => m.ir.citation?.text ?? ''),
    // What the screen shows and the WinAnsi fonts had not: the French narrow no-break space.
    '≥ ≤ → ✓ ✗ ⚠ ’ \u202f \u00a0 µ · ½ ± ² — – …',
  ].join('');
  for (const face of FACES) assert.deepEqual(missing(face, printed), [], `${face} lacks glyphs`);
  // A kanji, a Devanagari letter and an emoji have no glyph in DejaVu Sans: the check sees it.
  for (const face of FACES) assert.deepEqual(missing(face, 'ASC 薬 क 💊'), ['薬', 'क', '💊']);
});

test('a French nomogram PDF prints ≥, – and ’ as the screen does, in the three faces subset (26 kB, not 2 MB of whole fonts)', async () => {
  const cell = (arm: string | null, k: number, n: number): NomogramCell =>
    arm === null
      ? { arm, pta: null, ci95: null }
      : { arm, pta: { k, n, p: k / n, se: Math.sqrt(((k / n) * (1 - k / n)) / n) }, ci95: wilson95(k, n) };
  const nomogram: Nomogram = {
    day: 3,
    rows: { stratum: 'Poids', bands: ['<80 kg', '≥80 kg'] },
    columns: { stratum: 'ClCr', bands: ['<60 mL/min', '≥60 mL/min'] },
    cells: [
      [cell('750 mg q12h', 150, 200), cell('1250 mg q12h', 60, 200)],
      [cell('1250 mg q12h', 98, 200), cell(null, 0, 0)],
    ],
  };
  const pdf = await renderNomogramPdf({
    title: 'Nomogramme vancomycine — PTA au jour 3',
    nomogram,
    basis: ['Cible : ASC24 ≥ 400 mg·h/L', '2\u202f000 patients virtuels, graine 4'],
    lang: 'fr',
  });
  const read = await pdfText(pdf);
  assert.equal(read.pages.length, 1);
  assert.ok(Math.abs(read.size.width - 841.89) < 0.5 && Math.abs(read.size.height - 595.28) < 0.5);
  const text = read.pages[0].replace(/\n/g, ' ');
  for (const s of [
    'Nomogramme vancomycine — PTA au jour 3',
    'Cible : ASC24 ≥ 400 mg·h/L',
    'Poids \\ ClCr',
    '≥60 mL/min',
    '≥80 kg',
    // 150 of 200: PTA 75 %, Wilson 95 % interval 0.686–0.805 (R: prop.test(150, 200, correct = FALSE)).
    'PTA 75 % (n = 200) au jour 3',
    'IC 95 % 69–80 %',
    'aucun patient',
    'Vert : PTA d’au moins 50 %',
  ])
    assert.ok(text.includes(s), `the nomogram lacks '${s}'`);
  assert.ok(read.drawn[0].includes('2\u202f000 patients virtuels'), 'U+202F drawn');
  for (const w of ['>=', "d'au"]) assert.ok(!text.includes(w), `'${w}' written out`);
  // Three embedded subsets, each named with its face; the whole regular face alone is 740 kB.
  const raw = pdf.toString('latin1');
  for (const name of Object.values(FONT))
    assert.match(raw, new RegExp(`/BaseFont /[A-Z]{6}\\+${name}\\b`), `${name} embedded as a subset`);
  assert.equal((raw.match(/\/FontFile2 /g) ?? []).length, 3);
  assert.ok(pdf.length < 60_000, `the nomogram PDF is ${pdf.length} bytes`);
});
