// Every library model from the web app, in a real browser: patients of the models the old fixed
// covariate form could not serve are entered through the forms generated from the covariate
// register — the request form lists what the chosen model (or every model of the drug) needs and
// which inputs are still missing, each entered in one click — and analysed by the pharmacologist,
// each analysis showing its candidates and the browser's twin:
// - piperacillin/kim2022: ICU adult on veno-arterial ECMO (ECMO, cystatin C);
// - gentamicin/germovsek2016: term neonate (GA, PNA), with a weight typed in grams refused;
// - mycophenolic-acid/vanhest2005: kidney transplant recipient on ciclosporin (CSA_DOSE), played in French;
// - vancomycin asked for as a drug, not a model: the averaged exposure with each model's value
//   and weight, a model left out for a missing input, and "keep this model" giving a one-model analysis.
// Values lie within each model's validity domain (its .dtm) and the drug file's products.
// Screenshots go to artifacts/e2e/library/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { en } from '../src/i18n/en.ts';
import { fr } from '../src/i18n/fr.ts';
import { ARTIFACTS, type Bench, localInput, localPhrase, openBench, skip } from './browser.ts';

type Dict = Record<keyof typeof en, string>;
const fill = (s: string, vars: Record<string, string | number>): string =>
  s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k]));

/** A covariate as entered: value (a code for binary ones) and unit (null: the form's, for codes). */
type Cov = [value: number, unit: string | null];

describe(
  'browser: library models entered through the generated forms and analysed',
  { skip, timeout: 600_000 },
  () => {
    let b: Bench;
    let expectedErrors = 0;
    const now = Date.now();
    const ago = (h: number): Date => new Date(now - h * 3_600_000);
    before(async () => {
      b = await openBench(join(ARTIFACTS, 'library'));
      await b.page.goto(b.url);
    });
    after(async () => b?.close());

    const language = async (L: Dict): Promise<void> => {
      const { page } = b;
      const want = L === fr ? 'fr' : 'en';
      if ((await page.locator('html').getAttribute('lang')) !== want) {
        await page.getByText(want.toUpperCase(), { exact: true }).click();
        await page.locator(`html[lang="${want}"]`).waitFor({ state: 'attached' });
      }
    };
    const signOutIfIn = async (): Promise<void> => {
      const out = b.page.getByRole('button', { name: new RegExp(`^(${en.signOut}|${fr.signOut})$`) });
      if (await out.count()) await out.click();
    };
    const as = async (user: 'dr.prescriber' | 'dr.pharmaco', L: Dict): Promise<void> => {
      await b.page.goto(`${b.url}/#/`);
      await language(L);
      await signOutIfIn();
      await b.signIn(user, L);
    };

    /** The prescriber creates a patient and lands on the patient's page. */
    const createPatient = async (
      L: Dict,
      family: string,
      birth: string,
      hn: string,
      sex: 'male' | 'female',
    ) => {
      const { page } = b;
      await page.goto(`${b.url}/#/`);
      await page.getByRole('textbox', { name: L.familyName, exact: true }).fill(family);
      await page.getByRole('textbox', { name: L.givenName, exact: true }).fill('Test');
      await page.getByLabel(L.birthDate).fill(birth);
      await page.getByRole('textbox', { name: L.hospitalNumber, exact: true }).fill(hn);
      await page.getByRole('combobox', { name: L.sex }).selectOption(sex);
      await page.getByRole('button', { name: L.createPatient }).click();
      await page.getByTestId('timeline').waitFor();
    };

    /**
     * Choose the request's subject, then enter every input the request form says is missing, each
     * through its "Enter" button (the covariate form opens on it, in the unit the model asks for):
     * the inputs asked for must be exactly `covs`' names (plus `left`, left missing on purpose).
     */
    const enterInputs = async (
      L: Dict,
      subject: string,
      covs: Record<string, Cov>,
      atH: number,
      left: string[] = [],
    ) => {
      const { page } = b;
      await page.getByTestId('request-subject').selectOption(subject);
      const inputs = page.getByTestId('request-inputs');
      await inputs.waitFor();
      const missing = async (): Promise<string[]> =>
        (
          await inputs
            .locator('tr[data-state="missing"]')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')!))
        )
          .map((id) => id.slice('input-'.length))
          .sort();
      assert.deepEqual(
        await missing(),
        [...Object.keys(covs), ...left].sort(),
        'the inputs the request form asks for',
      );
      const form = page.getByTestId('covariate-form');
      for (const [name, [value, unit]] of Object.entries(covs)) {
        await page.getByRole('button', { name: fill(L.enterCovariate, { name }) }).click();
        // The covariate form opens on it.
        await form.locator(`option[value="${name}"]:checked`).waitFor({ state: 'attached' });
        await form.getByLabel(L.dateTime).fill(localInput(ago(atH)));
        if (unit === null) await form.getByRole('combobox', { name: L.value }).selectOption(String(value));
        else {
          await form.getByRole('textbox', { name: L.value }).fill(String(value));
          await form.getByRole('combobox', { name: L.unit }).selectOption(unit);
        }
        await form.getByRole('button', { name: L.addCovariate }).click();
        await page.locator(`[data-testid="input-${name}"][data-state="recorded"]`).waitFor();
      }
      assert.deepEqual(await missing(), [...left].sort());
    };

    const quickEntry = async (L: Dict, phrase: string, n: number) => {
      const { page } = b;
      const before = await page.getByTestId('timeline').locator('tbody tr').count();
      await page.getByLabel(L.quickEntryLabel).fill(phrase);
      await page.getByRole('button', { name: n === 1 ? L.recordDose : fill(L.recordDoses, { n }) }).click();
      await page.waitForFunction(
        ([k]) => document.querySelectorAll('[data-testid="timeline"] tbody tr').length >= k,
        [before + n],
      );
    };

    const addLevel = async (L: Dict, h: number, value: string, lloq: string, assay: string) => {
      const { page } = b;
      const form = page.getByTestId('sample-form');
      // Numbers typed and shown as the UI's language writes them (a decimal comma in French), in
      // the number boxes and the timeline alike.
      const written = (x: string): string => (L === fr ? x.replace('.', ',') : x);
      await form.getByLabel(L.dateTime).fill(localInput(ago(h)));
      await form.getByRole('textbox', { name: L.concentration }).fill(written(value));
      await form.getByRole('textbox', { name: L.assay }).fill(assay);
      await form.getByRole('textbox', { name: L.lloq }).fill(written(lloq));
      await form.getByRole('button', { name: L.addLevel }).click();
      await page
        .getByTestId('timeline')
        .getByText(`${written(value)} mg/L`)
        .waitFor();
    };

    /** Submit the request (subject already chosen); its id. */
    const submitRequest = async (L: Dict, question: string): Promise<string> => {
      const { page } = b;
      await page.getByLabel(L.question).fill(question);
      const created = page.waitForResponse(
        (r) => r.url().endsWith('/api/requests') && r.request().method() === 'POST',
      );
      await page.getByRole('button', { name: L.submitRequest }).click();
      const r = await created;
      assert.equal(r.status(), 201, await r.text());
      return ((await r.json()) as { id: string }).id;
    };

    /** The pharmacologist runs the analysis of a request: candidates shown, the browser's twin built. */
    const analyse = async (L: Dict, requestId: string, targets?: string): Promise<number> => {
      const { page } = b;
      await page.goto(`${b.url}/#/requests/${requestId}`);
      if (targets) await page.getByTestId('analysis-targets').fill(targets);
      await page.getByRole('button', { name: L.analyse }).click();
      await page.getByTestId('candidates').waitFor({ timeout: 60_000 });
      await page.getByTestId('whatif-exposure').waitFor({ timeout: 60_000 });
      const n = await page.getByTestId('candidates').locator('tbody tr').count();
      assert.ok(n >= 1, 'candidates');
      assert.equal(await page.getByRole('button', { name: fill(L.tryCandidate, { n: 1 }) }).count(), 1);
      return n;
    };

    const noProblems = (): void => {
      const unexpected = b.problems.filter((p) => !/status of 422/.test(p));
      assert.deepEqual(unexpected, []);
      assert.equal(b.problems.length - unexpected.length, expectedErrors, b.problems.join('\n'));
    };

    test('piperacillin/kim2022: ICU adult on ECMO (ECMO, cystatin C) → candidates', async () => {
      const { page } = b;
      await as('dr.prescriber', en);
      await createPatient(en, 'Ecmo', '1964-03-02', 'H-PIP-1', 'male');
      // 68 kg, 62 y, cystatin C 1.4 mg/L (CKD-EPI 2012 eGFR ≈ 49 mL/min/1.73 m2), veno-arterial ECMO.
      await enterInputs(
        en,
        'piperacillin/kim2022',
        { WT: [68, 'kg'], CYSC: [1.4, 'mg/L'], AGE: [62, 'y'], SEX: [0, null], ECMO: [1, null] },
        22,
      );
      assert.match(await page.getByTestId('input-ECMO').innerText(), /1 \(on ECMO\)/);
      assert.match(await page.getByTestId('request-targets').innerText(), /ft_mic>=100 %/);
      // 4 g/0.5 g over 30 min every 8 h (→ −20, −12, −4 h); a level 1 h after the 2nd start, a trough before the 3rd.
      await quickEntry(en, `piperacillin 4 g over 30 min every 8 h since ${localPhrase(ago(20))}`, 3);
      await addLevel(en, 11, '205', '0.5', 'LC-MS/MS');
      await addLevel(en, 4.25, '22', '0.5', 'LC-MS/MS');
      const rid = await submitRequest(en, 'VA-ECMO, Pseudomonas (MIC 16 mg/L): 4 g q8h enough?');
      await b.shot('piperacillin-request');
      await as('dr.pharmaco', en);
      // The drug file's 100 % fT>MIC target needs the MIC, which a request cannot carry yet: the
      // pharmacologist states it as a total trough, 16 mg/L over the 0.91 unbound fraction.
      const n = await analyse(en, rid, 'trough>=17.6 mg/L');
      assert.match(await page.getByTestId('candidates').innerText(), /trough/);
      await b.shot(`piperacillin-analysis-${n}-candidates`);
      noProblems();
    });

    test('gentamicin/germovsek2016: term neonate (GA, PNA; grams typed as kg refused) → candidates', async () => {
      const { page } = b;
      await as('dr.prescriber', en);
      await createPatient(en, 'Nouveau-ne', '2026-01-01', 'H-GEN-1', 'female');
      // A weight typed in grams as kg: the service refuses it by the register's limits, naming the value.
      const form = page.getByTestId('covariate-form');
      await form.getByRole('combobox', { name: en.covariate }).selectOption('WT');
      await form.getByLabel(en.dateTime).fill(localInput(ago(42)));
      await form.getByRole('textbox', { name: en.value }).fill('3400');
      await form.getByRole('combobox', { name: en.unit }).selectOption('kg');
      await form.getByRole('button', { name: en.addCovariate }).click();
      expectedErrors++;
      assert.match(
        await form.getByRole('alert').innerText(),
        /value: WT is 3400 kg; a body weight lies within 0\.2\.\.650 kg/,
      );
      await b.shot('gentamicin-weight-refused');
      // 3.4 kg, born at 39 weeks, 3 days old, SCr 62 µmol/L: within 0.4-7 kg, PMA 23-52 wk, PNA 0.25-120 d.
      await enterInputs(
        en,
        'gentamicin/germovsek2016',
        { WT: [3.4, 'kg'], GA: [39, 'wk'], PNA: [3, 'd'], SCR: [62, 'umol/L'] },
        42,
      );
      // 5 mg/kg (17 mg) over 30 min every 36 h (→ −40, −4 h); a peak 1 h after the first, a trough before the second.
      await quickEntry(en, `gentamicin 17 mg over 30 min every 36 h since ${localPhrase(ago(40))}`, 2);
      await addLevel(en, 39, '9.8', '0.3', 'immunoassay');
      await addLevel(en, 4.5, '1.1', '0.3', 'immunoassay');
      const rid = await submitRequest(en, 'Early-onset sepsis, day 3: interval for a trough below 2 mg/L?');
      await as('dr.pharmaco', en);
      const n = await analyse(en, rid);
      assert.match(await page.getByTestId('candidates').innerText(), /peak/);
      await b.shot(`gentamicin-analysis-${n}-candidates`);
      noProblems();
    });

    test('mycophenolic-acid/vanhest2005 in French: transplant recipient on ciclosporin (CSA_DOSE) → candidates', async () => {
      const { page } = b;
      await as('dr.prescriber', fr);
      await createPatient(fr, 'Greffe', '1972-06-15', 'H-MPA-1', 'male');
      // 78 kg, 54 ans, SCr 140 µmol/L (CrCL ≈ 59 mL/min), albumine 36 g/L, ciclosporine 150 mg × 2/j.
      await enterInputs(
        fr,
        'mycophenolic-acid/vanhest2005',
        {
          SCR: [140, 'umol/L'],
          AGE: [54, 'y'],
          WT: [78, 'kg'],
          SEX: [0, null],
          ALB: [36, 'g/L'],
          CSA_DOSE: [300, 'mg/day'],
        },
        63,
      );
      assert.match(await page.getByTestId('input-SEX').innerText(), /0 \(homme\)/);
      assert.match(await page.getByTestId('request-inputs').innerText(), /CSA_DOSE — Dose de ciclosporine/);
      await b.shot('mpa-fr-inputs');
      // CellCept 1 g toutes les 12 h (6 prises, la dernière il y a 1 h); C0, C1 et C3 autour de la 5e prise.
      await quickEntry(fr, `CellCept 1000 mg per os toutes les 12 h depuis le ${localPhrase(ago(61))}`, 6);
      await addLevel(fr, 13.1, '2.1', '0.2', 'HPLC');
      await addLevel(fr, 12, '11.5', '0.2', 'HPLC');
      await addLevel(fr, 10, '4.2', '0.2', 'HPLC');
      const rid = await submitRequest(
        fr,
        'J+20 de greffe rénale, CellCept 1 g × 2 : AUC0-12 dans 30-60 mg·h/L ?',
      );
      await as('dr.pharmaco', fr);
      const n = await analyse(fr, rid);
      assert.match(await page.getByTestId('candidates').innerText(), /auctau/);
      assert.ok(await page.getByRole('heading', { name: fr.recommendation }).isVisible());
      await b.shot(`mpa-fr-analysis-${n}-candidates`);
      await language(en);
      noProblems();
    });

    test('vancomycin asked for as a drug: averaged exposure, each model’s value and weight, keep one model', async () => {
      const { page } = b;
      await as('dr.prescriber', en);
      await createPatient(en, 'Drug', '1955-09-09', 'H-VAN-1', 'male');
      // 90 kg, 71 y, SCr 110 µmol/L, no dialysis; GA (colin2019's postmenstrual age) is not known.
      await enterInputs(
        en,
        'drug:vancomycin',
        { WT: [90, 'kg'], SCR: [110, 'umol/L'], AGE: [71, 'y'], SEX: [0, null], DIAL: [0, null] },
        42,
        ['GA'],
      );
      assert.match(await page.getByTestId('inputs-missing').innerText(), /GA.*colin2019/);
      assert.match(await page.getByTestId('input-GA').innerText(), /colin2019/);
      await quickEntry(en, `vancomycin 1.25 g over 90 min every 12 h since ${localPhrase(ago(40))}`, 4);
      await addLevel(en, 14, '31', '2', 'immunoassay');
      await addLevel(en, 4.25, '14.5', '2', 'immunoassay');
      const rid = await submitRequest(en, 'MRSA bacteraemia: AUC24 400-600 on 1.25 g q12h?');
      await b.shot('vancomycin-drug-request');
      await as('dr.pharmaco', en);
      await analyse(en, rid);
      const table = page.getByTestId('drug-models');
      const rows = table.getByTestId('drug-model-row');
      const k = await rows.count();
      assert.ok(k >= 3, `${k} models weighed`);
      const weights: number[] = [];
      const values: number[] = [];
      for (let i = 0; i < k; i++) {
        const cells = await rows.nth(i).locator('td').allInnerTexts();
        weights.push(Number(cells[1].replace(/\s*%$/, '')));
        const m = /auc24 ([\d.]+)/.exec(cells[2]);
        assert.ok(m, `model ${cells[0]}: its value (${cells[2]})`);
        values.push(Number(m[1]));
      }
      const sum = weights.reduce((a, x) => a + x, 0);
      assert.ok(Math.abs(sum - 100) <= k, `weights add up to ${sum} % (rounded)`);
      // The averaged exposure is Σ w·x (weights shown rounded to 1 %, values to 4 digits).
      const averaged = Number(/auc24 ([\d.]+)/.exec(await table.getByTestId('averaged-row').innerText())![1]);
      const expected = weights.reduce((a, w, i) => a + (w / 100) * values[i], 0);
      const slack = values.reduce((a, x) => a + 0.005 * x, 0) + 0.5;
      assert.ok(Math.abs(averaged - expected) <= slack, `averaged ${averaged} vs Σ w·x ${expected}`);
      assert.match(await table.innerText(), /colin2019[\s\S]*left out[\s\S]*GA/);
      // The what-if opens on candidate 1 and the browser averages it over the same models: the
      // stored averaged exposure again, beside the value of the twin's model (the largest weight).
      await page.waitForFunction(() => {
        const cell = document.querySelector('[data-testid="whatif-averaged"]');
        return !!cell && !cell.textContent!.includes('…');
      });
      const browserAveraged = Number(
        /[\d.]+/.exec(await page.getByTestId('whatif-averaged').first().innerText())![0],
      );
      assert.ok(
        Math.abs(browserAveraged / averaged - 1) < 1e-3,
        `what-if averaged ${browserAveraged} vs stored ${averaged}`,
      );
      // The twin's model is forecast on the drug's targets (the drug file's AUC), as the service did.
      assert.deepEqual(
        await page.getByTestId('whatif-exposure').locator('tbody tr td:first-child').allInnerTexts(),
        [
          'auc24=400..600 mg*h/L',
          await page.getByTestId('whatif-exposure').locator('tbody tr td').last().innerText(),
        ],
      );
      await b.shot('vancomycin-drug-analysis', true);
      // Keep one model: a new analysis with goti2018 alone.
      await page
        .getByRole('button', { name: fill(en.keepModelNamed, { id: 'vancomycin/goti2018' }) })
        .click();
      await page
        .getByRole('heading', { name: /Analysis v2 · vancomycin\/goti2018/ })
        .waitFor({ timeout: 60_000 });
      await page.getByTestId('whatif-exposure').waitFor({ timeout: 60_000 });
      assert.ok((await page.getByTestId('candidates').locator('tbody tr').count()) >= 1);
      assert.equal(await page.getByTestId('drug-models').count(), 0);
      assert.equal(await page.getByText(en.drugLevel, { exact: true }).count(), 0);
      await page.evaluate(() => window.scrollTo(0, 0));
      await b.shot('vancomycin-kept-goti2018');
      noProblems();
    });
  },
);
