// The library sweep (issue 5, acceptance 3): every model parses and compiles, carries a citation
// with DOI, units, population, matrix, a verification record whose checks it reproduces, targets
// with their source, and products that make sense for its typical dose (targets and products as
// the model is used with them: its drug file's, with the model's overrides); the embedded string
// table matches the model files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { LIBRARY_FILE, librarySource } from '../scripts/library-source.ts';
import { checkPatient, productSanity, runCheck } from './evaluate.ts';
import { modelPolicy } from './policy.ts';
import { getModel, listModels, shortCitation } from './registry.ts';
import { checkUnits } from '@dosetwin/engine';

/**
 * Unit findings accepted on purpose, with why. Colin 2019 writes its maturation and creatinine
 * functions as the paper does: Hill functions of PMA in years with estimated exponents (a ratio of
 * like powers, consistent overall), log10 of age in years, and a standard SCr formula whose value is
 * implicitly in mg/dL.
 */
const KNOWN_UNIT_FINDINGS: Record<string, string[]> = {
  'vancomycin/colin2019': [
    '43: y raised to a non-constant power',
    '45: log10() of y; its argument must be dimensionless',
    "46: '-' between mg/dL and no unit",
  ],
};
import { resolveCovariates } from './resolve.ts';

test('src/library.ts is up to date with the model files (run npm run build-library -w @dosetwin/models)', async () => {
  assert.equal(readFileSync(LIBRARY_FILE, 'utf8'), await librarySource());
});

describe('every library model', () => {
  const models = listModels();
  test('the library is not empty and ids are unique', () => {
    assert.ok(models.length > 0);
    assert.equal(new Set(models.map((m) => m.id)).size, models.length);
  });
  for (const m of models) {
    describe(m.id, () => {
      const ir = m.ir;
      test('parses, compiles, and its verified and products blocks follow their forms', () => {
        assert.deepEqual(m.problems, []);
        assert.ok(m.compiled().nSlots > 0);
      });
      test('units are consistent (dimensional analysis), apart from the findings listed for this model', () => {
        const findings = checkUnits(ir).map((i) => `${i.line}: ${i.message}`);
        assert.deepEqual(findings, KNOWN_UNIT_FINDINGS[m.id] ?? []);
      });
      test('metadata: citation with DOI, units, measured matrix, population, drug, version', () => {
        assert.match(ir.citation?.doi ?? '', /^10\.\d{4,}\/\S+$/, 'citation needs a DOI');
        assert.ok(ir.units.dose && ir.units.time && ir.units.conc);
        assert.match(ir.measured, /(whole blood|plasma|serum|unbound)/, 'measured: matrix');
        assert.ok(ir.population.length > 20, 'population');
        assert.ok(ir.drug && ir.version);
      });
      test('covariates: unit, validity range and label; derivations known, with valid options', () => {
        for (const c of ir.covariates) {
          assert.ok(c.unit, `${c.name}: unit`);
          assert.ok(c.valid, `${c.name}: validity range`);
          assert.ok(c.label.length > 2, `${c.name}: label`);
        }
        const c0 = m.verification.checks[0];
        if (c0) {
          const r = resolveCovariates(m, checkPatient(c0));
          assert.deepEqual(
            r.issues.filter((i) => i.code === 'DT_MODEL_DERIVE'),
            [],
          );
        }
      });
      test('verification: a status; checks reproduced within their tolerance; sources dated', () => {
        const v = m.verification;
        assert.ok(v.status, 'verified block needs a status line');
        assert.ok(v.checks.length >= 1, 'at least one check');
        assert.ok(v.sources.length >= 1, 'at least one source');
        if (v.status !== 'verified') assert.ok(v.unconfirmed.length >= 1, 'say what is not confirmed');
        for (const c of v.checks) {
          const r = runCheck(m, c);
          assert.ok(r.ok, `${c.text}\n  → computed ${c.variable} = ${r.actual}`);
        }
      });
      test('targets it is used with (drug file, model overrides): at least one, each with its source (a citation with a year)', () => {
        const targets = modelPolicy(m).targets;
        assert.ok(targets.length >= 1);
        for (const t of targets) assert.match(t.citation, /(19|20)\d{2}/, `${t.metric}: source`);
      });
      test('products: strengths in a mass unit, and the usual dose consistent with the model and its targets', () => {
        // A per-kg usual dose of a model without a weight covariate is sized for a 70-kg adult.
        const r = productSanity(m, { WT: 70, ...checkPatient(m.verification.checks[0]) });
        assert.deepEqual(r.problems, [], JSON.stringify(r));
      });
    });
  }
});

test('short citations keep the surname particles (van Hest, ter Heine) and the year', () => {
  const cases: [string, string][] = [
    ['everolimus/terheine2018', 'ter Heine 2018'],
    ['mycophenolic-acid/vanhest2005', 'van Hest 2005'],
    ['vancomycin/goti2018', 'Goti 2018'],
    ['ciclosporin/woillard2014', 'Woillard 2014'],
  ];
  for (const [id, expected] of cases) assert.equal(shortCitation(getModel(id).ir), expected, id);
});
