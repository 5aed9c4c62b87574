// Accounts in a real browser (Debian's chromium, playwright-core): the administrator signs in and
// lands on the users page (no 403), creates a pharmacologist, whose one-time password is shown
// once; the new pharmacologist signs in with it, must choose a password, then must set up an
// authenticator (the key read from the page, the code computed as an app would), then runs an
// analysis and signs it with a code of that authenticator, which the signature records (a comment
// rewritten in the database then shows as a signature that does not verify); the
// administrator's users page then shows the account with its second factor. Screenshots go to
// artifacts/e2e/accounts/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { TOTP_PERIOD_S, totpCode } from '@dosetwin/server';
import { sql } from 'kysely';
import { en } from '../src/i18n/en.ts';
import { ARTIFACTS, openBench, PASSWORD, skip } from './browser.ts';

/** A vancomycin request of the ICU prescriber, entered over the API (the workflow test plays it in the UI). */
async function vancomycinRequest(url: string): Promise<string> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'dr.prescriber', password: PASSWORD }),
  });
  assert.equal(login.status, 200);
  const auth = `Bearer ${/dt_session=([^;]+)/.exec(login.headers.getSetCookie().join('\n'))![1]}`;
  const post = async (path: string, body: object): Promise<{ id: string }> => {
    const r = await fetch(`${url}/api${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify(body),
    });
    assert.ok(r.status === 200 || r.status === 201, `${path}: ${r.status} ${await r.clone().text()}`);
    return (await r.json()) as { id: string };
  };
  const ago = (h: number): string => new Date(Date.now() - h * 3_600_000).toISOString();
  const p = await post('/patients', {
    identity: { familyName: 'Martin', givenName: 'Anne', birthDate: '1966-03-14', hospitalNumber: 'H-4411' },
    sex: 'female',
  });
  for (const [name, value, unit] of [
    ['WT', 70, 'kg'],
    ['AGE', 60, 'y'],
    ['SCR', 80, 'umol/L'],
    ['SEX', 1, '-'],
    ['DIAL', 0, '-'],
  ] as const)
    await post(`/patients/${p.id}/covariates`, { at: ago(50), name, value, unit });
  for (const h of [48, 36, 24, 12])
    await post(`/patients/${p.id}/administrations`, {
      at: ago(h),
      amount: 1000,
      unit: 'mg',
      route: 'infusion',
      duration: { value: 1, unit: 'h' },
      product: 'vial 1 g',
    });
  for (const [h, value] of [
    [36.5, 9.8],
    [10.5, 29.5],
  ] as const)
    await post(`/patients/${p.id}/samples`, {
      at: ago(h),
      value,
      unit: 'mg/L',
      matrix: 'serum',
      assay: 'PETINIA',
      lloq: 2,
    });
  const rq = await post('/requests', { patientId: p.id, modelId: 'vancomycin/goti2018', question: 'AUC24?' });
  return rq.id;
}

test(
  'browser: the administrator creates a pharmacologist, who changes the one-time password, sets up TOTP and signs an analysis with a code',
  { skip, timeout: 240_000 },
  async () => {
    const bench = await openBench(join(ARTIFACTS, 'accounts'));
    const { page, problems } = bench;
    try {
      const requestId = await vancomycinRequest(bench.url);

      // The administrator: the users page, not a 403.
      await page.goto(bench.url);
      await bench.signIn('admin');
      const users = page.getByTestId('users');
      await users.waitFor();
      assert.ok(await page.getByTestId('user-dr.pharmaco').isVisible());
      const body = await page.locator('body').innerText();
      assert.doesNotMatch(body, /403|forbidden|DT_AUTH_FORBIDDEN/i);
      await bench.shot('admin-users');

      const form = page.getByTestId('new-user');
      await form.getByLabel(en.username).fill('dr.new');
      await form.getByLabel(en.displayName).fill('Dr New Colleague');
      await form.getByRole('combobox', { name: en.role }).selectOption('pharmacologist');
      await form.getByLabel(en.service).fill('pharmacology');
      await form.getByRole('button', { name: en.createUser }).click();
      const oneTime = (await page.getByTestId('one-time-value').innerText()).trim();
      assert.match(oneTime, /^[A-Za-z0-9_-]{22}$/);
      await page.getByTestId('user-dr.new').waitFor();
      assert.match(await page.getByTestId('user-dr.new').innerText(), new RegExp(en.mustChange, 'i'));
      await bench.shot('admin-created-user');
      await page.getByRole('button', { name: en.signOut }).click();

      // The new pharmacologist: the one-time password opens only the change of password.
      await page.getByLabel(en.username).fill('dr.new');
      await page.getByRole('textbox', { name: en.password }).fill(oneTime);
      await page.getByRole('button', { name: en.signIn }).click();
      const pending = page.getByTestId('pending-password');
      await pending.waitFor();
      await bench.shot('must-change-password');
      const newPassword = 'my own long passphrase';
      await pending.getByRole('textbox', { name: en.currentPassword }).fill(oneTime);
      // A password the policy refuses first: the service says why, in the form.
      await pending.getByRole('textbox', { name: en.newPassword, exact: true }).fill('password1234');
      await pending.getByRole('textbox', { name: en.repeatPassword }).fill('password1234');
      await pending.getByRole('button', { name: en.changePassword }).click();
      await pending
        .getByRole('alert')
        .filter({ hasText: /common/ })
        .waitFor();
      await bench.shot('password-refused');
      await pending.getByRole('textbox', { name: en.currentPassword }).fill(oneTime);
      await pending.getByRole('textbox', { name: en.newPassword, exact: true }).fill(newPassword);
      await pending.getByRole('textbox', { name: en.repeatPassword }).fill(newPassword);
      await pending.getByRole('button', { name: en.changePassword }).click();

      // Then the authenticator: the key shown, a code computed from it as an app would.
      const totp = page.getByTestId('pending-totp');
      await totp.waitFor();
      await totp.getByRole('button', { name: en.totpStart }).click();
      const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
      assert.match(secret, /^[A-Z2-7]{32}$/);
      await bench.shot('totp-setup');
      const enrolledAt = Date.now() / 1000;
      await totp.getByRole('textbox', { name: en.totpCode }).fill(await totpCode(secret, enrolledAt));
      await totp.getByRole('button', { name: en.totpConfirm }).click();
      await page.getByTestId('whoami').waitFor();
      assert.match(await page.getByTestId('whoami').innerText(), /Dr New Colleague/);

      // Analyse and sign with the authenticator's next code (each code is accepted once).
      await page.goto(`${bench.url}/#/requests/${requestId}`);
      await page.getByRole('button', { name: en.analyse }).click();
      await page.getByTestId('candidates').waitFor({ timeout: 90_000 });
      await page.waitForFunction(() => !document.body.innerText.includes('…'), null, { timeout: 60_000 });
      const vform = page.getByTestId('validation-form');
      await vform.getByRole('radio', { name: en.decision_accept }).check();
      await vform.getByRole('button', { name: en.sign }).click();
      const confirm = page.getByTestId('confirm-sign');
      await confirm.waitFor();
      await confirm
        .getByLabel(en.reauthLabel)
        .fill(await totpCode(secret, Math.max(Date.now() / 1000, enrolledAt + TOTP_PERIOD_S)));
      await bench.shot('sign-with-code');
      await confirm.getByRole('button', { name: en.confirmSign }).click();
      await page.getByTestId('signed').waitFor({ timeout: 60_000 });
      await bench.shot('signed-with-code');

      // The signature records how the signer re-authenticated: the code.
      const me = await page.evaluate(async (rid) => {
        const r = await fetch(`/api/requests/${rid}`);
        const d = (await r.json()) as { analyses: { id: string }[] };
        const a = await fetch(`/api/analyses/${d.analyses[d.analyses.length - 1].id}`);
        return (await a.json()) as { validation: { reauth: string; signedBy: string } | null };
      }, requestId);
      assert.equal(me.validation?.reauth, 'totp');

      // Someone with access to the database rewrites the signed comment (the append-only triggers
      // set aside): the analysis view says the signature does not verify.
      const triggers = (
        await sql<{ name: string; sql: string }>`SELECT name, sql FROM sqlite_master
          WHERE type = 'trigger' AND tbl_name = 'validations'`.execute(bench.db.db)
      ).rows;
      for (const tr of triggers) await sql`DROP TRIGGER ${sql.id(tr.name)}`.execute(bench.db.db);
      await bench.db.db.updateTable('validations').set({ comment: 'approved by phone' }).execute();
      for (const tr of triggers) await sql.raw(tr.sql).execute(bench.db.db);
      await page.reload();
      const alert = page.getByTestId('signature-not-verified');
      await alert.waitFor({ timeout: 60_000 });
      assert.equal(await alert.innerText(), en.signatureNotVerified_invalid);
      assert.equal(await page.getByTestId('report-link').count(), 0, 'no link to a report refused');
      await alert.scrollIntoViewIfNeeded();
      await bench.shot('signature-not-verified');
      await page.getByRole('button', { name: en.signOut }).click();

      // The administrator sees the account set up: its own password, the second factor.
      await bench.signIn('admin');
      const row = page.getByTestId('user-dr.new');
      await row.waitFor();
      const text = await row.innerText();
      assert.match(text, new RegExp(en.twoFactor, 'i'));
      assert.doesNotMatch(text, new RegExp(en.mustChange, 'i'));
      await bench.shot('admin-users-after');

      // The service no longer knows the session (here its cookie is gone, as after an idle
      // timeout or a revocation): the next request sends the app back to the sign-in page, saying why.
      await bench.ctx.clearCookies();
      await page.getByRole('link', { name: en.account }).click();
      await page.getByTestId('session-ended').waitFor();
      assert.equal(await page.getByTestId('whoami').count(), 0);
      await bench.shot('session-ended');

      // The auditor's trail shows the new account's signature, with its re-authentication, by user
      // name and pseudonym: never the patient's name, birth date or hospital number.
      await bench.account('dr.audit', 'auditor');
      await bench.signIn('dr.audit' as 'admin');
      await page.getByRole('heading', { name: en.auditTrail }).waitFor();
      await page.getByLabel(en.auditAction).selectOption('validate');
      await page.getByRole('button', { name: en.auditFilter }).click();
      const trail = page.getByTestId('audit-rows');
      await trail.getByText('dr.new').first().waitFor();
      const seen = await trail.innerText();
      assert.match(seen, /validate/);
      assert.match(seen, /totp/);
      for (const v of ['Martin', 'Anne', '1966-03-14', '14/03/1966', 'H-4411'])
        assert.ok(!seen.includes(v), `the audit trail shows '${v}'`);
      await bench.shot('auditor-sees-signature', true);

      // The refusals provoked (the common password, the ended session) are the only failed requests.
      assert.deepEqual(
        problems.filter(
          (p) =>
            !/status of 422 .*\/api\/auth\/password\)$/.test(p) &&
            !/status of 401 .*\/api\/auth\/sessions\)$/.test(p),
        ),
        [],
      );
    } finally {
      await bench.close();
    }
  },
);
