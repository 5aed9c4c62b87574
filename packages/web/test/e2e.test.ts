// Acceptance, in a real browser (Debian's chromium driven by playwright-core): a prescriber signs
// in, creates an ICU vancomycin patient, enters covariates, 3 doses (quick entry) and 2 levels, and
// submits a request; a pharmacologist signs in, runs the analysis (with the ML limited-sampling
// estimate beside the MAP one), changes the dose in the what-if
// (~20 edits, each timed in the page from the edit to the painted chart), validates ('modify'), and
// opens the signed report. Screenshots of each step and the what-if timings go to artifacts/e2e/
// (git-ignored). The bench (build, service, browser, accounts) is ./browser.ts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MET_MEANING, PTA_MEANING, rankingRule } from '@dosetwin/models';
import { ARTIFACTS, localInput, localPhrase, openBench, PASSWORD, skip } from './browser.ts';

test(
  'browser: prescriber enters a vancomycin patient, pharmacologist analyses, what-if, validates, report',
  { skip, timeout: 170_000 },
  async () => {
    const bench = await openBench(ARTIFACTS);
    const { page, problems, signIn, ctx } = bench;
    try {
      const shot = (name: string): Promise<void> => bench.shot(name, name === 'analysis-full');

      // Prescriber.
      await page.goto(bench.url);
      await shot('login');
      await signIn('dr.prescriber');
      await page.getByLabel('Family name').fill('Durand');
      await page.getByLabel('Given name').fill('Paul');
      await page.getByLabel('Date of birth').fill('1968-04-02');
      await page.getByLabel('Hospital number').fill('H-000123');
      await page.getByRole('combobox', { name: 'Sex' }).selectOption('male');
      await page.getByRole('button', { name: 'Create patient' }).click();
      await page.getByTestId('timeline').waitFor();

      const now = Date.now();
      const hoursAgo = (h: number): Date => new Date(now - h * 3_600_000);
      const cov = page.getByTestId('covariate-form');
      for (const [name, value, unit] of [
        ['WT', '82', 'kg'],
        ['AGE', '58', 'y'],
        ['SCR', '95', 'umol/L'],
        ['SEX', '0', '-'],
        ['DIAL', '0', '-'],
      ]) {
        await cov.getByLabel('Date and time').fill(localInput(hoursAgo(32)));
        await cov.getByRole('combobox', { name: 'Covariate' }).selectOption(name);
        if (unit === '-') await cov.getByRole('combobox', { name: 'Value' }).selectOption(value);
        else {
          await cov.getByRole('textbox', { name: 'Value' }).fill(value);
          await cov.getByRole('combobox', { name: 'Unit' }).selectOption(unit);
        }
        await cov.getByRole('button', { name: 'Add a covariate' }).click();
        await page.getByTestId('timeline').getByText(`${name} = ${value}`).waitFor();
      }
      // Three doses by quick entry: every 12 h since 30 h ago (→ −30, −18, −6 h).
      const first = hoursAgo(30);
      const phrase = `vancomycin 1 g over 1 h every 12 h since ${localPhrase(first)}`;
      await page.getByLabel('Doses as you would say them').fill(phrase);
      await page.getByRole('button', { name: 'Record 3 doses' }).click();
      await page.getByTestId('timeline').getByText('IV infusion over 1 h').nth(2).waitFor();
      await shot('patient-doses');
      // Two levels in the 2nd dosing interval, at the vancomycin ML estimator's design: 2 h after
      // the start of the 2nd infusion (1 h after its end), and a trough 15 min before the 3rd dose.
      const smp = page.getByTestId('sample-form');
      for (const [h, v] of [
        [16, '27.4'],
        [6.25, '9.8'],
      ] as const) {
        await smp.getByLabel('Date and time').fill(localInput(hoursAgo(h)));
        await smp.getByRole('textbox', { name: 'Concentration' }).fill(v);
        await smp.getByRole('textbox', { name: 'LLOQ' }).fill('2');
        await smp.getByRole('button', { name: 'Add a level' }).click();
        await page.getByTestId('timeline').getByText(`${v} mg/L`).waitFor();
      }
      const rows = await page.getByTestId('timeline').locator('tbody tr').count();
      assert.equal(rows, 5 + 3 + 2);
      await page.getByRole('combobox', { name: 'Model' }).selectOption('vancomycin/goti2018');
      await page.getByLabel('Clinical question').fill('MRSA pneumonia, 1 g every 12 h. AUC24 400-600?');
      await page.getByRole('button', { name: 'Submit the request' }).click();
      await page.getByRole('link', { name: /vancomycin\/goti2018/ }).waitFor();
      await shot('patient-request');
      await page.getByRole('button', { name: 'Sign out' }).click();

      // Pharmacologist.
      await signIn('dr.pharmaco');
      await page.getByRole('link', { name: 'Requests' }).click();
      await page.locator('a[href^="#/requests/"]').first().click();
      await page.getByRole('button', { name: 'Run the analysis' }).click();
      await page.getByTestId('whatif-exposure').waitFor({ timeout: 60_000 });
      await page.waitForFunction(() => !document.body.innerText.includes('…'), null, { timeout: 60_000 });
      assert.match(
        await page
          .getByText(/a posteriori \(MAP\)/)
          .first()
          .innerText(),
        /MAP/,
      );
      assert.ok((await page.getByTestId('candidates').locator('tbody tr').count()) >= 1);
      // The candidates explained in the library's words; a ✓ beside a PTA below 50 % is marked ⚠
      // in both cells, one at or above it is not; every candidate shows its first dose.
      assert.equal(
        await page.getByTestId('ranking-rule').innerText(),
        `${rankingRule('en')} ${MET_MEANING.en} ${PTA_MEANING.en}`,
      );
      for (const row of await page.getByTestId('candidates').locator('tbody tr').all()) {
        const cells = await row.locator('td').allInnerTexts();
        const pta = Number(cells[3].split(' ')[0]);
        const met = cells[2].includes('✓');
        assert.equal(cells[2].includes('⚠'), met && pta < 50, cells.join(' | '));
        assert.equal(cells[3].includes('⚠'), pta < 50, cells.join(' | '));
        assert.match(cells[1], /first dose \d{2} \w{3}/, cells[1]);
      }
      await shot('analysis');
      // The ML limited-sampling estimate beside the MAP one (the levels match the estimator's design).
      const ml = page.getByTestId('ml-estimate');
      await page.getByTestId('ml-auc').waitFor({ timeout: 60_000 });
      assert.match(await ml.innerText(), /vancomycin-goti2018\+thomson2009-2-12h/);
      const num = async (id: string): Promise<number> =>
        Number((await page.getByTestId(id).innerText()).replace('−', '-').split(' ')[0]);
      const [mlAuc, mapAuc, diff] = [await num('ml-auc'), await num('ml-map-auc'), await num('ml-diff')];
      assert.ok(mlAuc > 0 && mapAuc > 0, `${mlAuc} ${mapAuc}`);
      // The difference shown is that of the two numbers shown (4 significant digits each).
      assert.ok(Math.abs(diff - 100 * (mlAuc / mapAuc - 1)) <= 0.15, `${diff} vs ${mlAuc}/${mapAuc}`);
      // The sampled dose is the 2nd at 12 h: the card warns that steady state is not reached.
      assert.match(await page.getByTestId('ml-few-doses').innerText(), /Only 2 doses/);
      await ml.scrollIntoViewIfNeeded();
      await ml.screenshot({ path: bench.nextShot('ml-estimate') });
      await page.evaluate(() => window.scrollTo(0, 0));

      // What-if: ~20 dose edits, each awaited until the chart is painted (timed inside the page).
      const dose = page.getByTestId('whatif-dose');
      const doses = Array.from({ length: 21 }, (_, k) => 500 + 50 * k);
      for (const [k, d] of doses.entries()) {
        await dose.fill(String(d));
        await page.waitForFunction((n) => (window.__whatif?.length ?? 0) >= n, k + 1, { timeout: 20_000 });
      }
      const timings = (await page.evaluate(() => window.__whatif ?? [])) as {
        engine: number;
        reply: number;
        total: number;
      }[];
      assert.equal(timings.length, doses.length);
      const q = (v: number[], p: number): number => {
        const s = [...v].sort((a, b) => a - b);
        return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
      };
      // The first edit also compiles the engine's hot paths (JIT): reported apart.
      const warm = timings.slice(1);
      const report = {
        what: 'what-if edit → forecast (2-compartment vancomycin/goti2018, MAP + 90 % band over 100 posterior draws, 241-point grid) → chart painted, ms',
        browser: (await ctx.browser()?.version()) ?? 'chromium',
        edits: warm.length,
        first: timings[0].total,
        median: q(
          warm.map((x) => x.total),
          0.5,
        ),
        p95: q(
          warm.map((x) => x.total),
          0.95,
        ),
        engineMedian: q(
          warm.map((x) => x.engine),
          0.5,
        ),
        replyMedian: q(
          warm.map((x) => x.reply),
          0.5,
        ),
        setOptionMedian: q(((await page.evaluate(() => window.__chart ?? [])) as number[]).slice(-20), 0.5),
        all: timings.map((x) => Number(x.total.toFixed(2))),
      };
      writeFileSync(join(ARTIFACTS, 'whatif-timing.json'), JSON.stringify(report, null, 2));
      console.log(
        `what-if render: median ${report.median.toFixed(1)} ms, p95 ${report.p95.toFixed(1)} ms over ${report.edits} edits (engine median ${report.engineMedian.toFixed(1)} ms, worker reply ${report.replyMedian.toFixed(1)} ms, setOption ${report.setOptionMedian.toFixed(1)} ms; first edit ${report.first.toFixed(1)} ms)`,
      );
      // The what-if opens on candidate 1, whatever its interval: the regimen tried is 1250 mg every 12 h.
      let edits = doses.length;
      const interval = page.getByRole('textbox', { name: 'Interval (h)' });
      if ((await interval.inputValue()) !== '12') {
        await interval.fill('12');
        edits += 1;
        await page.waitForFunction((n) => (window.__whatif?.length ?? 0) >= n, edits);
      }
      await dose.fill('1250');
      await page.waitForFunction((n) => (window.__whatif?.length ?? 0) >= n, edits + 1);
      await shot('whatif');
      // Model card one click away; model averaging over the library's vancomycin models.
      await page.getByRole('button', { name: 'Model card' }).click();
      await page
        .getByRole('dialog')
        .getByText(/Goti V, Chaturvedula A/)
        .waitFor();
      await shot('model-card');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: /Compare the library/ }).click();
      const avg = page.getByTestId('averaging');
      await avg.waitFor({ timeout: 60_000 });
      const weights = (await avg.locator('tbody tr td:nth-child(2)').allInnerTexts())
        .filter((x) => x.endsWith('%'))
        .map((x) => Number(x.replace(/\s*%$/, '')));
      assert.ok(weights.length >= 2, `weights ${weights.join()}`);
      const sum = weights.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 100) <= weights.length, `weights add up to ${sum} % (rounded)`);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot('averaging');

      // Validate: the dose was changed, so the decision is 'modify' with the what-if regimen.
      assert.equal(await page.getByRole('radio', { name: 'Modify' }).isChecked(), true);
      await page.getByLabel('Comment').fill('AUC24 on target with 1250 mg every 12 h; trough in 2 days.');
      await page.getByTestId('validation-form').getByRole('button', { name: 'Sign' }).click();
      // Signing asks for confirmation, restating the decision and the regimen signed.
      const confirm = page.getByTestId('confirm-sign');
      assert.match(await confirm.innerText(), /Modify — 1,?250 mg \/ 12 h/);
      // The signer proves again who they are: the password typed again (or the authenticator's code).
      await confirm.getByLabel('Your password or authenticator code').fill(PASSWORD);
      await confirm.getByRole('button', { name: 'Sign the decision' }).click();
      await page.getByTestId('signed').waitFor();
      await shot('validated');
      const href = await page.getByTestId('report-link').getAttribute('href');
      await page.goto(`${bench.url}${href}`);
      const html = await page.content();
      for (const s of ['Goti V', 'Validated by Dr pharmaco', 'Decision: modified', '1250', '27.4 mg/L'])
        assert.ok(html.includes(s), `report lacks '${s}'`);
      await shot('report');
      // The French interface: switch language on the app.
      await page.goto(bench.url);
      await page.getByText('FR', { exact: true }).click();
      await page.getByRole('link', { name: 'Demandes' }).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await bench.close();
    }
  },
);
