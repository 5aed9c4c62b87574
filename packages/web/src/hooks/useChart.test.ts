// The charts' numbers in the UI language: French groups thousands with the narrow no-break space
// (U+202F) and writes a decimal comma, as toLocaleString('fr-FR') does; English is what ECharts
// writes by default (its addCommas), so that English charts read as before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { chartNumber, numberTheme } from './useChart.ts';

const NNBSP = '\u202f';

test('chart numbers: 1234.5 is "1 234,5" (U+202F) in French, "1,234.5" in English (exact strings)', () => {
  assert.equal(chartNumber(1234.5, 'fr'), `1${NNBSP}234,5`);
  assert.equal(chartNumber(1234.5, 'fr'), (1234.5).toLocaleString('fr-FR'));
  assert.equal(chartNumber(1234.5, 'en'), '1,234.5');
  assert.equal(chartNumber(-1234567.125, 'fr'), `-1${NNBSP}234${NNBSP}567,125`);
  assert.equal(chartNumber(0.25, 'fr'), '0,25');
  assert.equal(chartNumber(999, 'fr'), '999');
  // Floating-point noise past 15 significant digits is not shown (0.1 + 0.2 = 0.30000000000000004).
  assert.equal(chartNumber(0.1 + 0.2, 'fr'), '0,3');
  // A point's x and y as ECharts separates them; a missing value as ECharts writes it.
  assert.equal(chartNumber([12.5, 1234.5], 'fr'), `12,5  1${NNBSP}234,5`);
  assert.equal(chartNumber(null, 'fr'), '-');
  assert.equal(chartNumber(Number.NaN, 'en'), '-');
});

test('chart numbers in English equal ECharts’ own (addCommas) for axis ticks and data values', () => {
  for (const x of [0, 0.25, 1, 2.5, 12, 1500, 12000, 1234.5, 0.0625, 7.123456, 250000, -40])
    assert.equal(chartNumber(x, 'en'), echarts.format.addCommas(x), String(x));
});

test('the theme writes value and log axes, axis-pointer labels and tooltips in the language', () => {
  const fr = numberTheme('fr');
  assert.equal(fr.valueAxis.axisLabel.formatter(1500), `1${NNBSP}500`);
  assert.equal(fr.logAxis.axisLabel.formatter(0.5), '0,5');
  assert.equal(fr.valueAxis.axisPointer.label.formatter({ value: 12.5 }), '12,5');
  assert.equal(fr.tooltip.valueFormatter(2345.75), `2${NNBSP}345,75`);
  assert.equal(numberTheme('en').tooltip.valueFormatter(2345.75), '2,345.75');
});

test('an ECharts chart made with the French theme labels its value axis 0 … 5 000 (U+202F), not 5,000', () => {
  echarts.use([SVGRenderer]);
  const draw = (lang: 'en' | 'fr'): string => {
    const c = echarts.init(null, `dosetwin-${lang}`, { renderer: 'svg', ssr: true, width: 400, height: 300 });
    c.setOption({
      animation: false,
      xAxis: { type: 'value', min: 0, max: 10 },
      yAxis: { type: 'value', min: 0, max: 5000, interval: 2500 },
      series: [
        {
          type: 'line',
          data: [
            [0, 1250.5],
            [10, 4800],
          ],
        },
      ],
    });
    const svg = c.renderToSVGString();
    c.dispose();
    return svg;
  };
  const fr = draw('fr');
  assert.ok(fr.includes(`>5${NNBSP}000<`), 'French 5 000 on the y axis');
  assert.ok(fr.includes(`>2${NNBSP}500<`), 'French 2 500 on the y axis');
  assert.ok(!fr.includes('5,000'), 'no English thousands comma in French');
  const en = draw('en');
  assert.ok(
    en.includes('>5,000<') && en.includes('>2,500<'),
    'English 5,000 and 2,500 as ECharts writes them',
  );
});
