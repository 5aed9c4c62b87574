/**
 * The concentration-time plot: observed levels (BLQ hollow), individual curve with its 90 %
 * credible band, population curve, the current regimen continued (individual prediction), target
 * band (concentration targets), LLOQ, start of the new regimen, the doses given and the new
 * regimen's marked on the time axis, which reads dated local hours (06/12 08:00); log or linear
 * axis; hovering shows each value with its unit. ECharts on a canvas,
 * animation off so a what-if edit redraws at once; `onRendered` fires when the frame is painted.
 */
import { findMetric } from '@dosetwin/engine';
import { memo, useEffect, useRef } from 'react';
import { useChart, whenPainted } from '../hooks/useChart.ts';
import { useT } from '../i18n/index.ts';
import { fmt, unitLabel } from '../lib/units.ts';
import type { ForecastMsg } from '../lib/worker-protocol.ts';

/** A time-axis tick as dated local hours, two lines: `06/12` then `08:00`. */
function tickLabel(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getDate())}/${two(d.getMonth() + 1)}\n${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** Targets drawn as a band: those the metric registry says are concentrations. */
const isConcentration = (metric: string): boolean => findMetric(metric)?.dimension === 'conc';

declare global {
  interface Window {
    /** Time spent in setOption per update, ms (read by the end-to-end test). */
    __chart?: number[];
  }
}

export interface ChartProps {
  forecast: ForecastMsg | null;
  /** The recorded doses (epoch ms). */
  doseMs: number[];
  /** The current regimen continued, at the individual prediction, or null. */
  current: { ms: number[]; ipred: number[] } | null;
  observed: { ms: number; conc: number; blq: boolean }[];
  targets: { metric: string; lo: number | null; hi: number | null; text: string }[];
  lloq: number | null;
  concUnit: string;
  log: boolean;
  onRendered?: () => void;
  /** Set to a function that draws a forecast at once (the what-if path). */
  drawRef?: { current: ((f: ForecastMsg) => void) | null };
}

/** Memoised: a what-if edit re-renders the page, not the chart (drawn through `drawRef`). */
export const ConcChart = memo(function ConcChart(props: ChartProps) {
  const { t, lang } = useT();
  const { ref: el, chart } = useChart(lang);
  const lastKey = useRef('');
  const lastStartMs = useRef(NaN);
  const onRendered = useRef(props.onRendered);
  onRendered.current = props.onRendered;

  // Drawing reads the latest props through this ref, so a forecast can be drawn at once from
  // outside React (`drawRef`), before the page re-renders its tables.
  const latest = useRef(props);
  latest.current = props;
  const drawn = useRef<{ f: ForecastMsg | null; key: string }>({ f: null, key: '' });
  const draw = (f: ForecastMsg | null): void => {
    const props = latest.current;
    const c = chart.current;
    if (!c || !f) return;
    const u = unitLabel(props.concUnit);
    let max = 0;
    for (let i = 0; i < f.hi.length; i++) if (f.hi[i] > max) max = f.hi[i];
    for (const o of props.observed) max = Math.max(max, o.conc);
    // A log axis cannot show 0: values below the floor are drawn at the floor.
    const floor = props.log ? Math.max(max * 1e-3, (props.lloq ?? 0) / 10, 1e-9) : 0;
    const y = (v: number): number => (props.log ? Math.max(v, floor) : v);
    const line = (ms: Float64Array, v: Float64Array) => Array.from(ms, (x, i) => [x, y(v[i])]);
    const loData = line(f.bandMs, f.lo);
    const widthData = Array.from(f.bandMs, (x, i) => [x, y(f.hi[i]) - y(f.lo[i])]);
    const concTargets = props.targets.filter((tg) => isConcentration(tg.metric));
    const name = {
      ipred: t('chartIndividual'),
      pred: t('chartPopulation'),
      band: t('chartBand'),
      obs: t('chartObserved'),
      current: t('chartCurrent'),
      doses: t('chartDoses'),
      newDoses: t('chartNewDoses'),
    };
    // Dose marks: triangles on the time axis (at the floor of a log axis).
    const marks = (ms: readonly number[]) => ms.map((x) => [x, props.log ? floor : 0]);
    const newDoses = marks(f.newDoseMs);
    whenPainted(c, () => onRendered.current?.());
    const markLineData = [
      ...(props.lloq !== null
        ? [
            {
              yAxis: props.lloq,
              name: 'LLOQ',
              lineStyle: { color: '#c92a2a', type: 'dotted' },
              label: { position: 'insideEndTop', formatter: `LLOQ ${fmt(props.lloq, lang)} ${u}` },
            },
          ]
        : []),
      {
        xAxis: f.startMs,
        name: t('newRegimen'),
        lineStyle: { color: '#868e96', type: 'dashed' },
        label: { formatter: t('newRegimen') },
      },
    ];
    const t0 = performance.now();
    const staticKey = [
      props.log,
      lang,
      props.lloq,
      props.concUnit,
      props.observed.length,
      concTargets.length,
      props.doseMs.length,
      props.current?.ms.length ?? 0,
    ].join('|');
    if (drawn.current.f === f && drawn.current.key === staticKey) return;
    drawn.current = { f, key: staticKey };
    if (staticKey === lastKey.current) {
      // A what-if edit: only the curves, the band and the regimen line change.
      c.setOption(
        {
          series: [
            { id: 'band-lo', data: loData },
            { id: 'band-width', data: widthData },
            { id: 'pred', data: line(f.ms, f.pred) },
            { id: 'newDoses', data: newDoses },
            {
              id: 'ipred',
              data: line(f.ms, f.ipred),
              // The regimen line moves only when the first dose's time does.
              ...(f.startMs !== lastStartMs.current ? { markLine: { data: markLineData } } : {}),
            },
          ],
        },
        { lazyUpdate: false },
      );
      lastStartMs.current = f.startMs;
      (window.__chart ??= []).push(performance.now() - t0);
      return;
    }
    lastKey.current = staticKey;
    lastStartMs.current = f.startMs;
    c.setOption(
      {
        animation: false,
        // Fixed margins; no outer-bounds pass measuring the axis labels at each update (≈ 13 % of
        // a what-if setOption in a profile).
        grid: { left: 64, right: 24, top: 40, bottom: 104, outerBoundsMode: 'none' },
        // Below the axis: seven entries do not fit beside the concentration axis's title.
        legend: {
          bottom: 4,
          left: 'center',
          itemGap: 12,
          data: [
            name.obs,
            name.ipred,
            name.band,
            name.pred,
            ...(props.current ? [name.current] : []),
            name.doses,
            name.newDoses,
          ],
        },
        tooltip: {
          trigger: 'axis',
          valueFormatter: (v: unknown) => (typeof v === 'number' ? `${fmt(v, lang)} ${u}` : String(v)),
          formatter: (items: unknown) => {
            const list = items as {
              seriesName: string;
              value: [number, number];
              marker: string;
              seriesId: string;
            }[];
            if (!list.length) return '';
            const when = new Date(list[0].value[0]).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', {
              day: '2-digit',
              month: 'short',
              hour: '2-digit',
              minute: '2-digit',
            });
            const rows = list
              .filter((p) => !['band-lo', 'doses', 'newDoses'].includes(p.seriesId))
              .map((p) => {
                if (p.seriesId === 'band-width') {
                  const i = Math.max(
                    0,
                    f.bandMs.findIndex((x) => x >= p.value[0]),
                  );
                  return `${p.marker}${name.band}: ${fmt(f.lo[i], lang)}–${fmt(f.hi[i], lang)} ${u}`;
                }
                return `${p.marker}${p.seriesName}: ${fmt(p.value[1], lang)} ${u}`;
              });
            return [when, ...rows].join('<br/>');
          },
        },
        // Dated local hours on every tick (a day's number alone does not say the time of a dose).
        xAxis: {
          type: 'time',
          name: t('time'),
          nameLocation: 'middle',
          nameGap: 38,
          axisLabel: { formatter: (v: number) => tickLabel(v), hideOverlap: true, lineHeight: 13 },
        },
        yAxis: {
          type: props.log ? 'log' : 'value',
          name: `${t('concentration')} (${u})`,
          nameTextStyle: { align: 'left' },
          min: props.log ? floor : 0,
        },
        series: [
          {
            id: 'band-lo',
            name: name.band,
            type: 'line',
            data: loData,
            stack: 'band',
            symbol: 'none',
            lineStyle: { opacity: 0 },
            silent: true,
          },
          {
            id: 'band-width',
            name: name.band,
            type: 'line',
            data: widthData,
            stack: 'band',
            symbol: 'none',
            lineStyle: { opacity: 0 },
            areaStyle: { color: 'rgba(66, 99, 235, 0.18)' },
            color: 'rgba(66, 99, 235, 0.5)',
          },
          {
            id: 'pred',
            name: name.pred,
            type: 'line',
            data: line(f.ms, f.pred),
            symbol: 'none',
            color: '#6b6b6b',
            lineStyle: { type: 'dashed', width: 1.5 },
          },
          {
            id: 'ipred',
            name: name.ipred,
            type: 'line',
            data: line(f.ms, f.ipred),
            symbol: 'none',
            color: '#3b5bdb',
            lineStyle: { width: 2.5 },
            markArea: {
              silent: true,
              itemStyle: { color: 'rgba(47, 158, 68, 0.12)' },
              data: concTargets.map((tg) => [
                { yAxis: tg.lo ?? floor, name: `${t('target')} ${tg.text}` },
                { yAxis: tg.hi ?? max * 1.2 },
              ]),
              label: { color: '#2b8a3e', position: 'insideTopRight' },
            },
            markLine: {
              silent: true,
              symbol: 'none',
              data: markLineData,
            },
          },
          ...(props.current
            ? [
                {
                  id: 'current',
                  name: name.current,
                  type: 'line',
                  data: Array.from(props.current.ms, (x, i) => [x, y(props.current!.ipred[i])]),
                  symbol: 'none',
                  color: '#495057',
                  lineStyle: { type: 'dotted', width: 2 },
                },
              ]
            : []),
          {
            id: 'doses',
            name: name.doses,
            type: 'scatter',
            data: marks(props.doseMs),
            symbol: 'triangle',
            symbolSize: 9,
            symbolOffset: [0, -5],
            color: '#364fc7',
            tooltip: { show: false },
            z: 9,
          },
          {
            id: 'newDoses',
            name: name.newDoses,
            type: 'scatter',
            data: newDoses,
            symbol: 'triangle',
            symbolSize: 9,
            symbolOffset: [0, -5],
            color: '#e8590c',
            tooltip: { show: false },
            z: 9,
          },
          {
            id: 'obs',
            name: name.obs,
            type: 'scatter',
            data: props.observed.map((o) => ({
              value: [o.ms, y(o.conc)],
              itemStyle: o.blq
                ? { color: '#fff', borderColor: '#e8590c', borderWidth: 2 }
                : { color: '#e8590c' },
            })),
            symbolSize: 10,
            color: '#e8590c',
            z: 10,
          },
        ],
      },
      { notMerge: true, lazyUpdate: false },
    );
    (window.__chart ??= []).push(performance.now() - t0);
  };
  if (props.drawRef) props.drawRef.current = draw;
  useEffect(() => {
    draw(props.forecast);
  }, [
    props.forecast,
    props.observed,
    props.targets,
    props.lloq,
    props.concUnit,
    props.log,
    props.doseMs,
    props.current,
    lang,
  ]);

  return (
    <div
      ref={el}
      role="img"
      aria-label={t('chartAria')}
      data-testid="conc-chart"
      style={{ width: '100%', height: 420 }}
    />
  );
});
