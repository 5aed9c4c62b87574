// Local model versions in a real browser, in English then in French: 12 simulated vancomycin
// patients with 0.6 × Thomson 2009's clearance entered over the API; dr.pharmaco proposes a local
// version on the Local models page (its parameters, predictive check, bias audit, goodness-of-fit,
// VPC, pcVPC and individual fits drawn from the service's numbers), cannot approve it himself,
// dr.second approves it, and an analysis then uses it and says which version. Screenshots go to
// artifacts/e2e/local-models/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simulatedHospital } from '@dosetwin/models';
import type { LocalModel } from '@dosetwin/server/contract';
import { en } from '../src/i18n/en.ts';
import { fr } from '../src/i18n/fr.ts';
import { ARTIFACTS, type Bench, openBench, PASSWORD, skip } from './browser.ts';

type Dict = typeof en;

describe(
  'browser: local model versions (propose, four-eyes approval, used by an analysis), EN and FR',
  { skip, timeout: 900_000 },
  () => {
    let b: Bench;
    let loader = '';
    const requests: string[] = [];
    before(async () => {
      b = await openBench(join(ARTIFACTS, 'local-models'));
      loader = await b.account('dr.loader', 'pharmacologist');
      const post = async (url: string, body: object): Promise<{ id: string }> => {
        const r = await fetch(`${b.url}/api${url}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: loader },
          body: JSON.stringify(body),
        });
        assert.ok(r.ok, `${url}: ${r.status} ${await r.clone().text()}`);
        return (await r.json()) as { id: string };
      };
      for (const [i, r] of simulatedHospital({ patients: 12, seed: 5, clearanceFactor: 0.6 }).entries()) {
        const p = await post('/patients', {
          identity: {
            familyName: `LOCAL${i + 1}`,
            givenName: 'Sim',
            birthDate: '1960-01-01',
            hospitalNumber: `LM-${i + 1}`,
          },
          sex: i % 2 ? 'female' : 'male',
          service: r.attributes.WARD,
        });
        for (const c of r.covariates) await post(`/patients/${p.id}/covariates`, c);
        for (const a of r.administrations) await post(`/patients/${p.id}/administrations`, a);
        for (const { lloq: _, ...s } of r.samples) await post(`/patients/${p.id}/samples`, s);
        requests.push(
          (await post('/requests', { patientId: p.id, modelId: 'vancomycin/thomson2009', question: '' })).id,
        );
      }
      await b.page.goto(b.url);
    });
    after(async () => b?.close());

    const language = async (L: Dict): Promise<void> => {
      const want = L === fr ? 'fr' : 'en';
      if ((await b.page.locator('html').getAttribute('lang')) !== want) {
        await b.page.getByText(want.toUpperCase(), { exact: true }).click();
        await b.page.locator(`html[lang="${want}"]`).waitFor({ state: 'attached' });
      }
    };
    const as = async (user: 'dr.pharmaco' | 'dr.second', L: Dict): Promise<void> => {
      await b.page.goto(`${b.url}/#/`);
      await language(L);
      const out = b.page.getByRole('button', { name: new RegExp(`^(${en.signOut}|${fr.signOut})$`) });
      if (await out.count()) await out.click();
      await b.signIn(user, L);
    };
    const stored = async (id: string): Promise<LocalModel> =>
      (await (
        await fetch(`${b.url}/api/local-models/${id}`, { headers: { authorization: loader } })
      ).json()) as LocalModel;

    /** dr.pharmaco proposes (TVCL estimated), sees the evidence, and cannot approve his own proposal. */
    const propose = async (L: Dict, n: number): Promise<string> => {
      const { page } = b;
      await as('dr.pharmaco', L);
      await page.getByRole('link', { name: L.lm_nav }).click();
      await page.getByTestId('lm-estimate').fill('TVCL');
      await page.getByTestId('lm-propose-submit').click();
      await page.getByTestId('lm-status').waitFor({ timeout: 240_000 });
      assert.equal(await page.getByTestId('lm-status').textContent(), L.lm_status_proposed);
      const id = /#\/local-models\/(.+)$/.exec(page.url())![1];
      const m = await stored(id);
      assert.equal(m.version, n);
      // The page shows the service's numbers: TVCL published 2.99 L/h and its local estimate (4 digits).
      const tvcl = m.evidence.parameters.find((p) => p.name === 'TVCL')!;
      assert.ok(tvcl.local < 2.6, `TVCL ${tvcl.local}`);
      const loc = L === fr ? 'fr-FR' : 'en-GB';
      const row = await page.getByTestId('lm-parameters').locator('tr', { hasText: /^TVCL/ }).allInnerTexts();
      assert.match(
        row.join(' '),
        new RegExp(
          `${(2.99).toLocaleString(loc)} L/h\\s+${Number(tvcl.local.toPrecision(4)).toLocaleString(loc, { maximumSignificantDigits: 4 })} L/h`,
        ),
      );
      assert.equal(await page.getByTestId('lm-check').locator('tbody tr').count(), 2);
      const bias = (x: number) =>
        `${(100 * x).toLocaleString(loc, { maximumFractionDigits: 1, minimumFractionDigits: 1 })} %`;
      const check = await page.getByTestId('lm-check').innerText();
      assert.ok(check.includes(bias(m.evidence.predictiveCheck.published.bias)), check);
      assert.ok(check.includes(bias(m.evidence.predictiveCheck.updated.bias)), check);
      // Every plot drawn: 4 goodness-of-fit, VPC and pcVPC, an individual fit per fitted patient (6 at most).
      for (const t of ['gof-dv-pred', 'gof-dv-ipred', 'gof-cwres-time', 'gof-cwres-pred', 'vpc', 'pcvpc'])
        await page.getByTestId(t).locator('canvas').waitFor();
      assert.equal(
        await page.getByTestId('lm-individual').locator('canvas').count(),
        Math.min(6, m.evidence.patients.fitted),
      );
      await b.shot(`proposed-${L === fr ? 'fr' : 'en'}`, true);
      // Four eyes: the proposer's approval is refused, in the page's language. Approving is
      // re-authenticated as a signature: the button waits for the password.
      assert.equal(await page.getByTestId('lm-approve').isDisabled(), true);
      await page.getByTestId('lm-reauth').fill(PASSWORD);
      await page.getByTestId('lm-approve').click();
      await page
        .getByText(
          L === fr ? /un autre pharmacologue doit l’approuver/ : /another pharmacologist must approve it/,
        )
        .waitFor();
      assert.equal(await page.getByTestId('lm-status').textContent(), L.lm_status_proposed);
      await b.shot(`self-approval-refused-${L === fr ? 'fr' : 'en'}`);
      return id;
    };

    /** dr.second approves; then dr.pharmaco's analysis uses the version and says so. */
    const approveAndAnalyse = async (L: Dict, id: string, n: number, request: string): Promise<void> => {
      const { page } = b;
      await as('dr.second', L);
      await page.goto(`${b.url}/#/local-models/${id}`);
      await page
        .getByTestId('lm-note')
        .fill(L === fr ? 'biais réduit sur les patients mis de côté' : 'lower bias on held-out patients');
      await page.getByTestId('lm-reauth').fill(PASSWORD);
      await page.getByTestId('lm-approve').click();
      await page.getByTestId('lm-status').getByText(L.lm_status_approved).waitFor();
      assert.match(await page.getByTestId('lm-decided').innerText(), /Dr second/);
      await b.shot(`approved-${L === fr ? 'fr' : 'en'}`);
      const m = await stored(id);
      assert.equal(m.status, 'approved');
      assert.equal(m.inForce, true);
      await as('dr.pharmaco', L);
      await page.goto(`${b.url}/#/requests/${request}`);
      await page.getByRole('button', { name: L.analyse }).click();
      const used = page.getByTestId('analysis-local-model');
      await used.waitFor({ timeout: 120_000 });
      const text = await used.innerText();
      assert.match(
        text,
        L === fr
          ? new RegExp(
              `^Version locale ${n} du modèle \\(1\\.0\\.0\\+local\\.${n}\\), approuvée par Dr second le `,
            )
          : new RegExp(
              `^Local version ${n} of the model \\(1\\.0\\.0\\+local\\.${n}\\), approved by Dr second on `,
            ),
      );
      await page.waitForFunction(() => !document.body.innerText.includes('…'), null, { timeout: 60_000 });
      await b.shot(`analysis-${L === fr ? 'fr' : 'en'}`);
      // The page's own twin (the what-if, in the worker) is built from the same local version:
      // its model card names it.
      await page.getByRole('button', { name: L.modelCard }).click();
      await page
        .getByText(new RegExp(`vancomycin/thomson2009\\s+version 1\\.0\\.0\\+local\\.${n}\\b`))
        .first()
        .waitFor();
      await page.keyboard.press('Escape');
    };

    /** The page errors, but the 403 the browser logs for the proposer's refused approval (asserted above). */
    const unexpected = (): string[] =>
      b.problems.filter((p) => !/status of 403 .*\/api\/local-models\/[^/]+\/decisions\)$/.test(p));

    test('English: proposed by dr.pharmaco, refused to himself, approved by dr.second, used by the next analysis', async () => {
      const id = await propose(en, 1);
      await approveAndAnalyse(en, id, 1, requests[0]);
      assert.deepEqual(unexpected(), []);
    });

    test('French: a second version proposed, approved, in force (the first retired), used by the next analysis', async () => {
      const id = await propose(fr, 2);
      await approveAndAnalyse(fr, id, 2, requests[1]);
      const list = (await (
        await fetch(`${b.url}/api/local-models`, { headers: { authorization: loader } })
      ).json()) as {
        version: number;
        status: string;
      }[];
      assert.deepEqual(
        list.map((x) => [x.version, x.status]),
        [
          [2, 'approved'],
          [1, 'retired'],
        ],
      );
      assert.deepEqual(unexpected(), []);
    });
  },
);
