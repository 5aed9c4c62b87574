/**
 * The report's concentration–time chart as geometry: from the forecast numbers the analysis stored
 * (the individual curve and its 90 % band, the current regimen continued, the levels, the targets,
 * the doses) to points, polygons, ticks and labels in a box of the page. The PDF (pdfkit paths) and
 * the HTML (inline SVG) draw this same geometry, so both show the same vector chart. The x-axis
 * carries dated local hours in the report's zone.
 */
import { findMetric } from '@dosetwin/engine';
import { num, type ReportLang, timeText, unitText } from './report-text.ts';

export interface ChartInput {
  /** The forecast drawn: epoch ms, individual prediction, 90 % band (model concentration unit). */
  times: number[];
  ipred: number[];
  band: { times: number[]; lo: number[]; hi: number[] };
  /** Where the new regimen starts (epoch ms). */
  startMs: number;
  /** The current regimen continued from the same start, if any. */
  current: { times: number[]; ipred: number[] } | null;
  observed: { ms: number; conc: number; censored: boolean }[];
  targets: { metric: string; lo: number | null; hi: number | null }[];
  /** Doses given (epoch ms) and the new regimen's (from its start, within the forecast). */
  doses: number[];
  newDoses: number[];
  concUnit: string;
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** The plotting area inside the box. */
  plot: { x: number; y: number; w: number; h: number };
  xTicks: { x: number; label: string[] }[];
  yTicks: { y: number; label: string }[];
  yTitle: string;
  band: [number, number][];
  ipred: [number, number][];
  current: [number, number][] | null;
  targets: { y0: number; y1: number }[];
  observed: { x: number; y: number; censored: boolean }[];
  doses: number[];
  newDoses: number[];
  startX: number | null;
}

const H = 3_600_000;

/** Round `x` up to 1, 2 or 5 × 10^k. */
function nice(x: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  const m = x / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Offset of `tz` from UTC at `ms`, in ms. */
function offsetMs(tz: string, ms: number): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The chart's geometry in a `width` × `height` box (points). */
export function chartGeometry(
  c: ChartInput,
  width: number,
  height: number,
  lang: ReportLang,
  tz: string,
): ChartGeometry {
  const plot = { x: 46, y: 8, w: width - 56, h: height - 40 };
  const t0 = c.times[0];
  const t1 = c.times[c.times.length - 1];
  let max = 0;
  const seen = (v: number): void => {
    if (Number.isFinite(v) && v > max) max = v;
  };
  c.band.hi.forEach(seen);
  c.ipred.forEach(seen);
  c.current?.ipred.forEach(seen);
  c.observed.forEach((o) => seen(o.conc));
  const conc = c.targets.filter((x) => findMetric(x.metric)?.dimension === 'conc');
  for (const x of conc) if (x.hi !== null && x.hi < 2 * max) seen(x.hi);
  const step = nice(Math.max(max, 1e-9) / 5);
  const yMax = step * Math.ceil((max * 1.05) / step);
  const X = (ms: number): number => plot.x + ((ms - t0) / Math.max(t1 - t0, 1)) * plot.w;
  const Y = (v: number): number => plot.y + plot.h - (Math.min(Math.max(v, 0), yMax) / yMax) * plot.h;
  const line = (ts: number[], vs: number[]): [number, number][] =>
    ts.map((t, i) => [X(t), Y(vs[i])] as [number, number]).filter(([, y]) => Number.isFinite(y));

  // Dated hours: a step of 6, 12, 24 or 48 h giving at most 8 ticks, on local wall-clock multiples.
  const spanH = (t1 - t0) / H;
  const stepH = [3, 6, 12, 24, 48, 96].find((s) => spanH / s <= 8) ?? 168;
  const xTicks: ChartGeometry['xTicks'] = [];
  const off = offsetMs(tz, t0);
  const first = Math.ceil((t0 + off) / (stepH * H)) * stepH * H;
  for (let wall = first, k = 0; k < 40; k++, wall += stepH * H) {
    const ms = wall - offsetMs(tz, wall - off);
    if (ms > t1) break;
    if (ms < t0) continue;
    const [date, hour] = timeText(ms, lang, tz).split(' ');
    xTicks.push({ x: X(ms), label: [date.slice(0, 5), hour] });
  }
  const yTicks: ChartGeometry['yTicks'] = [];
  for (let v = 0; v <= yMax + step / 2; v += step) yTicks.push({ y: Y(v), label: num(v, lang) });

  const lo = line(c.band.times, c.band.lo);
  const hi = line(c.band.times, c.band.hi);
  const within = (ms: number): boolean => ms >= t0 && ms <= t1;
  return {
    width,
    height,
    plot,
    xTicks,
    yTicks,
    yTitle: unitText(c.concUnit),
    band: [...lo, ...hi.reverse()],
    ipred: line(c.times, c.ipred),
    current: c.current ? line(c.current.times, c.current.ipred) : null,
    targets: conc.map((x) => ({ y0: Y(x.lo ?? 0), y1: Y(x.hi ?? yMax) })),
    observed: c.observed
      .filter((o) => within(o.ms))
      .map((o) => ({ x: X(o.ms), y: Y(o.conc), censored: o.censored })),
    doses: c.doses.filter(within).map(X),
    newDoses: c.newDoses.filter(within).map(X),
    startX: within(c.startMs) ? X(c.startMs) : null,
  };
}

/** The chart as inline SVG (the HTML report). */
export function chartSvg(g: ChartGeometry, legend: string[]): string {
  const pts = (p: [number, number][]): string =>
    p.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const { plot } = g;
  const bottom = plot.y + plot.h;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${g.width} ${g.height}" width="100%" role="img" aria-label="${legend.join(', ')}" font-family="Helvetica, Arial, sans-serif" font-size="7">`,
    ...g.targets.map(
      (t) =>
        `<rect x="${plot.x}" y="${Math.min(t.y0, t.y1)}" width="${plot.w}" height="${Math.abs(t.y0 - t.y1)}" fill="#2f9e44" fill-opacity="0.12"/>`,
    ),
    `<polygon points="${pts(g.band)}" fill="#4263eb" fill-opacity="0.18"/>`,
    ...g.yTicks.map(
      (t) =>
        `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${t.y}" y2="${t.y}" stroke="#dee2e6" stroke-width="0.5"/><text x="${plot.x - 3}" y="${t.y + 2.5}" text-anchor="end">${t.label}</text>`,
    ),
    ...g.xTicks.map(
      (t) =>
        `<line x1="${t.x}" x2="${t.x}" y1="${plot.y}" y2="${bottom}" stroke="#f1f3f5" stroke-width="0.5"/><text x="${t.x}" y="${bottom + 16}" text-anchor="middle">${t.label[0]}</text><text x="${t.x}" y="${bottom + 24}" text-anchor="middle">${t.label[1]}</text>`,
    ),
    `<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" fill="none" stroke="#868e96" stroke-width="0.6"/>`,
    ...(g.current
      ? [
          `<polyline points="${pts(g.current)}" fill="none" stroke="#6b6b6b" stroke-width="1" stroke-dasharray="4 2"/>`,
        ]
      : []),
    `<polyline points="${pts(g.ipred)}" fill="none" stroke="#3b5bdb" stroke-width="1.5"/>`,
    ...g.doses.map(
      (x) =>
        `<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 6}" stroke="#364fc7" stroke-width="1"/>`,
    ),
    ...g.newDoses.map(
      (x) =>
        `<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 6}" stroke="#e8590c" stroke-width="1"/>`,
    ),
    ...(g.startX !== null
      ? [
          `<line x1="${g.startX}" x2="${g.startX}" y1="${plot.y}" y2="${bottom}" stroke="#868e96" stroke-dasharray="1 2"/>`,
        ]
      : []),
    ...g.observed.map(
      (o) =>
        `<circle cx="${o.x}" cy="${o.y}" r="2.6" fill="${o.censored ? '#fff' : '#e8590c'}" stroke="#e8590c" stroke-width="1"/>`,
    ),
    `<text x="4" y="${plot.y + 6}">${g.yTitle}</text>`,
    '</svg>',
  ];
  return out.join('');
}
