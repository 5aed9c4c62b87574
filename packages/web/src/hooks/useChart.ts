/**
 * One ECharts chart on a div, the set-up every chart of the app shares: created on a canvas when
 * the div mounts, in the UI language (ECharts' locale for the dates of time axes; the numbers of
 * value and log axes, of their pointers' labels and of tooltips written as the language writes
 * them, `1,234.5` or `1 234,5`), resized with its box, disposed with the div, created again when
 * the language changes. A component only builds its option: it passes it (set whole, nothing kept
 * from the last one), or sets it itself through `chart` with its own setOption flags (the what-if
 * and the playground's slider merge part of an option into what is drawn).
 */
import { LineChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import langFR from 'echarts/lib/i18n/langFR.js';
import { CanvasRenderer } from 'echarts/renderers';
import { type RefObject, useEffect, useLayoutEffect, useRef } from 'react';
import type { Lang } from '../i18n/index.ts';
import { fmt } from '../lib/units.ts';

echarts.use([
  LineChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);
echarts.registerLocale('FR', langFR);

/**
 * A number on a chart's axis or in its tooltip: all its digits (15 significant, below which lies
 * floating-point noise), thousands grouped, the language's decimal mark; in English what ECharts
 * writes by default. Several values (a point's x and y) are separated as ECharts separates them;
 * a missing one is `-`.
 */
export function chartNumber(x: unknown, lang: Lang): string {
  if (Array.isArray(x)) return x.map((v) => chartNumber(v, lang)).join('  ');
  if (typeof x === 'number') return Number.isFinite(x) ? fmt(x, lang, 15, true) : '-';
  return x === null || x === undefined || x === '' ? '-' : String(x);
}

/**
 * The theme carrying a language's number formats. An option's own formatter wins over it (the
 * concentration plot writes its tooltip itself); time and category axes keep theirs.
 */
export function numberTheme(lang: Lang) {
  const axis = {
    axisLabel: { formatter: (v: number) => chartNumber(v, lang) },
    // The header of an axis tooltip is this label's text.
    axisPointer: { label: { formatter: (p: { value: unknown }) => chartNumber(p.value, lang) } },
  };
  return {
    valueAxis: axis,
    logAxis: axis,
    tooltip: { valueFormatter: (v: unknown) => chartNumber(v, lang) },
  };
}
echarts.registerTheme('dosetwin-en', numberTheme('en'));
echarts.registerTheme('dosetwin-fr', numberTheme('fr'));

export type ChartOption = echarts.EChartsCoreOption;

/**
 * The chart of the div `ref` is given to, in `lang`. With `option`, the chart is that option,
 * replaced whole when it changes (keep it memoised); without, the component sets its options on
 * `chart.current` itself.
 */
export function useChart(
  lang: Lang,
  option?: ChartOption,
): { ref: RefObject<HTMLDivElement | null>; chart: RefObject<echarts.ECharts | null> } {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  // A layout effect: it runs before the component's own effects, so their first draw finds the chart.
  useLayoutEffect(() => {
    const div = ref.current!;
    const c = echarts.init(div, `dosetwin-${lang}`, {
      renderer: 'canvas',
      locale: lang === 'fr' ? 'FR' : 'EN',
    });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(div);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [lang]);
  useEffect(() => {
    if (option) chart.current?.setOption(option, { notMerge: true });
  }, [option, lang]);
  return { ref, chart };
}

/** Calls `f` once, when the chart has painted what it was last given (ECharts' `finished`). */
export function whenPainted(c: echarts.ECharts, f: () => void): void {
  c.off('finished');
  c.on('finished', () => {
    c.off('finished');
    f();
  });
}
