// The auditor's page in a real browser (Debian's chromium, playwright-core): a prescriber creates a
// patient with an identity and reads it, an administrator is refused the trail; the auditor signs
// in, lands on the audit trail and sees those events by user name and pseudonym, never the name,
// birth date or hospital number; filters by action (the refusals) and by a patient's pseudonym;
// checks the record's integrity; reads it in French. Screenshots go to artifacts/e2e/audit/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, openBench, skip } from './browser.ts';

const IDENTITY = {
  familyName: 'Quennevilliers',
  givenName: 'Rosalinde',
  birthDate: '1948-02-29',
  hospitalNumber: 'HN-AUD-7731',
};

test(
  'the auditor reads the pseudonymised trail: events by user name and pseudonym, filters, integrity; no identity',
  { skip },
  async () => {
    const b = await openBench(join(ARTIFACTS, 'audit'));
    try {
      const { page } = b;
      const presc = await b.account('dr.wardnurse', 'prescriber');
      const call = async (method: string, path: string, auth: string, body?: object) =>
        fetch(`${b.url}/api${path}`, {
          method,
          headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
      const created = await call('POST', '/patients', presc, { identity: IDENTITY, sex: 'female' });
      assert.equal(created.status, 201);
      const patient = (await created.json()) as { id: string; pseudonym: string };
      assert.equal((await call('GET', `/patients/${patient.id}?identity=true`, presc)).status, 200);
      // A prescriber asking for the trail is refused, and the refusal is a row of it.
      assert.equal((await call('GET', '/audit', presc)).status, 403);
      await b.account('dr.auditor', 'auditor');

      await page.goto(b.url);
      await b.signIn('dr.auditor' as 'admin');
      await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
      const rows = page.getByTestId('audit-rows');
      await rows.getByText(patient.pseudonym).first().waitFor();
      const text = await page.locator('body').innerText();
      for (const v of Object.values(IDENTITY)) assert.ok(!text.includes(v), `the audit page shows '${v}'`);
      for (const s of ['dr.wardnurse', 'patient+identity', 'GET /api/audit']) assert.ok(text.includes(s), s);
      await b.shot('audit-trail', true);

      // The refusals only.
      await page.getByLabel('Action').selectOption('deny');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForFunction(() => {
        const badges = [...document.querySelectorAll('[data-testid="audit-rows"] tbody tr td:nth-child(4)')];
        return badges.length > 0 && badges.every((b) => b.textContent === 'deny');
      });
      assert.ok((await rows.innerText()).includes('GET /api/audit'));
      await b.shot('audit-denials');

      // One patient's rows, by a click on its pseudonym.
      await page.getByRole('button', { name: 'Clear' }).click();
      await rows.getByRole('button', { name: patient.pseudonym }).first().click();
      await page.waitForFunction((p) => {
        const cells = [...document.querySelectorAll('[data-testid="audit-rows"] tbody tr td:nth-child(6)')];
        return cells.length >= 2 && cells.every((c) => c.textContent === p);
      }, patient.pseudonym);
      assert.equal(await page.getByLabel('Patient id').inputValue(), patient.id);

      await page.getByRole('button', { name: 'Check now' }).click();
      await page.getByText(/^Intact: \d+ rows/).waitFor();
      await b.shot('audit-patient-integrity', true);
      // In French.
      await page.getByText('FR', { exact: true }).click();
      await page.getByRole('heading', { name: 'Journal d’audit' }).waitFor();
      await page.getByRole('button', { name: 'Filtrer' }).waitFor();
      await b.shot('audit-fr');
      assert.deepEqual(b.problems, []);
    } finally {
      await b.close();
    }
  },
);
