// The teaching playground in Chromium: how long a lesson's slider move takes to reach the painted
// chart (from the slider's change event to ECharts' `finished`, the canvas drawn: the lesson's
// curve computed by the engine's closed forms on the page's thread, React's update, the chart's
// redraw), for three lessons of growing weight; and the engine's share alone (lessonCurve in Node).
// Goal: median < 16 ms (one frame at 60 Hz). Returns a Markdown section for bench/results.md.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LESSON_DEFAULTS, lessonCurve, type LessonId } from '@dosetwin/engine';
import { startServer } from '@dosetwin/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WEB = fileURLToPath(new URL('../packages/web/', import.meta.url));
const MOVES = 60;
const LESSONS: { id: LessonId; label: string; slider: string }[] = [
  { id: 'one-cmt', label: 'One compartment, intravenous bolus', slider: 'Clearance CL (L/h)' },
  { id: 'multiple', label: 'Multiple dosing and steady state', slider: 'Clearance CL (L/h)' },
  { id: 'variability', label: 'Between-patient variability', slider: 'Variability ω of ln CL' },
];

const quantile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (h - lo);
};

export async function benchPlayground(): Promise<string> {
  if (!existsSync(CHROMIUM))
    return `## Teaching playground: slider to paint\n\nSkipped: no Chromium at ${CHROMIUM}.\n`;
  const { chromium } = await import('playwright-core');
  const { build } = await import('vite');
  const tmp = mkdtempSync(join(tmpdir(), 'dt-bench-pg-'));
  const webRoot = join(tmp, 'web');
  await build({ root: WEB, logLevel: 'warn', build: { outDir: webRoot, emptyOutDir: true } });
  const server = await startServer({ port: 0, dataDir: join(tmp, 'data'), webRoot });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  const rows: string[] = [];
  const load = loadavg()[0].toFixed(1);
  let version = '';
  try {
    version = browser.version();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/#/playground`);
    await page.getByTestId('pg-lesson-chart').locator('canvas').first().waitFor();
    for (const l of LESSONS) {
      await page.getByTestId('pg-lesson').click();
      await page.getByRole('option', { name: l.label }).click();
      await page.evaluate(() => {
        (globalThis as unknown as { __pgPaint?: number[] }).__pgPaint = [];
      });
      const slider = page.getByRole('slider', { name: l.slider });
      await slider.focus();
      for (let i = 0; i < MOVES; i++) {
        // Up then down, so the curve stays in the lesson's range.
        await page.keyboard.press(i < MOVES / 2 ? 'ArrowRight' : 'ArrowLeft');
        await page.waitForFunction(
          (n) => ((globalThis as unknown as { __pgPaint?: number[] }).__pgPaint?.length ?? 0) >= n,
          i + 1,
        );
      }
      const ms = await page.evaluate(
        () => (globalThis as unknown as { __pgPaint?: number[] }).__pgPaint ?? [],
      );
      // The engine alone: the same curve, computed 200 times in Node.
      const t0 = performance.now();
      for (let i = 0; i < 200; i++) lessonCurve(l.id, LESSON_DEFAULTS[l.id]);
      const engineMs = (performance.now() - t0) / 200;
      rows.push(
        `| ${l.id} | ${ms.length} | ${quantile(ms, 0.5).toFixed(1)} ms | ${quantile(ms, 0.95).toFixed(1)} ms | ${Math.max(...ms).toFixed(1)} ms | ${engineMs.toFixed(3)} ms | < 16 ms |`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  return [
    '## Teaching playground: slider to paint (`bench/playground.ts`)',
    '',
    `Chromium ${version} headless, 1280×800, the built app; ${MOVES} keyboard moves of one slider per lesson (one move, one chart drawn). Time from the slider's change to ECharts' \`finished\` (the canvas drawn), measured in the page; the engine's lessonCurve alone in Node. Load average ${load} on ${cpus().length} cores when it started (other work on the machine lengthens the tail).`,
    '',
    '| lesson | moves | median | p95 | max | engine (lessonCurve) | goal (median) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}
