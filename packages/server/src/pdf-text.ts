/**
 * The text a PDF shows, page by page, as a reader extracts it (Mozilla's pdf.js): what the report
 * tests read, rather than searching the file's bytes.
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfText {
  pages: string[];
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
  let size = { width: 0, height: 0 };
  const { OPS } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    if (i === 1) {
      const v = page.getViewport({ scale: 1 });
      size = { width: v.width, height: v.height };
    }
    const content = await page.getTextContent();
    pages.push(
      content.items
        .map((x) => ('str' in x ? x.str + (x.hasEOL ? '\n' : '') : ''))
        .join('')
        .replace(/[ \t]+/g, ' '),
    );
    const ops = await page.getOperatorList();
    paths.push(
      ops.fnArray.filter((f) => f === OPS.constructPath || f === OPS.lineTo || f === OPS.rectangle).length,
    );
  }
  await doc.destroy();
  return { pages, paths, size };
}
