/**
 * The playground's plot: lines, dashed comparison lines, bands (drawn as a transparent lower line
 * and the width stacked on it) and points, on numeric axes. ECharts on a canvas, animation off so a
 * slider's move redraws at once; each draw is replaced whole (`notMerge`), and `onRendered` fires
 * when the frame is painted (the bench's slider-to-paint time).
 */
import { useLayoutEffect, useRef } from 'react';
import { type ChartOption, useChart, whenPainted } from '../../hooks/useChart.ts';
import { useT } from '../../i18n/index.ts';

export interface PlaySeries {
  name: string;
  kind: 'line' | 'dashed' | 'band' | 'points';
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** The band's upper edge (kind `band`). */
  hi?: ArrayLike<number>;
  color: string;
}

export interface PlayChartProps {
  series: PlaySeries[];
  xName: string;
  yName: string;
  /** Vertical marker (e.g. the time of the next level), or null. */
  markX?: number | null;
  height?: number;
  testId?: string;
  onRendered?: () => void;
}

const pairs = (x: ArrayLike<number>, y: ArrayLike<number>): [number, number][] =>
  Array.from({ length: Math.min(x.length, y.length) }, (_, i) => [x[i], y[i]]);

export function PlayChart(props: PlayChartProps) {
  const { lang } = useT();
  const { ref: el, chart } = useChart(lang);
  const onRendered = useRef(props.onRendered);
  onRendered.current = props.onRendered;
  // The option's shape (which series, which axes): a move of a slider keeps it, and the chart
  // then merges the new data into what it has instead of rebuilding legend and axes.
  const shape = useRef('');
  // Before the browser paints: the new curve is set within the frame of the slider's move.
  useLayoutEffect(() => {
    const c = chart.current;
    if (!c) return;
    const series: ChartOption[] = [];
    for (const [k, s] of props.series.entries()) {
      if (s.kind === 'band') {
        const hi = s.hi ?? s.y;
        series.push(
          {
            type: 'line',
            name: s.name,
            stack: `band${k}`,
            data: pairs(s.x, s.y),
            lineStyle: { opacity: 0 },
            itemStyle: { color: s.color },
            symbol: 'none',
            silent: true,
            tooltip: { show: false },
          },
          {
            type: 'line',
            name: s.name,
            stack: `band${k}`,
            data: Array.from({ length: s.x.length }, (_, i) => [s.x[i], hi[i] - s.y[i]]),
            lineStyle: { opacity: 0 },
            areaStyle: { color: s.color, opacity: 0.25 },
            itemStyle: { color: s.color },
            symbol: 'none',
            silent: true,
          },
        );
      } else if (s.kind === 'points')
        series.push({
          type: 'scatter',
          name: s.name,
          data: pairs(s.x, s.y),
          itemStyle: { color: s.color },
          symbolSize: 9,
        });
      else
        series.push({
          type: 'line',
          name: s.name,
          data: pairs(s.x, s.y),
          symbol: 'none',
          itemStyle: { color: s.color },
          lineStyle: { color: s.color, width: 2, type: s.kind === 'dashed' ? 'dashed' : 'solid' },
        });
    }
    if (props.markX !== undefined && props.markX !== null && series.length)
      (series[0] as Record<string, unknown>).markLine = {
        symbol: 'none',
        silent: true,
        data: [{ xAxis: props.markX }],
        lineStyle: { color: '#868e96', type: 'dotted' },
        label: { show: false },
      };
    const key = JSON.stringify([
      props.series.map((x) => [x.name, x.kind]),
      props.xName,
      props.yName,
      props.markX != null,
    ]);
    whenPainted(c, () => onRendered.current?.());
    c.setOption(
      {
        animation: false,
        grid: { left: 64, right: 24, top: 36, bottom: 48 },
        legend: { top: 0, data: [...new Set(props.series.map((s) => s.name))] },
        tooltip: { trigger: 'axis' },
        xAxis: {
          type: 'value',
          name: props.xName,
          nameLocation: 'middle',
          nameGap: 28,
          min: 'dataMin',
          max: 'dataMax',
        },
        yAxis: { type: 'value', name: props.yName, nameLocation: 'middle', nameGap: 44, min: 0 },
        series,
      },
      { notMerge: key !== shape.current },
    );
    shape.current = key;
    // `lang`: a new language makes a new chart, drawn at once.
  }, [props.series, props.xName, props.yName, props.markX, lang]);
  return <div ref={el} data-testid={props.testId} style={{ width: '100%', height: props.height ?? 320 }} />;
}
