/**
 * The report as an A4 PDF (pdfkit, DejaVu Sans embedded: pdf-fonts.ts): a heading with the patient's
 * identity repeated on every page, the sections of `reportSections` (tables ruled, the chart drawn
 * as vector paths from the same geometry as the HTML's SVG, with its legend), and "page n of m".
 */
import PDFDocument from 'pdfkit';
import { type ReportData, reportHeading, reportSections } from './report.ts';
import { chartGeometry, type ChartGeometry } from './report-chart.ts';
import { tr } from './report-text.ts';
import { FONT, registerPdfFonts } from './pdf-fonts.ts';

export const A4 = { w: 595.28, h: 841.89 };
const M = 42;
const WIDTH = A4.w - 2 * M;

function drawChart(
  doc: PDFKit.PDFDocument,
  g: ChartGeometry,
  x0: number,
  y0: number,
  legend: string[],
): void {
  const { plot } = g;
  const X = (x: number): number => x0 + x;
  const Y = (y: number): number => y0 + y;
  const bottom = plot.y + plot.h;
  doc.save();
  for (const t of g.targets)
    doc
      .rect(X(plot.x), Y(Math.min(t.y0, t.y1)), plot.w, Math.abs(t.y0 - t.y1))
      .fillOpacity(0.14)
      .fill('#2f9e44');
  doc.fillOpacity(1);
  if (g.band.length > 2) {
    doc.moveTo(X(g.band[0][0]), Y(g.band[0][1]));
    for (const [x, y] of g.band.slice(1)) doc.lineTo(X(x), Y(y));
    doc.closePath().fillOpacity(0.2).fill('#4263eb').fillOpacity(1);
  }
  doc.font(FONT.regular).fontSize(6.5).fillColor('#333');
  for (const t of g.yTicks) {
    doc
      .moveTo(X(plot.x), Y(t.y))
      .lineTo(X(plot.x + plot.w), Y(t.y))
      .lineWidth(0.3)
      .stroke('#ced4da');
    doc.text(t.label, X(0), Y(t.y) - 3, { width: plot.x - 3, align: 'right', lineBreak: false });
  }
  for (const t of g.xTicks) {
    doc.moveTo(X(t.x), Y(plot.y)).lineTo(X(t.x), Y(bottom)).lineWidth(0.3).stroke('#e9ecef');
    doc.text(t.label[0], X(t.x) - 20, Y(bottom) + 9, { width: 40, align: 'center', lineBreak: false });
    doc.text(t.label[1], X(t.x) - 20, Y(bottom) + 16, { width: 40, align: 'center', lineBreak: false });
  }
  doc.rect(X(plot.x), Y(plot.y), plot.w, plot.h).lineWidth(0.6).stroke('#868e96');
  const path = (pts: [number, number][]): void => {
    if (!pts.length) return;
    doc.moveTo(X(pts[0][0]), Y(pts[0][1]));
    for (const [x, y] of pts.slice(1)) doc.lineTo(X(x), Y(y));
  };
  if (g.current) {
    path(g.current);
    doc.lineWidth(1).dash(4, { space: 2 }).stroke('#6b6b6b').undash();
  }
  path(g.ipred);
  doc.lineWidth(1.4).stroke('#3b5bdb');
  for (const x of g.doses)
    doc
      .moveTo(X(x), Y(bottom))
      .lineTo(X(x), Y(bottom) + 6)
      .lineWidth(1)
      .stroke('#364fc7');
  for (const x of g.newDoses)
    doc
      .moveTo(X(x), Y(bottom))
      .lineTo(X(x), Y(bottom) + 6)
      .lineWidth(1)
      .stroke('#e8590c');
  if (g.startX !== null)
    doc
      .moveTo(X(g.startX), Y(plot.y))
      .lineTo(X(g.startX), Y(bottom))
      .lineWidth(0.8)
      .dash(1, { space: 2 })
      .stroke('#495057')
      .undash();
  for (const o of g.observed) {
    doc.circle(X(o.x), Y(o.y), 2.4).lineWidth(1);
    if (o.censored) doc.fillAndStroke('#ffffff', '#e8590c');
    else doc.fillAndStroke('#e8590c', '#e8590c');
  }
  doc.fillColor('#333').text(g.yTitle, X(2), Y(plot.y) - 1, { lineBreak: false });
  // Legend, one line under the axis.
  const swatch: Record<number, string> = {};
  legend.forEach(
    (_, k) => (swatch[k] = ['#e8590c', '#3b5bdb', '#a5b4fc', '#6b6b6b', '#8ce99a', '#e8590c'][k]),
  );
  let lx = X(plot.x);
  const ly = Y(bottom) + 27;
  legend.forEach((label, k) => {
    doc.rect(lx, ly, 8, 4).fill(swatch[k] ?? '#999');
    doc.fillColor('#333').text(label, lx + 11, ly - 1.5, { lineBreak: false });
    lx += 16 + doc.widthOfString(label);
  });
  doc.restore();
}

/** The report as an A4 PDF. */
export function renderReportPdf(d: ReportData): Promise<Buffer> {
  const h = reportHeading(d);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: M + 26, bottom: M + 14, left: M, right: M },
    bufferPages: true,
    info: { Title: `${h.title} — ${h.drug}`, Creator: 'dosetwin' },
    lang: d.lang,
  });
  registerPdfFonts(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  const who = d.identity
    ? `${d.identity.familyName.toUpperCase()} ${d.identity.givenName} · ${d.identity.birthDate.split('-').reverse().join('/')} · ${tr(d.lang, 'hospitalNumber')} ${d.identity.hospitalNumber}`
    : d.patient.pseudonym;

  doc.font(FONT.bold).fontSize(14).text(`${h.title} — ${h.drug}`);
  doc.font(FONT.regular).fontSize(8.5).fillColor('#444').text(h.zone).fillColor('#000');
  doc.moveDown(0.4);

  for (const s of reportSections(d)) {
    const need = s.chart ? 260 : 40;
    if (doc.y + need > A4.h - M - 14) doc.addPage();
    doc.moveDown(0.5);
    doc.font(FONT.bold).fontSize(11).fillColor('#000').text(s.title);
    const y = doc.y + 1;
    doc
      .moveTo(M, y)
      .lineTo(M + WIDTH, y)
      .lineWidth(0.5)
      .stroke('#999');
    doc.moveDown(0.3);
    if (s.chart) {
      const g = chartGeometry(s.chart, WIDTH, 230, d.lang, d.timeZone);
      const top = doc.y;
      drawChart(doc, g, M, top, s.legend ?? []);
      doc.y = top + 230 + 8;
      doc.x = M;
    }
    if (s.table) {
      const cols = s.table[0].length;
      const first = cols === 2 ? 150 : cols === 3 ? 200 : 170;
      const rest = (WIDTH - first) / Math.max(1, cols - 1);
      const widths = [first, ...Array.from({ length: cols - 1 }, () => rest)];
      s.table.forEach((row, r) => {
        doc.font(r === 0 && !s.plain ? FONT.bold : FONT.regular).fontSize(8.5);
        const heights = row.map((c, k) => doc.heightOfString(c, { width: widths[k] - 6 }));
        const rowH = Math.max(...heights) + 4;
        if (doc.y + rowH > A4.h - M - 14) doc.addPage();
        const top = doc.y;
        let x = M;
        row.forEach((c, k) => {
          doc.text(c, x + 3, top + 2, { width: widths[k] - 6 });
          x += widths[k];
        });
        doc
          .moveTo(M, top + rowH)
          .lineTo(M + WIDTH, top + rowH)
          .lineWidth(0.3)
          .stroke('#ccc');
        doc.y = top + rowH;
        doc.x = M;
      });
      doc.moveDown(0.3);
    }
    doc.font(FONT.regular).fontSize(8.5).fillColor('#000');
    for (const l of s.lines) doc.text(l, M, doc.y, { width: WIDTH, paragraphGap: 1.5 });
  }

  // The identity and the page number on every page.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Heading and footer sit in the margins: no automatic page break there.
    doc.page.margins.top = 0;
    doc.page.margins.bottom = 0;
    doc.font(FONT.regular).fontSize(7.5).fillColor('#555');
    doc.text(`${h.title} · ${who}`, M, M - 8, { width: WIDTH, lineBreak: false });
    doc.text(tr(d.lang, 'page', { n: i + 1, m: range.count }), M, A4.h - M + 2, {
      width: WIDTH,
      align: 'right',
      lineBreak: false,
    });
  }
  doc.end();
  return done;
}
