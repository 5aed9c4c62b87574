/**
 * What patterns of adherence do to the exposure: for each pattern (every dose, one in ten missed,
 * weekend delays) the median level when each dose is due over the patient's draws and the
 * pattern's seeded realisations, with its 5th and 95th percentiles dashed; the efficacy threshold
 * as a line. The numbers
 * are the worker's (the library's adherenceScenarios); this only draws them.
 */
import type { AdherenceBand } from '@dosetwin/models';
import { useMemo } from 'react';
import { type ChartOption, useChart } from '../hooks/useChart.ts';
import { useT } from '../i18n/index.ts';
import { fmt, unitLabel } from '../lib/units.ts';

const COLOURS = ['#2f9e44', '#e03131', '#1971c2'];

export function AdherenceChart(props: {
  bands: AdherenceBand[];
  labels: string[];
  concUnit: string;
  below: number | null;
  belowLabel: string;
}) {
  const { lang } = useT();
  const option = useMemo((): ChartOption => {
    const pts = (ms: number[], v: number[]) => ms.map((x, i) => [x, v[i]]);
    const unit = unitLabel(props.concUnit, lang);
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 48, bottom: 40 },
      legend: { top: 0, data: props.labels },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: number) => `${fmt(v, lang, 3, true)} ${unit}`,
      },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: unit, min: 0 },
      series: props.bands.flatMap((b, k) => {
        const colour = COLOURS[k % COLOURS.length];
        const edge = {
          type: 'line',
          showSymbol: false,
          lineStyle: { width: 1, type: 'dashed', color: colour },
          silent: true,
        };
        return [
          {
            ...edge,
            name: props.labels[k],
            data: pts(b.troughs.ms, b.troughs.p50),
            lineStyle: { width: 2, color: colour },
            itemStyle: { color: colour },
            ...(k === 0 && props.below !== null
              ? {
                  markLine: {
                    symbol: 'none',
                    data: [{ yAxis: props.below }],
                    lineStyle: { color: '#868e96' },
                    label: { formatter: props.belowLabel, position: 'insideEndTop' },
                  },
                }
              : {}),
          },
          { ...edge, name: `${props.labels[k]} p5`, data: pts(b.troughs.ms, b.troughs.p5) },
          { ...edge, name: `${props.labels[k]} p95`, data: pts(b.troughs.ms, b.troughs.p95) },
        ];
      }),
    };
  }, [props.bands, props.labels, props.concUnit, props.below, props.belowLabel, lang]);
  const { ref } = useChart(lang, option);
  return <div ref={ref} style={{ width: '100%', height: 300 }} data-testid="adherence-chart" />;
}
