/**
 * The text a PDF shows, page by page, as a reader extracts it (Mozilla's pdf.js): what the report
 * tests read, rather than searching the file's bytes.
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfText {
  pages: string[];
  /**
   * The characters each page draws, glyph by glyph in drawing order (each glyph's Unicode from the
   * font's map), with no line breaks: pdf.js's text above reads every kind of space as ' ', this
   * keeps the narrow no-break space (U+202F) a French number is written with.
   */
  drawn: string[];
  /** The number of vector path operations drawn (lines, curves, rectangles), per page. */
  paths: number[];
  /** The page size in points. */
  size: { width: number; height: number };
}

export async function pdfText(pdf: Uint8Array): Promise<PdfText> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false })
    .promise;
  const pages: string[] = [];
  const paths: number[] = [];
  const drawn: string[] = [];
  let size = { width: 0, height: 0 };
  const { OPS } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    if (i === 1) {
      const v = page.getViewport({ scale: 1 });
      size = { width: v.width, height: v.height };
    }
    // The characters as the PDF maps its glyphs, not pdf.js's compatibility form (which reads the
    // micro sign µ of µmol/L as the Greek μ).
    const content = await page.getTextContent({ disableNormalization: true });
    pages.push(
      content.items
        .map((x) => ('str' in x ? x.str + (x.hasEOL ? '\n' : '') : ''))
        .join('')
        .replace(/[ \t]+/g, ' '),
    );
    const ops = await page.getOperatorList();
    drawn.push(
      ops.fnArray
        .flatMap((f, k) =>
          f === OPS.showText || f === OPS.showSpacedText
            ? (ops.argsArray[k][0] as unknown[]).map((g) =>
                typeof g === 'object' && g !== null && 'unicode' in g ? String(g.unicode) : '',
              )
            : [],
        )
        .join(''),
    );
    paths.push(
      ops.fnArray.filter((f) => f === OPS.constructPath || f === OPS.lineTo || f === OPS.rectangle).length,
    );
  }
  await doc.destroy();
  return { pages, drawn, paths, size };
}
