// Goodness-of-fit plots and the VPC of `dosetwin popfit --report` as standalone SVG files. Only
// drawing: the values (PRED, IPRED, CWRES, the VPC's percentiles) come from the engine.
import type { ObservationDiagnostic, VpcBin } from '@dosetwin/engine';

const W = 520;
const H = 400;
const M = { l: 62, r: 16, t: 34, b: 50 };
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** About five round tick values spanning [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const step0 = 10 ** Math.floor(Math.log10(span / 5));
  const step = [1, 2, 5, 10].map((k) => k * step0).find((s) => span / s <= 6) ?? 10 * step0;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12 * span; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

interface Frame {
  x: (v: number) => number;
  y: (v: number) => number;
  parts: string[];
}

function frame(
  title: string,
  xlabel: string,
  ylabel: string,
  xr: [number, number],
  yr: [number, number],
): Frame {
  const pad = (r: [number, number]): [number, number] => {
    const d = (r[1] - r[0]) * 0.04 || 1;
    return [r[0] - d, r[1] + d];
  };
  const [x0, x1] = pad(xr);
  const [y0, y1] = pad(yr);
  const x = (v: number): number => M.l + ((v - x0) / (x1 - x0)) * (W - M.l - M.r);
  const y = (v: number): number => H - M.b - ((v - y0) / (y1 - y0)) * (H - M.t - M.b);
  const parts = [
    `<rect x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="#444"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-size="12">${esc(xlabel)}</text>`,
    `<text x="16" y="${H / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${H / 2})">${esc(ylabel)}</text>`,
  ];
  for (const t of ticks(x0, x1))
    parts.push(
      `<line x1="${x(t)}" y1="${H - M.b}" x2="${x(t)}" y2="${H - M.b + 4}" stroke="#444"/><text x="${x(t)}" y="${H - M.b + 16}" text-anchor="middle" font-size="10">${t}</text>`,
    );
  for (const t of ticks(y0, y1))
    parts.push(
      `<line x1="${M.l - 4}" y1="${y(t)}" x2="${M.l}" y2="${y(t)}" stroke="#444"/><text x="${M.l - 6}" y="${y(t) + 3}" text-anchor="end" font-size="10">${t}</text>`,
    );
  return { x, y, parts };
}

const svg = (parts: string[]): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;

const range = (v: number[]): [number, number] => [Math.min(...v), Math.max(...v)];

/** A scatter plot with an identity line (`identity`) or a zero line (`zero`). */
export function scatterSvg(
  title: string,
  xlabel: string,
  ylabel: string,
  pts: { x: number; y: number; censored?: boolean }[],
  guide: 'identity' | 'zero',
): string {
  const ok = pts.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xs = ok.map((p) => p.x);
  const ys = ok.map((p) => p.y);
  let xr = range(xs.length ? xs : [0, 1]);
  let yr = range(ys.length ? ys : [0, 1]);
  if (guide === 'identity') xr = yr = range([...xr, ...yr]);
  else yr = range([...yr, 0, -2, 2]);
  const f = frame(title, xlabel, ylabel, xr, yr);
  if (guide === 'identity')
    f.parts.push(
      `<line x1="${f.x(xr[0])}" y1="${f.y(xr[0])}" x2="${f.x(xr[1])}" y2="${f.y(xr[1])}" stroke="#999" stroke-dasharray="4 3"/>`,
    );
  else
    for (const v of [0, -2, 2])
      f.parts.push(
        `<line x1="${M.l}" y1="${f.y(v)}" x2="${W - M.r}" y2="${f.y(v)}" stroke="${v === 0 ? '#999' : '#ccc'}" stroke-dasharray="4 3"/>`,
      );
  for (const p of ok)
    f.parts.push(
      `<circle cx="${f.x(p.x).toFixed(1)}" cy="${f.y(p.y).toFixed(1)}" r="2.6" fill="${p.censored ? 'none' : '#1f5fa8'}" stroke="#1f5fa8" fill-opacity="0.6"/>`,
    );
  return svg(f.parts);
}

/** The goodness-of-fit plots of a fit, by file name. */
export function gofSvgs(
  d: readonly ObservationDiagnostic[],
  units: { time: string; conc: string },
): Record<string, string> {
  const c = `(${units.conc})`;
  return {
    'dv-pred.svg': scatterSvg(
      'DV vs PRED',
      `PRED ${c}`,
      `DV ${c}`,
      d.map((o) => ({ x: o.pred, y: o.dv, censored: o.censored })),
      'identity',
    ),
    'dv-ipred.svg': scatterSvg(
      'DV vs IPRED',
      `IPRED ${c}`,
      `DV ${c}`,
      d.map((o) => ({ x: o.ipred, y: o.dv, censored: o.censored })),
      'identity',
    ),
    'cwres-time.svg': scatterSvg(
      'CWRES vs time',
      `time (${units.time})`,
      'CWRES',
      d.map((o) => ({ x: o.time, y: o.cwres })),
      'zero',
    ),
    'cwres-pred.svg': scatterSvg(
      'CWRES vs PRED',
      `PRED ${c}`,
      'CWRES',
      d.map((o) => ({ x: o.pred, y: o.cwres })),
      'zero',
    ),
  };
}

/**
 * A VPC: the simulated 5th, 50th and 95th percentiles' 95 % bands (shaded), their medians (dashed)
 * and the observed percentiles (solid), by bin, over the observations (points).
 */
export function vpcSvg(
  title: string,
  bins: readonly VpcBin[],
  obs: { time: number; dv: number }[],
  units: { time: string; conc: string },
): string {
  const ys = [...bins.flatMap((b) => [...b.observed, ...b.simulated.flat()]), ...obs.map((o) => o.dv)].filter(
    Number.isFinite,
  );
  const xs = [...bins.map((b) => b.time), ...obs.map((o) => o.time)];
  const f = frame(title, `time (${units.time})`, `concentration (${units.conc})`, range(xs), range(ys));
  const colours = ['#d98c2b', '#c0392b', '#d98c2b'];
  for (let t = 0; t < 3; t++) {
    const up = bins.map((b) => `${f.x(b.time).toFixed(1)},${f.y(b.simulated[t][2]).toFixed(1)}`);
    const down = [...bins]
      .reverse()
      .map((b) => `${f.x(b.time).toFixed(1)},${f.y(b.simulated[t][0]).toFixed(1)}`);
    f.parts.push(
      `<polygon points="${[...up, ...down].join(' ')}" fill="${colours[t]}" fill-opacity="0.25" stroke="none"/>`,
    );
    f.parts.push(
      `<polyline points="${bins.map((b) => `${f.x(b.time).toFixed(1)},${f.y(b.simulated[t][1]).toFixed(1)}`).join(' ')}" fill="none" stroke="${colours[t]}" stroke-dasharray="5 3"/>`,
    );
    f.parts.push(
      `<polyline points="${bins.map((b) => `${f.x(b.time).toFixed(1)},${f.y(b.observed[t]).toFixed(1)}`).join(' ')}" fill="none" stroke="#222" stroke-width="${t === 1 ? 2 : 1.2}"/>`,
    );
  }
  for (const o of obs)
    f.parts.push(
      `<circle cx="${f.x(o.time).toFixed(1)}" cy="${f.y(o.dv).toFixed(1)}" r="1.8" fill="#1f5fa8" fill-opacity="0.5"/>`,
    );
  return svg(f.parts);
}
