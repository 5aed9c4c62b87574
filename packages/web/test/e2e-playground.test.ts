// The teaching playground in a real browser, without an account: a case file is loaded, the
// student draws two levels, doses and is scored — the score equals the one the library computes
// from the hidden truth with the same seed — and the instructor's view lists the result and shows
// the truth; then the network is cut and the lessons, the Bayesian updating and a second case still
// work; the same pages are read in French. Screenshots go to artifacts/e2e/playground/.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  caseLevels,
  caseScore,
  caseTruth,
  caseTwin,
  EXAMPLE_CASE,
  type TeachingCase,
} from '@dosetwin/models';
import { en } from '../src/i18n/en.ts';
import { fr } from '../src/i18n/fr.ts';
import { fmt } from '../src/lib/units.ts';
import { ARTIFACTS, type Bench, openBench, skip } from './browser.ts';

type Dict = Record<keyof typeof en, string>;
const fill = (s: string, vars: Record<string, string | number>): string =>
  s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k]));

/** The instructor's case: the example's patient with another truth and seed (so it is the file's that counts). */
const CASE: TeachingCase = {
  ...EXAMPLE_CASE,
  id: 'workshop-limoges-3',
  title: 'Workshop case 3: vancomycin, 80 kg, CrCL 60 mL/min',
  truth: { etas: { eta_CL: -0.25, eta_V1: 0.15, eta_V2: -0.4, eta_Q: 0.1 } },
  seed: 41,
};
/** The student draws at 11.5 h and 25.5 h (allowed times 4 and 8) and gives 800 mg q12h. */
const PICKED = [3, 7];
const DOSE = 800;

describe(
  'browser: the teaching playground without an account, offline once loaded',
  { skip, timeout: 600_000 },
  () => {
    let b: Bench;
    before(async () => {
      b = await openBench(join(ARTIFACTS, 'playground'));
    });
    after(async () => b?.close());

    const language = async (L: Dict): Promise<void> => {
      const want = L === fr ? 'fr' : 'en';
      if ((await b.page.locator('html').getAttribute('lang')) !== want) {
        await b.page.getByText(want.toUpperCase(), { exact: true }).click();
        await b.page.locator(`html[lang="${want}"]`).waitFor({ state: 'attached' });
      }
    };
    const tab = (L: Dict, key: 'pg_tab_lessons' | 'pg_tab_bayes' | 'pg_tab_case' | 'pg_tab_instructor') =>
      b.page.getByRole('tab', { name: L[key] }).click();

    test('acceptance 1: load a case file, draw two levels, dose, the score is the hidden truth’s; the instructor lists it', async () => {
      const { page } = b;
      // From the sign-in page, which links to the playground: no account asked.
      await page.goto(b.url);
      await language(en);
      await page.getByRole('link', { name: en.pg_open }).click();
      await page.getByRole('heading', { name: en.pg_title }).waitFor();
      await page.getByTestId('pg-lesson-chart').locator('canvas').first().waitFor();
      await b.shot('lessons-en');

      await tab(en, 'pg_tab_case');
      await page.locator('input[type="file"]').setInputFiles({
        name: 'case.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(CASE)),
      });
      await page.getByTestId('pg-case-title').filter({ hasText: CASE.title }).waitFor();
      for (const k of PICKED) await page.getByText(`${CASE.sampling.timesH[k]} h`, { exact: true }).click();
      await page.getByRole('button', { name: en.pg_case_draw }).click();
      const rows = page.getByTestId('pg-case-levels').locator('tbody tr');
      await rows.nth(1).waitFor();
      // The levels shown are the truth's with the case's seeded residual error.
      const want = caseLevels(CASE, PICKED);
      assert.deepEqual(
        await rows.allInnerTexts(),
        want.map((l) => `${fmt(l.tH)}\t${fmt(l.value, 'en', 3)} mg/L`),
      );
      await page.getByTestId('pg-case-dose').fill(String(DOSE));
      await page.getByTestId('pg-case-predicted').waitFor();
      await page.getByRole('button', { name: en.pg_case_submit }).click();
      const score = page.getByTestId('pg-case-score');
      await score.waitFor();
      const truth = caseScore(CASE, { value: DOSE, unit: 'mg' }, 2);
      const shown = fmt(Number(truth.score.toFixed(1)), 'en', 4);
      assert.match(
        await score.innerText(),
        new RegExp(`^${fill(en.pg_case_score, { score: shown }).replace(/[/.]/g, '\\$&')}`),
      );
      assert.match(
        await score.innerText(),
        new RegExp(`auc24 under ${DOSE} mg: ${fmt(truth.metric, 'en', 4)}`),
      );
      await b.shot('case-scored-en', true);
      // The student's result as a file for the instructor (another machine in a workshop).
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: en.pg_case_download_result }).click(),
      ]);
      const file = JSON.parse(await readFile(await download.path(), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(
        [file.format, file.caseId, file.timesH, file.doseMg, file.metric, file.score],
        ['dosetwin-result/1', CASE.id, [11.5, 25.5], DOSE, truth.metric, truth.score],
      );

      await tab(en, 'pg_tab_instructor');
      const result = page.getByTestId('pg-results').locator('tbody tr');
      await result.first().waitFor();
      const cells = await result.first().locator('td').allInnerTexts();
      assert.match(cells[0], /^S-[0-9A-F]{4}$/);
      assert.deepEqual(cells.slice(1, 6), [
        CASE.id,
        '11.5, 25.5',
        String(DOSE),
        `auc24 ${fmt(truth.metric, 'en', 4)}`,
        shown,
      ]);
      await page.getByRole('button', { name: en.pg_show_truth }).click();
      const cl = caseTruth(CASE).CL;
      assert.match(await page.getByTestId('pg-truth').innerText(), new RegExp(`CL = ${fmt(cl, 'en', 4)}`));
      // A classmate's downloaded result imported: listed under its pseudonym beside this browser's.
      await page.locator('input[type="file"]').setInputFiles({
        name: 'classmate.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify({ ...file, who: 'S-C0DE', doseMg: 1000, score: 12.3 })),
      });
      await result.nth(1).waitFor();
      // Each row scored again from the loaded case's truth: the edited file does not pass.
      const classmate = caseScore(CASE, { value: 1000, unit: 'mg' }, 2);
      await result
        .nth(1)
        .getByText(fill(en.pg_check_bad, { score: fmt(Number(classmate.score.toFixed(1)), 'en', 4) }))
        .waitFor();
      await result.nth(0).getByText(en.pg_check_ok).waitFor();
      assert.deepEqual((await result.nth(1).locator('td').allInnerTexts()).slice(0, 4), [
        'S-C0DE',
        CASE.id,
        '11.5, 25.5',
        '1000',
      ]);
      await b.shot('instructor-en', true);
    });

    test('acceptance 3: with the network cut after loading, lessons, Bayesian updating and a case still work', async () => {
      const { page, ctx } = b;
      await ctx.setOffline(true);
      try {
        await tab(en, 'pg_tab_lessons');
        await page.getByTestId('pg-lesson').click();
        await page.getByRole('option', { name: en.pg_lesson_oral }).click();
        await page.getByTestId('pg-lesson-text').filter({ hasText: 'lag time' }).waitFor();
        const before = await page.evaluate(() => window.__pgPaint?.length ?? 0);
        const ka = page.getByRole('slider', { name: en.param_kaPerH });
        await ka.focus();
        for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
        assert.equal(await page.getByTestId('pg-value-kaPerH').innerText(), '1.7');
        await page.waitForFunction((n) => (window.__pgPaint?.length ?? 0) >= n + 4, before);
        await b.shot('offline-lesson-oral-en');

        await tab(en, 'pg_tab_bayes');
        const table = page.getByTestId('pg-parameters');
        await table.waitFor();
        // The typical patient a priori: CL = 2.99·(1 + 0.0154·(60 − 66)) = 2.714 L/h in both columns.
        assert.deepEqual(await table.locator('tbody tr').first().locator('td').allInnerTexts(), [
          'CL',
          '2.71',
          '2.71',
        ]);
        await page.getByLabel(en.pg_level_value).fill('6');
        await page.getByRole('button', { name: en.pg_add_level }).click();
        // A trough of 6 mg/L at 11.5 h (typical: ~9.6) says this patient clears faster: CL and the
        // other parameters move to the library's MAP for that level, computed here in Node.
        const post = caseTwin(
          EXAMPLE_CASE,
          [{ index: -1, tH: 11.5, value: 6, unit: 'mg/L' }],
          200,
        ).twin.parameters();
        const want = ['CL', 'V1', 'V2', 'Q'].map((p) => fmt(post[p], 'en', 3));
        await page.waitForFunction(
          (cl) =>
            document.querySelector('[data-testid="pg-parameters"] tbody tr:first-child td:nth-child(3)')
              ?.textContent === cl,
          want[0],
        );
        assert.deepEqual(await table.locator('tbody tr td:nth-child(3)').allInnerTexts(), want);
        assert.match(
          await page.getByTestId('pg-information-at').innerText(),
          /A level at 11\.5 h is expected to reduce the SD of eta_CL by \d/,
        );
        await b.shot('offline-bayes-en', true);

        await tab(en, 'pg_tab_case');
        await page.getByRole('button', { name: en.pg_case_example }).click();
        await page.getByText('47.5 h', { exact: true }).click();
        await page.getByRole('button', { name: en.pg_case_draw }).click();
        await page.getByTestId('pg-case-levels').locator('tbody tr').first().waitFor();
        await page.getByRole('button', { name: en.pg_case_submit }).click();
        const s = caseScore(EXAMPLE_CASE, EXAMPLE_CASE.given.dose, 1);
        await page
          .getByTestId('pg-case-score')
          .filter({ hasText: fill(en.pg_case_score, { score: fmt(Number(s.score.toFixed(1)), 'en', 4) }) })
          .waitFor();
      } finally {
        await ctx.setOffline(false);
      }
      assert.deepEqual(b.problems, []);
    });

    test('in French: the lessons, the score and the instructor’s view', async () => {
      const { page } = b;
      await language(fr);
      await page.getByRole('heading', { name: fr.pg_title }).waitFor();
      await page.getByTestId('pg-case-score').filter({ hasText: 'Score :' }).waitFor();
      await b.shot('case-scored-fr', true);
      await tab(fr, 'pg_tab_lessons');
      await page.getByTestId('pg-lesson').click();
      await page.getByRole('option', { name: fr.pg_lesson_nonlinear }).click();
      await page.getByTestId('pg-lesson-text').filter({ hasText: 'Lambert' }).waitFor();
      await b.shot('lesson-nonlinear-fr');
      await tab(fr, 'pg_tab_instructor');
      assert.equal(await page.getByTestId('pg-results').locator('tbody tr').count(), 3);
      await b.shot('instructor-fr', true);
      assert.deepEqual(b.problems, []);
    });
  },
);
