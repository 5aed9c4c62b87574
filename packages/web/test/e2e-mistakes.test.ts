// Entry mistakes typed in the forms of a French browser (chromium, locale fr-FR), as a prescriber
// would make them on a vancomycin patient of 70 kg: each is refused with a French message naming
// what is wrong, or held with its warning and a checkbox to confirm it; one confirmed is recorded
// (a level typed in ng/mL), the others leave the record as it was. The same mistakes and many more
// go through the API on both databases in packages/server/src/entry-mistakes.test.ts; this test
// shows what the user sees. Screenshots in artifacts/e2e/mistakes/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { fr } from '../src/i18n/fr.ts';
import { ARTIFACTS, type Bench, localInput, localPhrase, openBench, PASSWORD, skip } from './browser.ts';

const L = fr;
let b: Bench;
const now = Date.now();
const ago = (h: number): Date => new Date(now - h * 3_600_000);

before(async () => {
  if (skip) return;
  b = await openBench(join(ARTIFACTS, 'mistakes'), { locale: 'fr-FR' });
});
after(async () => {
  await b?.close();
});

/** A record over the API with the signed-in user's session (the page's cookie). */
const post = (url: string, body: object): Promise<{ id: string }> =>
  b.page.evaluate(
    async ([u, data]) => {
      const r = await fetch(`/api${u}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(data),
      });
      if (!r.ok) throw new Error(`${u}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    [url, body] as const,
  ) as Promise<{ id: string }>;

/** The text of the alert a form shows once it says `what` (the answer to the last submission). */
const alertOf = async (form: Locator, what: RegExp): Promise<string> => {
  const alert = form.getByRole('alert').filter({ hasText: what });
  await alert.waitFor();
  return alert.innerText();
};

test(
  'entry mistakes in a French browser: each refused or held for confirmation, with a French message naming the field',
  { skip, timeout: 480_000 },
  async () => {
    const { page } = b;
    const shot = (name: string) => b.shot(name, true);
    try {
      await page.goto(b.url);
      await b.signIn('dr.prescriber', L);
      await page.getByRole('textbox', { name: L.familyName, exact: true }).fill('Martin');
      await page.getByRole('textbox', { name: L.givenName, exact: true }).fill('Claire');
      await page.getByLabel(L.birthDate).fill('1966-03-04');
      await page.getByRole('textbox', { name: L.hospitalNumber, exact: true }).fill('H-ERR-01');
      await page.getByRole('combobox', { name: L.sex }).selectOption('female');
      await page.getByRole('button', { name: L.createPatient }).click();
      await page.getByTestId('timeline').waitFor();
      const patientId = /#\/patients\/([^/?]+)/.exec(page.url())![1];

      // The record the mistakes are made on (over the API: what is tested is the mistakes): 70 kg,
      // 60 years, creatinine 80 µmol/L, a 1 g dose 24 h ago, and a vancomycin request, whose
      // drug's bounds every entry is checked against.
      for (const [name, value, unit] of [
        ['WT', 70, 'kg'],
        ['AGE', 60, 'y'],
        ['SCR', 80, 'umol/L'],
        ['SEX', 1, '-'],
        ['DIAL', 0, '-'],
      ] as const)
        await post(`/patients/${patientId}/covariates`, { at: ago(30).toISOString(), name, value, unit });
      const firstDose = ago(24);
      firstDose.setSeconds(0, 0);
      await post(`/patients/${patientId}/administrations`, {
        at: firstDose.toISOString(),
        amount: 1000,
        unit: 'mg',
        route: 'infusion',
        duration: { value: 1, unit: 'h' },
        product: 'vancomycine 1 g',
      });
      await post('/requests', { patientId, modelId: 'vancomycin/goti2018', question: 'AUC24 400-600 ?' });
      await page.reload();
      await page.getByTestId('timeline').waitFor();
      const rowsBefore = await page.getByTestId('timeline').locator('tbody tr').count();

      const cov = page.getByTestId('covariate-form');
      const typeCovariate = async (
        name: string,
        value: string,
        unit: string,
        what: RegExp,
      ): Promise<string> => {
        await cov.getByRole('combobox', { name: L.covariate }).selectOption(name);
        await cov.getByLabel(L.dateTime).fill(localInput(ago(2)));
        await cov.getByRole('textbox', { name: L.value }).fill(value);
        await cov.getByRole('combobox', { name: L.unit }).selectOption(unit);
        await cov.getByRole('button', { name: L.addCovariate }).click();
        return alertOf(cov, what);
      };
      // 1. A weight of 950 kg: refused.
      let said = await typeCovariate('WT', '950', 'kg', /950/);
      assert.match(said, /WT.*950 kg/, said);
      assert.match(said, /entre 0,2 et 650 kg/, said);
      assert.equal(await cov.getByTestId('acknowledge').count(), 0);
      await shot('poids-950-kg');
      // 2. Creatinine 80 with the unit mg/dL (µmol/L meant): refused, the right unit suggested.
      said = await typeCovariate('SCR', '80', 'mg/dL', /80 mg\/dL/);
      assert.match(said, /SCR vaut 80 mg\/dL/, said);
      assert.match(said, /µmol\/L/, said);
      await shot('creatinine-80-mg-dl');
      // 3. Creatinine 9 µmol/L (mg/dL meant): held, the other unit asked about, a box to confirm.
      said = await typeCovariate('SCR', '9', 'umol/L', /9 µmol\/L/);
      assert.match(said, /Créatinine sérique \(SCR\) 9 µmol\/L : valeur inhabituelle/, said);
      assert.match(said, /s’agissait-il de 9 mg\/dL/, said);
      // The service's request to send the codes back is the checkbox's business, not the user's.
      assert.doesNotMatch(said, /acknowledge|DT_ACK_REQUIRED/, said);
      const covAck = cov.getByTestId('acknowledge');
      await covAck.waitFor();
      await cov.getByText(L.acknowledgeEntry).waitFor();
      await shot('creatinine-9-umol-a-confirmer');

      const dose = page.getByTestId('dose-form');
      const typeDose = async (at: Date, amount: string, unit: string, what: RegExp): Promise<string> => {
        await dose.getByLabel(L.dateTime).fill(localInput(at));
        await dose.getByRole('textbox', { name: L.amount }).fill(amount);
        await dose.getByRole('combobox', { name: L.unit, exact: true }).selectOption(unit);
        await dose.getByRole('textbox', { name: L.product }).fill('vancomycine');
        await dose.getByRole('button', { name: L.addDose }).click();
        return alertOf(dose, what);
      };
      // 4. 10 g at once: refused, converted to mg in the message.
      said = await typeDose(ago(12), '10', 'g', /10 g/);
      assert.match(said, /Dose 10 g \(10 000 mg\) : valeur invraisemblable, hors de 1–6 000 mg/, said);
      assert.equal(await dose.getByTestId('acknowledge').count(), 0);
      await shot('dose-10-g');
      // 5. 4 g (57 mg/kg): held, to be confirmed.
      said = await typeDose(ago(12), '4000', 'mg', /4 000 mg/);
      assert.match(said, /Dose 4 000 mg pour 70 kg \(57,1 mg\/kg\) : valeur inhabituelle/, said);
      await dose.getByTestId('acknowledge').waitFor();
      await shot('dose-4-g-a-confirmer');
      // 6. A dose tomorrow: refused, the time named.
      said = await typeDose(new Date(now + 26 * 3_600_000), '1000', 'mg', /futur/);
      assert.match(said, /at : .* est dans le futur/, said);
      await shot('dose-demain');
      // 7. The first dose entered again (same time): refused as already recorded.
      said = await typeDose(firstDose, '1000', 'mg', /déjà/);
      assert.match(said, /une dose est déjà enregistrée/, said);
      await shot('dose-en-double');

      // 8. A level of 15 typed with ng/mL (0.015 mg/L): held, the slip asked about; confirmed, recorded.
      const smp = page.getByTestId('sample-form');
      await smp.getByLabel(L.dateTime).fill(localInput(ago(13)));
      await smp.getByRole('textbox', { name: L.concentration }).fill('15');
      await smp.getByRole('combobox', { name: L.unit, exact: true }).selectOption('ng/mL');
      await smp.getByRole('button', { name: L.addLevel }).click();
      said = await alertOf(smp, /15 ng\/mL/);
      assert.match(said, /Concentration 15 ng\/mL \(0,015 mg\/L\) : valeur inhabituelle/, said);
      assert.match(said, /s’agissait-il de 15 (mg\/L|µg\/mL)/, said);
      const smpAck = smp.getByTestId('acknowledge');
      await smpAck.waitFor();
      await shot('dosage-15-ng-ml-a-confirmer');
      await smpAck.check();
      await smp.getByRole('button', { name: L.addLevel }).click();
      await page.getByTestId('timeline').getByText('15 ng/mL').waitFor();
      assert.equal(await smp.getByRole('alert').count(), 0);
      await shot('dosage-15-ng-ml-confirme');

      // 9. Quick entry, a wrong route: vancomycin by mouth for an IV-only model, refused by the service.
      const quick = page.getByTestId('quick-entry');
      const yesterday8 = ago(24);
      const [day] = localPhrase(yesterday8).split(' ');
      await page.getByLabel(L.quickEntryLabel).fill(`vancomycine 1 g per os le ${day} à 8h`);
      await quick.getByRole('button', { name: /Enregistrer/ }).click();
      said = await alertOf(quick, /orale/);
      assert.match(said, /route : Voie orale/, said);
      await shot('saisie-rapide-per-os');
      // 10. Quick entry, an impossible date: 30 February, refused before anything is sent.
      await page.getByLabel(L.quickEntryLabel).fill('vancomycine 1 g IV en 1 h le 30/02/2026 à 8h');
      const impossible = quick.getByText(/n’est pas une date du calendrier/);
      await impossible.waitFor();
      said = await impossible.innerText();
      assert.match(said, /30\/02\/2026/, said);
      await shot('saisie-rapide-30-fevrier');

      // Only the confirmed level was recorded.
      assert.equal(await page.getByTestId('timeline').locator('tbody tr').count(), rowsBefore + 1);
      // No English text in the messages shown.
      for (const f of [cov, dose, smp, quick]) {
        const t = (await f.getByRole('alert').allInnerTexts()).join(' ');
        assert.doesNotMatch(t, /\b(is|not|the|unusual|plausible|already|future)\b/, t);
      }

      // The pharmacologist's analysis: the level in ng/mL is a thousand times below the fit's
      // prediction, a unit slip; the signature is held until the signer confirms having checked.
      await page.getByRole('button', { name: L.signOut }).click();
      await b.signIn('dr.pharmaco', L);
      await page.goto(`${b.url}/#/patients/${patientId}`);
      await page.getByRole('link', { name: /vancomycin\/goti2018/ }).click();
      await page.getByRole('button', { name: L.analyse }).click();
      await page.getByTestId('whatif-exposure').waitFor({ timeout: 120_000 });
      const blocking = page.getByTestId('blocking-warnings');
      await blocking.waitFor();
      said = await blocking.innerText();
      assert.match(said, /erreur d’unité/, said);
      assert.match(said, /Concentration 15 ng\/mL \(0,015 mg\/L\) : valeur inhabituelle/, said);
      const form = page.getByTestId('validation-form');
      const signWith = async (): Promise<void> => {
        await form.getByRole('button', { name: L.sign }).click();
        const confirm = page.getByTestId('confirm-sign');
        await confirm.getByLabel(L.reauthLabel).fill(PASSWORD);
        await confirm.getByRole('button', { name: L.confirmSign }).click();
        await confirm.waitFor({ state: 'detached' });
      };
      // Signed without confirming: refused, nothing signed.
      await signWith();
      // The service's refusal (beside the list to confirm, which is an alert too).
      const refusal = form
        .getByRole('alert')
        .filter({ hasNot: page.getByTestId('acknowledge-warnings') })
        .filter({ hasText: /erreur d’unité/ });
      await refusal.waitFor();
      said = await refusal.innerText();
      assert.match(said, /samples\[0\]\.value : la concentration 0,015/, said);
      assert.equal(await page.getByTestId('signed').count(), 0);
      await shot('signature-refusee-sans-confirmation');
      await form.getByTestId('acknowledge-warnings').check();
      await shot('signature-avertissements-confirmes');
      await signWith();
      await page.getByTestId('signed').waitFor({ timeout: 60_000 });
      await shot('signe');
    } catch (e) {
      await b.shot('echec', true).catch(() => {});
      throw e;
    }
  },
);
