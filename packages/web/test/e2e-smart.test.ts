// Acceptance of the health-record work, in a real browser (chromium): the EHR launches dosetwin
// (SMART App Launch, oidc-provider as the EHR's authorization server, Medplum's FHIR router as its
// FHIR server, seeded with the synthetic vancomycin ICU patient, accepting only tokens the EHR
// issued); the app opens on that patient, whose doses, levels and covariates come from the record
// by the import action (nothing typed), with the conversions and the refusals shown; a
// pharmacologist analyses and signs; the prescriber sends the decision to the record, and the FHIR
// server then holds the DiagnosticReport (the signed PDF), the MedicationRequest (the signed dose)
// and the Provenance (the signer). Screenshots in English and French: artifacts/e2e/smart/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Bundle, DiagnosticReport, MedicationRequest, Provenance } from '@medplum/fhirtypes';
import { startFhirServer, type FhirTestServer } from '../../server/src/fhir/fhir-test-server.ts';
import { startTestEhr, type TestEhr } from '../../server/src/smart/smart-test-ehr.ts';
import { fr } from '../src/i18n/fr.ts';
import { ARTIFACTS, openBench, PASSWORD, skip } from './browser.ts';

const fixture = (name: string): Bundle =>
  JSON.parse(
    readFileSync(new URL(`../../models/src/fhir/fixtures/${name}.json`, import.meta.url), 'utf8'),
  ) as Bundle;

/** A free port: the service's address is its SMART redirect URI, registered at the EHR first. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

// The test reads the FHIR server as a system with its own key; dosetwin has only the EHR's tokens.
const READER = 'test-reader-key';

test(
  'browser: EHR launch → vancomycin patient imported from the record (nothing typed) → analysis → signed → DiagnosticReport, MedicationRequest, Provenance on the FHIR server',
  { skip, timeout: 300_000 },
  async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const options: Parameters<typeof startFhirServer>[0] = { seed: [fixture('vancomycin-icu')] };
    let fhir: FhirTestServer | null = null;
    let ehr: TestEhr | null = null;
    const env = { ...process.env };
    let bench: Awaited<ReturnType<typeof openBench>> | null = null;
    try {
      fhir = await startFhirServer(options);
      const e = await startTestEhr({
        fhirBase: fhir.url,
        redirectUri: `${base}/smart/callback`,
        launches: { 'launch-7': 'vanco-icu-1' },
        standalonePatient: 'vanco-icu-1',
      });
      ehr = e;
      options.smartConfiguration = e.smartConfiguration;
      options.requireToken = async (token) => token === READER || (await e.verify(token)) !== null;
      // dosetwin registered at this EHR, as its README says (no FHIR server of its own).
      Object.assign(process.env, {
        DOSETWIN_SMART_CLIENT_ID: 'dosetwin',
        DOSETWIN_PUBLIC_URL: base,
        DOSETWIN_SMART_SERVERS: fhir.url,
      });
      delete process.env.DOSETWIN_FHIR_URL;
      bench = await openBench(join(ARTIFACTS, 'smart'), { port });
      const b = bench;
      const { page, problems, signIn } = b;
      const shot = (name: string): Promise<void> => b.shot(name, true);
      const toFrench = async (): Promise<void> => {
        await page.getByText('FR', { exact: true }).click();
        await page.getByRole('link', { name: 'Demandes' }).waitFor();
      };
      const toEnglish = async (): Promise<void> => {
        await page.getByText('EN', { exact: true }).click();
        await page.getByRole('link', { name: 'Requests' }).waitFor();
      };

      // The prescriber, signed in to dosetwin, opens it from the EHR on the patient in context.
      await page.goto(base);
      await signIn('dr.prescriber');
      await page.goto(`${base}/smart/launch?iss=${encodeURIComponent(fhir.url)}&launch=launch-7`);
      await page.waitForURL(/#\/patients\/[\w-]+$/);
      const patientId = page.url().split('/').pop()!;
      const header = page.getByTestId('patient-header');
      await header.getByText('MARTIN').waitFor();
      assert.match(await header.innerText(), /ICU-20261110-01/);
      // Nothing in the record yet: everything comes from the import.
      assert.doesNotMatch(await page.getByTestId('timeline').innerText(), /\b(mg|kg|cm|umol\/L)\b/);
      const card = page.getByTestId('fhir-import');
      await card.getByRole('combobox', { name: 'Drug' }).selectOption('vancomycin');
      const before = fhir.log.length;
      await card.getByRole('button', { name: 'Import from the health record' }).click();
      const result = page.getByTestId('fhir-import-result');
      await result.waitFor({ timeout: 30_000 });
      // 3 doses, 2 levels, 6 covariates (weight, height, 2 creatinines; age and sex from the
      // Patient): created; the rest refused.
      const taken = await result.getByTestId('fhir-taken').locator('tbody tr').allInnerTexts();
      assert.equal(taken.length, 11, taken.join('\n'));
      assert.ok(
        taken.every((r) => /\tcreated$/.test(r)),
        taken.join('\n'),
      );
      assert.equal(taken.filter((r) => /\tdose\t/.test(r)).length, 3);
      assert.equal(taken.filter((r) => /\tlevel\t/.test(r)).length, 2);
      assert.equal(taken.filter((r) => /\tcovariate\t/.test(r)).length, 6);
      const row = (resource: string): string => taken.find((r) => r.startsWith(`${resource}\t`))!;
      assert.match(row('MedicationAdministration/vi-d1'), /\t2000 mg \/ 2 h · /);
      // Kept in the unit of the record (µg/mL), its conversion to mg/L listed below.
      assert.match(row('Observation/vi-c2'), /\t31 µg\/mL · /);
      assert.match(row('Observation/vi-wt'), /\tWT = 82 kg · /);
      // Each conversion shown: the creatinine in mg/dL to the register's µmol/L (1.4 mg/dL =
      // 123.8 µmol/L at 88.42 µmol/L per mg/dL), an infusion's duration from its rate, the age.
      const conversions = await result.getByTestId('fhir-conversions').innerText();
      assert.match(conversions, /Observation\/vi-scr1 · valueQuantity: 1\.4 mg\/dL → 123\.7\d* umol\/L/);
      assert.match(conversions, /MedicationAdministration\/vi-d3 · dosage\.rateQuantity: /);
      assert.match(conversions, /Patient\/vanco-icu-1 · birthDate: /);
      // Refused, each with its reason: the heart rate (no mapping), a level without a unit, a level
      // dated without a time, a dose in mL without a concentration.
      const refused = await result.getByTestId('fhir-refused').innerText();
      for (const r of ['vi-hr', 'vi-c3', 'vi-c4', 'vi-d4']) assert.match(refused, new RegExp(r));
      // Every request to the FHIR server carried a token the EHR issued for this launch.
      for (const x of fhir.log.slice(before))
        assert.notEqual(await e.verify(x.authorization!.slice(7)), null, x.url);
      // The timeline holds what was taken.
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=timeline] tbody tr').length === 11,
      );
      await shot('imported-en');
      await toFrench();
      await page.getByRole('button', { name: fr.fh_import }).waitFor();
      assert.match(await result.innerText(), /Conversions d’unités/);
      await shot('imported-fr');
      await toEnglish();

      // The request: all the library's vancomycin models.
      await page.getByTestId('request-subject').selectOption('drug:vancomycin');
      await page.getByRole('button', { name: 'Submit the request' }).click();
      await page.getByRole('link', { name: /vancomycin \(/ }).waitFor();
      // Signing out ends the EHR's grant: revoked at the EHR (its tokens no longer verify).
      const grantedTokens = [...new Set(fhir.log.slice(before).map((x) => x.authorization!.slice(7)))];
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('User name').waitFor();
      for (const token of grantedTokens) assert.equal(await e.verify(token), null, 'revoked at sign-out');

      // The pharmacologist analyses and signs (accepting candidate 1).
      await signIn('dr.pharmaco');
      await page.getByRole('link', { name: 'Requests' }).click();
      await page.locator('a[href^="#/requests/"]').first().click();
      await page.getByRole('button', { name: 'Run the analysis' }).click();
      await page.getByTestId('whatif-exposure').waitFor({ timeout: 90_000 });
      await page.waitForFunction(() => !document.body.innerText.includes('…'), null, { timeout: 90_000 });
      const analysisId = page.url().split('/').pop()!;
      await page.getByRole('radio', { name: 'Accept' }).check();
      const form = page.getByTestId('validation-form');
      await form.getByLabel('Comment').fill('Imported from the record; candidate 1.');
      for (const box of await form.locator('input[type=checkbox]').all()) await box.check();
      await form.getByRole('button', { name: 'Sign' }).click();
      const confirm = page.getByTestId('confirm-sign');
      await confirm.getByLabel('Your password or authenticator code').fill(PASSWORD);
      await confirm.getByRole('button', { name: 'Sign the decision' }).click();
      await page.getByTestId('signed').waitFor();
      const analysis = (await page.evaluate(
        async (id) => (await fetch(`/api/analyses/${id}`)).json(),
        analysisId,
      )) as {
        validation: {
          signer: string;
          regimen: { dose: { value: number; unit: string }; interval: { value: number; unit: string } };
        };
        patientId: string;
      };
      // The analysis is the launched patient's.
      assert.equal(analysis.patientId, patientId);
      const signedDose = analysis.validation.regimen.dose;
      await page.getByRole('button', { name: 'Sign out' }).click();

      // The prescriber, back in dosetwin from the EHR (a new launch, a new grant), sends the
      // signed decision to the record.
      await signIn('dr.prescriber');
      await page.goto(`${base}/smart/launch?iss=${encodeURIComponent(fhir.url)}&launch=launch-7`);
      await page.waitForURL(new RegExp(`#/patients/${patientId}$`));
      await page.goto(`${base}/#/analyses/${analysisId}`);
      await page.getByTestId('signed').waitFor();
      const sent = fhir.log.length;
      await page.getByRole('button', { name: 'Send to the health record' }).click();
      const written = page.getByTestId('fhir-written');
      await written.waitFor({ timeout: 30_000 });
      const refs = (await written.innerText()).match(
        /(DiagnosticReport|MedicationRequest|Provenance)\/[\w-]+/g,
      )!;
      assert.deepEqual(
        refs.map((r) => r.split('/')[0]),
        ['DiagnosticReport', 'MedicationRequest', 'Provenance'],
      );
      for (const x of fhir.log.slice(sent))
        assert.notEqual(await e.verify(x.authorization!.slice(7)), null, x.url);
      await shot('written-en');
      await toFrench();
      await page
        .getByTestId('fhir-written')
        .getByText(/Écrit sur/)
        .waitFor();
      await shot('written-fr');
      await toEnglish();

      // What the FHIR server holds for the patient, searched as any other client of it would.
      const search = async <T>(type: string): Promise<T[]> => {
        const r = await fetch(`${fhir!.url}/${type}?subject=Patient/vanco-icu-1`, {
          headers: { authorization: `Bearer ${READER}` },
        });
        assert.equal(r.status, 200, type);
        return ((await r.json()) as Bundle).entry?.map((x) => x.resource as T) ?? [];
      };
      const reports = await search<DiagnosticReport>('DiagnosticReport');
      assert.equal(reports.length, 1);
      assert.equal(`DiagnosticReport/${reports[0].id}`, refs[0]);
      assert.equal(reports[0].status, 'final');
      const form0 = reports[0].presentedForm![0];
      assert.equal(form0.contentType, 'application/pdf');
      const pdf = Buffer.from(form0.data!, 'base64');
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.ok(pdf.length > 5000, `PDF of ${pdf.length} bytes`);
      const orders = await search<MedicationRequest>('MedicationRequest');
      assert.equal(orders.length, 1);
      assert.equal(`MedicationRequest/${orders[0].id}`, refs[1]);
      assert.equal(orders[0].intent, 'proposal');
      const di = orders[0].dosageInstruction![0];
      assert.equal(di.doseAndRate![0].doseQuantity!.value, signedDose.value);
      assert.equal(di.doseAndRate![0].doseQuantity!.code, signedDose.unit);
      assert.equal(orders[0].requester?.display, 'Dr pharmaco');
      const prov = (await (
        await fetch(`${fhir.url}/${refs[2]}`, { headers: { authorization: `Bearer ${READER}` } })
      ).json()) as Provenance;
      assert.deepEqual(
        prov.target.map((x) => x.reference),
        [refs[0], refs[1]],
      );
      assert.equal(prov.agent[0].who.display, 'Dr pharmaco');
      assert.equal(prov.agent[0].who.identifier?.value, 'dr.pharmaco');
      assert.deepEqual(problems, []);
    } finally {
      await bench?.close();
      await ehr?.close();
      await fhir?.close();
      for (const k of ['DOSETWIN_SMART_CLIENT_ID', 'DOSETWIN_PUBLIC_URL', 'DOSETWIN_SMART_SERVERS'])
        if (env[k] === undefined) delete process.env[k];
        else process.env[k] = env[k];
      if (env.DOSETWIN_FHIR_URL !== undefined) process.env.DOSETWIN_FHIR_URL = env.DOSETWIN_FHIR_URL;
    }
  },
);
