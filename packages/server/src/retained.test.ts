// What is signed is what was shown: the stored analysis carries each candidate's PTA and the
// forecast's credible band; a decision stores the retained regimen's forecast, band, metrics and
// PTA, and the report (HTML and PDF) prints them. Everything is recomputed here from the stored
// inputs by the models library, and must be equal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyse, evaluateRetained, type Regimen } from '@dosetwin/models';
import type { Analysis, StoredInputs, Validation } from './contract/index.ts';
import { pdfText } from './pdf-text.ts';
import { caller, REAUTH, testApp, userWithToken, vancomycinRequest, type TestApp } from './test-support.ts';

/** The stored inputs as the library's analysis inputs (what it was computed from). */
const inputsOf = (i: StoredInputs) => ({
  patientId: i.patientId,
  modelId: i.modelId,
  administrations: i.administrations,
  samples: i.samples,
  covariates: i.covariates,
  targets: i.targets,
  start: null,
});

describe('signed = shown: PTA, credible band and the retained regimen, recomputed from the stored inputs', () => {
  let t: TestApp;
  let presc: string;
  let pharm: string;
  before(async () => {
    t = await testApp('sqlite');
    presc = (await userWithToken(t.app, 'prescriber', 'icu')).auth;
    pharm = (await userWithToken(t.app, 'pharmacologist', 'pharmacology')).auth;
  });
  after(async () => t?.close());
  const call = (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    caller(t.app).ok(auth, method, url, payload);

  test('vancomycin, modify → 1250 mg every 12 h: stored analysis and decision = the library on the stored inputs; the report prints them', async () => {
    const { requestId } = await vancomycinRequest(t.app, presc, {
      identity: {
        familyName: 'Signed',
        givenName: 'Shown',
        birthDate: '1960-05-06',
        hospitalNumber: 'SIGN-1',
      },
    });
    const rq = { id: requestId };
    const a: Analysis = (await call(pharm, 'POST', `/api/requests/${rq.id}/analyses`, {})).json();

    // The stored analysis = the library's analysis of the stored inputs (candidates, PTA, band).
    const again = analyse(inputsOf(a.inputs));
    assert.deepEqual(a.candidates, again.candidates);
    assert.ok(a.candidates.every((c) => c.pta !== null && c.pta.draws === 200));
    assert.deepEqual(a.forecast, again.forecast);
    assert.ok(a.forecast!.band.lo.length > 50 && a.forecast!.band.draws === 100);

    // Modify: the regimen retained is evaluated and signed with the decision.
    const retained: Regimen = {
      dose: { value: 1250, unit: 'mg' },
      interval: { value: 12, unit: 'h' },
      route: 'infusion',
      duration: { value: 90, unit: 'min' },
      start: a.candidates[0].regimen.start,
      loading: null,
    };
    const v: Validation = (
      await call(pharm, 'POST', `/api/analyses/${a.id}/validations`, {
        ...REAUTH,
        decision: 'modify',
        comment: 'AUC24 on target with 1250 mg every 12 h',
        regimen: retained,
        // 1250 mg over 90 min is 13.9 mg/min, above the label's 10 mg/min: confirmed, and stored.
        acknowledge: ['DT_REGIMEN_UNUSUAL'],
      })
    ).json();
    assert.deepEqual(
      v.acknowledged.map((i) => [i.code, i.field]),
      [['DT_REGIMEN_UNUSUAL', 'regimen.duration']],
    );
    assert.deepEqual(v.regimen, retained);
    const shown = evaluateRetained(inputsOf(a.inputs), retained);
    assert.deepEqual(v.evaluation!.forecast, shown.forecast);
    assert.deepEqual(v.evaluation!.pta, shown.pta);
    assert.deepEqual(v.evaluation!.metrics, shown.forecast.metrics);
    // Reading it back gives the same.
    const back: Analysis = (await call(pharm, 'GET', `/api/analyses/${a.id}`)).json();
    // … with the signature checked as it is read (the POST's answer is the row as signed).
    const { verified, ...asSigned } = back.validation!;
    assert.deepEqual(asSigned, v);
    assert.equal(verified?.status, 'valid');

    // The report prints the candidates' PTA, the retained regimen, its PTA and its band.
    const pct = (x: number): string => `${Math.round(100 * x)} %`;
    const g = (x: number): string => String(Number(x.toPrecision(4)));
    const html = (await call(presc, 'GET', `/api/requests/${rq.id}/report`)).body;
    const pdf = (
      await pdfText((await call(presc, 'GET', `/api/requests/${rq.id}/report?format=pdf`)).rawPayload)
    ).pages
      .join(' ')
      .replace(/\s+/g, ' ');
    const f = shown.forecast;
    const k = f.band.times.findIndex((x) => x >= f.startMs);
    for (const s of [
      `; PTA ${pct(a.candidates[0].pta!.all)}`,
      '1250 mg IV infusion over 90 min every 12 h',
      `PTA (all targets)`,
      pct(shown.pta!.all),
      `AUC24 400–600 mg·h/L`,
      `${g(shown.forecast.metrics[0].value)} (`,
      `90 % credible band (mg/L, 100 draws) after the first new dose`,
      `[${g(f.band.lo[k])}; ${g(f.band.hi[k])}]`,
    ]) {
      assert.ok(html.includes(s), `HTML report lacks '${s}'`);
      assert.ok(pdf.includes(s), `PDF report lacks '${s}'`);
    }
    // The retained regimen's PTA is in its column of the exposure table, beside the PTA row's label.
    assert.match(
      html,
      // (marked ⚠ when below the threshold the candidates' PTA is read against)
      new RegExp(`<td>PTA \\(all targets\\)</td>(<td>[^<]*</td>)?<td>${pct(shown.pta!.all)}( ⚠)?</td></tr>`),
    );
  });
});
