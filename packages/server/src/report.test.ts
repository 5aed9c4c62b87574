// The report for the medical record, read back as a reader reads it (pdf.js's text extraction):
// the French A4 PDF carries the identity (name, birth name, birth date, sex, hospital number), the
// prescriber and service, every time local to Europe/Paris with its offset and none in UTC, the
// vector chart, the individual parameters with units and the terminal half-life (recomputed here
// from the 2-compartment closed form), the current regimen beside the retained one, PTA explained,
// and "Validé par" for a modification; a rejection reads "Rejeté par" / "Rejected by". Fixed clinical
// times in November (UTC+01:00 in Paris), so every local time is written out by hand.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MET_MEANING, PTA_MEANING, rankingRule } from '@dosetwin/models';
import type { Analysis } from './contract/index.ts';
import { pdfText } from './pdf-text.ts';
import {
  backends,
  caller,
  REAUTH,
  testApp,
  type TestApp,
  userWithToken,
  vancomycinRequest,
} from './test-support.ts';

for (const { name: backend, skip } of backends())
  describe(`the report for the medical record (${backend})`, { skip }, () => {
    let t: TestApp;
    let presc: string;
    let pharm: string;
    before(async () => {
      t = await testApp(backend);
      presc = (await userWithToken(t.app, 'prescriber', 'icu', `presc-${backend}`)).auth;
      pharm = (await userWithToken(t.app, 'pharmacologist', 'pharmacology', `pharm-${backend}`)).auth;
    });
    after(async () => t?.close());
    const call = (auth: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      caller(t.app).ok(auth, method, url, payload);

    /** A vancomycin patient: 3 doses of 1 g over 1 h at 08:00, 20:00, 08:00 Paris time, 2 levels; a request analysed. */
    const analysed = async (hospitalNumber: string): Promise<{ rid: string; a: Analysis }> => {
      const { requestId } = await vancomycinRequest(t.app, presc, {
        identity: {
          familyName: 'Durand',
          givenName: 'Paul',
          birthName: 'Martin',
          birthDate: '1968-04-02',
          hospitalNumber,
        },
        covariatesAt: '2026-11-20T06:00:00Z',
        doses: ['2026-11-20T07:00:00Z', '2026-11-20T19:00:00Z', '2026-11-21T07:00:00Z'].map((at) => ({
          at,
          amount: 1,
          unit: 'g',
          product: 'vancomycine 1 g',
        })),
        samples: [
          { at: '2026-11-20T21:00:00Z', value: 27.4, assay: 'immunoassay' },
          { at: '2026-11-21T06:45:00Z', value: 9.8, assay: 'immunoassay' },
        ],
        question: 'ASC24 400-600 ?',
      });
      const rq = { id: requestId };
      const a: Analysis = (await call(pharm, 'POST', `/api/requests/${rq.id}/analyses`, {})).json();
      return { rid: rq.id, a };
    };

    test('French PDF: A4, identity, local times with the zone, the chart, parameters with units and t½, "Validé par" for a modification', async () => {
      const { rid, a } = await analysed(`H-${backend}-1`);
      const start = a.candidates[0].regimen.start!;
      await call(pharm, 'POST', `/api/analyses/${a.id}/validations`, {
        ...REAUTH,
        decision: 'modify',
        // Typed as a French keyboard writes it: narrow no-break spaces (U+202F) in the number and
        // before the unit.
        comment: 'ASC24 dans la cible avec 1\u202f250\u202fmg toutes les 12 h ; résiduelle dans 2 jours.',
        regimen: {
          dose: { value: 1250, unit: 'mg' },
          interval: { value: 12, unit: 'h' },
          route: 'infusion',
          duration: { value: 150, unit: 'min' },
          start,
          loading: null,
        },
      });
      const r = await call(presc, 'GET', `/api/requests/${rid}/report?format=pdf&identity=true&lang=fr`);
      assert.equal(r.headers['content-type'], 'application/pdf');
      const pdf = await pdfText(r.rawPayload);
      // A4 portrait: 210 × 297 mm = 595.28 × 841.89 pt (±0.5 pt).
      assert.ok(Math.abs(pdf.size.width - 595.28) < 0.5 && Math.abs(pdf.size.height - 841.89) < 0.5);
      const text = pdf.pages.join('\n');
      // A phrase may wrap onto the next line (of a paragraph or a table cell).
      const flat = text.replace(/\n/g, ' ');
      const has = (s: string | RegExp): void =>
        typeof s === 'string'
          ? assert.ok(flat.includes(s), `the PDF's text lacks '${s}'`)
          : assert.match(flat, s);
      // Identity, prescriber, service.
      for (const s of [
        "Compte rendu d'adaptation posologique",
        'DURAND Paul',
        'Nom de naissance',
        'MARTIN',
        'Date de naissance',
        '02/04/1968',
        'IPP',
        `H-${backend}-1`,
        'Sexe',
        'homme',
        'Prescripteur',
        `Dr presc-${backend}`,
        'Service',
        'icu',
      ])
        has(s);
      // The identity heads every page.
      for (const [k, page] of pdf.pages.entries())
        assert.ok(
          page.includes(`DURAND Paul`) && page.includes(`H-${backend}-1`),
          `page ${k + 1} lacks the identity`,
        );
      // Local times, Paris in November (UTC+01:00): doses 08:00, 20:00, levels 22:00 and 07:45.
      has('Toutes les heures sont des heures locales, Europe/Paris, UTC+01:00.');
      for (const s of [
        '20/11/2026 08:00',
        '20/11/2026 20:00',
        '21/11/2026 08:00',
        '20/11/2026 22:00',
        '21/11/2026 07:45',
      ])
        has(s);
      assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'no ISO (UTC) time anywhere');
      // The first new dose with its offset; the decision's words match it.
      const startParis = new Date(Date.parse(start) + 3_600_000).toISOString();
      const hhmm = `${startParis.slice(8, 10)}/${startParis.slice(5, 7)}/${startParis.slice(0, 4)} ${startParis.slice(11, 16)}`;
      has(`première nouvelle dose le ${hhmm} (UTC+01:00)`);
      has('Décision : modifié');
      has(/Validé par Dr pharm-\w+ le \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} \(UTC\+01:00\)/);
      assert.ok(!text.includes('Rejeté par'));
      has('1250 mg en perfusion IV sur 150 min toutes les 12 h');
      // Decimal comma; units as clinicians write them.
      has('27,4');
      has('mesuré 27,4');
      has('ASC24 400–600 mg·h/L');
      // Individual parameters with units, and the terminal half-life of the 2-compartment model.
      const P = a.fit.parameters;
      const [k10, k12, k21] = [P.CL / P.V1, P.Q / P.V1, P.Q / P.V2];
      const s = k10 + k12 + k21;
      const beta = (s - Math.sqrt(s * s - 4 * k10 * k21)) / 2;
      const fr = (x: number): string => String(Number(x.toPrecision(4))).replace('.', ',');
      has(`Demi-vie terminale t½ ${fr(Math.LN2 / beta)} h`);
      has(`CL ${fr(P.CL)} L/h`);
      has(`V1 ${fr(P.V1)} L`);
      // The current regimen (1 g / 12 h continued) beside the retained one; PTA explained.
      has('Schéma actuel : 1 g en perfusion IV sur 1 h toutes les 12 h');
      has("PAC, probabilité d'atteinte des cibles");
      // The ranking rule and what a target met means, in the library's words; met is labelled as
      // the individual prediction's, beside the PAC.
      has(rankingRule('fr').slice(0, 60));
      has('(atteinte, prédiction individuelle)');
      assert.ok(!/\([^()]*\(/.test(text.replace(/\s+/g, ' ')), 'no parentheses nested in the report');
      // The symbols as the screen shows them (the embedded font has them all), not written out.
      has(rankingRule('fr'));
      has(MET_MEANING.fr);
      has(PTA_MEANING.fr);
      has('PAC (toutes les cibles) 34 % ⚠ 14 % ⚠');
      has('Conversion : SCR 95 µmol/L → 1,07466 mg/dL');
      // The signer's words as typed, the narrow no-break spaces (U+202F) of '1 250 mg' drawn as such.
      const drawn = pdf.drawn.join('');
      assert.ok(drawn.includes('avec 1\u202f250\u202fmg toutes les 12 h'), 'U+202F drawn in 1 250 mg');
      for (const w of ['(!)', ' -> ', '>=', '<=']) assert.ok(!text.includes(w), `'${w}' written out`);
      has('Signification de la signature');
      // The chart: its legend and dated hours on the axis, drawn as vector paths.
      for (const s of [
        'Concentration–temps',
        'mesuré',
        'individuelle',
        'bande 90 %',
        'schéma actuel',
        'cible',
        'nouveau schéma',
      ])
        has(s);
      has(/\b2[01]\/11\b/);
      const chartPage = pdf.pages.findIndex((p) => p.includes('Concentration–temps'));
      assert.ok(pdf.paths[chartPage] >= 30, `the chart's page draws ${pdf.paths[chartPage]} paths`);
      // No English word of the old report.
      for (const w of ['Validated', 'Decision', ' every ', ' over ', 'Individual parameters', 'Requested'])
        assert.ok(!text.includes(w), `English '${w}' in the French report`);
    });

    test('a rejection reads "Rejected by" in English and "Rejeté par" in French (the language from Accept-Language), never "Validated by"', async () => {
      const { rid, a } = await analysed(`H-${backend}-2`);
      await call(pharm, 'POST', `/api/analyses/${a.id}/validations`, {
        ...REAUTH,
        decision: 'reject',
        comment: 'level drawn during the infusion',
      });
      const en = (await call(presc, 'GET', `/api/requests/${rid}/report?lang=en`)).body;
      assert.match(en, /Decision: rejected/);
      assert.match(en, /Rejected by Dr pharm-\w+ on \d{2}\/\d{2}\/2026 \d{2}:\d{2} \(UTC\+0[12]:00\)/);
      assert.ok(!en.includes('Validated by'));
      assert.match(en, /Regimen retained: none \(the proposal is rejected\)/);
      const frHtml = (
        await t.app.inject({
          method: 'GET',
          url: `/api/requests/${rid}/report`,
          headers: { authorization: presc, 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.8' },
        })
      ).body;
      assert.match(frHtml, /<html lang="fr">/);
      assert.match(frHtml, /Rejeté par Dr pharm-\w+ le/);
      assert.ok(!frHtml.includes('Validé par'));
      // Another zone asked for: the same instants in New York (UTC−05:00).
      const ny = (await call(presc, 'GET', `/api/requests/${rid}/report?lang=en&tz=America/New_York`)).body;
      assert.ok(ny.includes('All times are local times, America/New_York'));
      assert.ok(ny.includes('20/11/2026 02:00'), 'the 07:00 UTC dose is 02:00 in New York');
      const bad = await t.app.inject({
        method: 'GET',
        url: `/api/requests/${rid}/report?tz=Mars/Olympus`,
        headers: { authorization: presc },
      });
      assert.equal(bad.statusCode, 422);
      assert.equal(bad.json().error.issues[0].field, 'tz');
    });

    test('French PDF with one-sided targets: ASC24 ≥ 400 mg·h/L and Résiduelle ≤ 15 mg/L, printed with ≥ and ≤', async () => {
      const { requestId } = await vancomycinRequest(t.app, presc, {
        identity: {
          familyName: 'Petit',
          givenName: 'Anne',
          birthDate: '1975-09-12',
          hospitalNumber: `H-${backend}-3`,
        },
      });
      const a: Analysis = (
        await call(pharm, 'POST', `/api/requests/${requestId}/analyses`, {
          targets: ['auc24>=400 mg*h/L', 'trough<=15 mg/L'],
        })
      ).json();
      await call(pharm, 'POST', `/api/analyses/${a.id}/validations`, {
        ...REAUTH,
        decision: 'accept',
        comment: '',
      });
      const pdf = await pdfText(
        (await call(presc, 'GET', `/api/requests/${requestId}/report?format=pdf&lang=fr`)).rawPayload,
      );
      const text = pdf.pages.join('\n').replace(/\n/g, ' ');
      for (const s of ['ASC24 ≥ 400 mg·h/L', 'Résiduelle ≤ 15 mg/L'])
        assert.ok(text.includes(s), `the PDF's text lacks '${s}'`);
      // French typography: a narrow no-break space before the semicolon between targets.
      assert.ok(
        pdf.drawn.join('').includes('ASC24 ≥ 400 mg·h/L\u202f; Résiduelle ≤ 15 mg/L'),
        'the targets are joined by a narrow no-break space and a semicolon',
      );
      assert.ok(!text.includes('>=') && !text.includes('<='));
    });
  });
