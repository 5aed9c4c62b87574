/**
 * The plots of a local model's diagnostics: scatter plots (goodness of fit), a VPC and an
 * individual fit. The values are the service's (the library's proposeLocalModel, stored with the
 * version); these only draw them.
 */
import type { LocalModelEvidence } from '@dosetwin/server/contract';
import { type ChartOption as Option, useChart } from '../hooks/useChart.ts';
import { useT } from '../i18n/index.ts';

function Chart({ option, height = 260, testId }: { option: Option; height?: number; testId?: string }) {
  const { lang } = useT();
  const { ref } = useChart(lang, option);
  return <div ref={ref} style={{ width: '100%', height }} data-testid={testId} />;
}

const title = (text: string) => ({ text, left: 'center', textStyle: { fontSize: 13 } });
const grid = { left: 52, right: 16, top: 40, bottom: 40 };

/** Points with, for DV against a prediction, the identity line; for CWRES, the zero line. */
export function ScatterPlot(props: {
  title: string;
  points: [number, number][];
  xName: string;
  yName: string;
  line: 'identity' | 'zero';
  identityLabel: string;
  testId: string;
}) {
  const max = Math.max(...props.points.flatMap(([x, y]) => [x, y]), 0) * 1.05;
  const option: Option = {
    animation: false,
    title: title(props.title),
    grid,
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', name: props.xName, nameLocation: 'middle', nameGap: 24, min: 0 },
    yAxis: { type: 'value', name: props.yName, ...(props.line === 'identity' ? { min: 0 } : {}) },
    series: [
      { type: 'scatter', data: props.points, symbolSize: 6, itemStyle: { color: '#1971c2' } },
      props.line === 'identity'
        ? {
            type: 'line',
            name: props.identityLabel,
            data: [
              [0, 0],
              [max, max],
            ],
            showSymbol: false,
            lineStyle: { color: '#868e96', type: 'dashed' },
            silent: true,
          }
        : {
            type: 'line',
            data: [],
            markLine: { symbol: 'none', silent: true, data: [{ yAxis: 0 }], lineStyle: { color: '#868e96' } },
          },
    ],
  };
  return <Chart option={option} testId={props.testId} />;
}

/** Observed 5th/50th/95th percentiles per bin (lines) over the simulated ones' 95 % bands (dashed). */
export function VpcPlot(props: {
  title: string;
  bins: LocalModelEvidence['vpc'];
  xName: string;
  yName: string;
  observedLabel: string;
  simulatedLabel: string;
  testId: string;
}) {
  const t = props.bins.map((b) => b.time);
  const line = (k: number, v: (b: (typeof props.bins)[number]) => number) =>
    props.bins.map((b, i) => [t[i], v(b)]) as [number, number][];
  const option: Option = {
    animation: false,
    title: title(props.title),
    grid: { ...grid, bottom: 64 },
    legend: { bottom: 0, data: [props.observedLabel, props.simulatedLabel] },
    xAxis: { type: 'value', name: props.xName, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'value', name: props.yName, min: 0 },
    series: [0, 1, 2].flatMap((k) => [
      {
        type: 'line',
        name: props.observedLabel,
        data: line(k, (b) => b.observed[k]),
        lineStyle: { color: k === 1 ? '#e03131' : '#1971c2', width: 2 },
        itemStyle: { color: k === 1 ? '#e03131' : '#1971c2' },
      },
      ...[0, 2].map((j) => ({
        type: 'line',
        name: props.simulatedLabel,
        data: line(k, (b) => b.simulated[k][j]),
        showSymbol: false,
        lineStyle: { color: k === 1 ? '#ffa8a8' : '#a5d8ff', type: 'dashed' },
        itemStyle: { color: k === 1 ? '#ffa8a8' : '#a5d8ff' },
        silent: true,
      })),
    ]),
  };
  return <Chart option={option} height={300} testId={props.testId} />;
}

/** One patient's observations with its PRED and IPRED curves. */
export function IndividualPlot(props: {
  fit: LocalModelEvidence['individual'][number];
  xName: string;
  yName: string;
  observedLabel: string;
}) {
  const { fit } = props;
  const option: Option = {
    animation: false,
    title: title(fit.id),
    grid: { ...grid, bottom: 64 },
    legend: { bottom: 0, data: ['PRED', 'IPRED', props.observedLabel] },
    xAxis: { type: 'value', name: props.xName, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'value', name: props.yName, min: 0 },
    series: [
      {
        type: 'line',
        name: 'PRED',
        data: fit.curve.time.map((x, i) => [x, fit.curve.pred[i]]),
        showSymbol: false,
        lineStyle: { color: '#868e96', type: 'dashed' },
        itemStyle: { color: '#868e96' },
      },
      {
        type: 'line',
        name: 'IPRED',
        data: fit.curve.time.map((x, i) => [x, fit.curve.ipred[i]]),
        showSymbol: false,
        lineStyle: { color: '#1971c2' },
        itemStyle: { color: '#1971c2' },
      },
      {
        type: 'scatter',
        name: props.observedLabel,
        data: fit.observed.map((o) => [o.time, o.dv]),
        symbolSize: 8,
        itemStyle: { color: '#e03131' },
      },
    ],
  };
  return <Chart option={option} height={220} />;
}
