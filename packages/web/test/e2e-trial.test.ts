// The virtual-trial page in a real browser, without an account: a vancomycin trial of 400 virtual
// patients runs in the page's worker; its PTA by day equals the engine's for the same trial file in
// Node (same seeds, same chunks), the PTA-versus-MIC curve is drawn, and the page reads in French.
// Screenshots go to artifacts/e2e/trial/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chunkCount, emptyCounts, mergeCounts, TrialRunner, trialReport } from '@dosetwin/engine';
import { resolveTrial, type TrialFile } from '@dosetwin/models';
import { en } from '../src/i18n/en.ts';
import { fr } from '../src/i18n/fr.ts';
import { fmt } from '../src/lib/units.ts';
import { ARTIFACTS, type Bench, openBench, skip } from './browser.ts';

/** The page's default trial with 400 patients and 3 days (its chunks: max(100, n/20)). */
const FILE: TrialFile = {
  model: 'vancomycin/goti2018',
  arms: [{ regimen: '1000 mg q12h over 1 h' }, { regimen: '1500 mg q12h over 1.5 h' }],
  days: 3,
  targets: ['fauc_mic>=400'],
  mics: [0.25, 0.5, 1, 2, 4],
  mic: 1,
  n: 400,
  chunkSize: 100,
  seed: 1,
};

describe('browser: the virtual-trial page', { skip, timeout: 600_000 }, () => {
  let b: Bench;
  before(async () => {
    b = await openBench(join(ARTIFACTS, 'trial'));
  });
  after(async () => b?.close());

  test('400 patients in the page = the engine in Node to the printed digit; PTA curve drawn; French', async () => {
    const { page } = b;
    await page.goto(`${b.url}#/trial`);
    await page.getByRole('heading', { name: en.tr_title }).waitFor();
    await page.getByLabel(en.tr_patients).fill('400');
    await page.getByLabel(en.tr_days).fill('3');
    await page.getByTestId('trial-run').click();
    const table = page.getByTestId('trial-table');
    await table.waitFor({ timeout: 300_000 });
    await page.getByTestId('trial-pta-curve').locator('canvas').first().waitFor();
    await b.shot('trial-en', true);
    const r = resolveTrial(FILE);
    const runner = new TrialRunner(r.setup);
    const total = chunkCount(r.setup);
    const counts = Array.from({ length: total }, (_, c) => runner.runChunk(c)).reduce(
      mergeCounts,
      emptyCounts(runner.shape),
    );
    const rep = trialReport(counts, runner.shape, r.labels, total);
    const rows = await table.locator('tbody tr').all();
    assert.equal(rows.length, 2);
    for (const [i, row] of rows.entries()) {
      const cells = await row.locator('td').allInnerTexts();
      assert.equal(cells[0], FILE.arms[i].regimen);
      rep.arms[i].days.forEach((d, k) =>
        assert.equal(cells[k + 1], `${(100 * d.all.p).toFixed(1)} % ± ${(100 * d.all.se).toFixed(1)}`),
      );
    }
    // The exposure bands by day: each cell the engine's median (5th–95th percentile) of the first
    // target's metric, to 3 significant digits, thousands grouped as the chart's axis writes them
    // (1,110); the chart drawn from the same numbers.
    await page.getByTestId('trial-exposure-chart').locator('canvas').first().waitFor();
    const sig = (x: number, lang: 'en' | 'fr' = 'en'): string => fmt(x, lang, 3, true);
    const exposureRows = await page.getByTestId('trial-exposure-table').locator('tbody tr').all();
    assert.equal(exposureRows.length, 2);
    for (const [i, row] of exposureRows.entries()) {
      const cells = await row.locator('td').allInnerTexts();
      rep.arms[i].exposure.forEach((e, d) =>
        assert.equal(cells[d + 1], `${sig(e[0].p50)} (${sig(e[0].p5)}–${sig(e[0].p95)})`),
      );
    }
    // The higher dose's median exposure is higher on every day.
    rep.arms[1].exposure.forEach((e, d) => assert.ok(e[0].p50 > rep.arms[0].exposure[d][0].p50));
    // PTA falls with the MIC (the curve's data): checked on the engine's numbers the page plotted.
    const curve = rep.arms[0].days[2].mic.map((m) => m.p);
    for (let k = 1; k < curve.length; k++) assert.ok(curve[k] <= curve[k - 1]);
    await page.getByText('FR', { exact: true }).click();
    await page.getByRole('heading', { name: fr.tr_title }).waitFor();
    const d1 = rep.arms[0].days[0].all;
    const comma = (x: number): string => (100 * x).toFixed(1).replace('.', ',');
    assert.equal(await rows[0].locator('td').nth(1).innerText(), `${comma(d1.p)} % ± ${comma(d1.se)}`);
    // The exposures in French: decimal comma, thousands after a narrow no-break space (1 110), as
    // on the chart's axis; no number of four digits or more left ungrouped.
    const e1 = rep.arms[1].exposure[0][0];
    assert.equal(
      await exposureRows[1].locator('td').nth(1).innerText(),
      `${sig(e1.p50, 'fr')} (${sig(e1.p5, 'fr')}–${sig(e1.p95, 'fr')})`,
    );
    const frExposure = (await exposureRows[1].locator('td').allInnerTexts()).slice(1).join(' ');
    assert.match(frExposure, /\d\u202f\d{3}/, frExposure);
    assert.doesNotMatch(frExposure, /\d{4}|\d\.\d/, frExposure);
    await b.shot('trial-fr', true);
    assert.deepEqual(b.problems, []);
  });
});
