// The FHIR import on fuzzed input (fast-check, fixed seeds): the synthetic patients' resources
// with fields deleted or replaced by arbitrary JSON, wrong units, times without zones, unknown
// codes, other patients, and bundles of thousands of entries. The import never throws, and never
// creates a record silently: every Observation and MedicationAdministration given is either taken
// (an entry naming it as its source) or refused with a DT_ code naming it, never both; everything
// taken is a finite number with a unit dosetwin reads and a time with a zone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { convert } from '@dosetwin/engine';
import fc from 'fast-check';
import { covariateEntry } from '../covariate-register.ts';
import { drugFile } from '../drugs.ts';
import { importFhir, type FhirImport } from './import.ts';

type Json = Record<string, unknown>;
const resourcesOf = (name: string): Json[] =>
  (
    JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as {
      entry: { resource: Json }[];
    }
  ).entry.map((e) => e.resource);
const PATIENTS = [
  { drug: 'vancomycin', id: 'vanco-icu-1', resources: resourcesOf('vancomycin-icu') },
  { drug: 'tacrolimus', id: 'tacro-ktx-1', resources: resourcesOf('tacrolimus-kidney') },
  { drug: 'amikacin', id: 'amik-first-1', resources: resourcesOf('amikacin-first-dose') },
];
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The invariants of one import of `given` (the resources as passed). */
function check(given: unknown[], imp: FhirImport): void {
  const key = (t: unknown, id: unknown): string => `${String(t)}/${String(id)}`;
  const taken = new Map<string, number>();
  for (const x of [...imp.doses, ...imp.levels, ...imp.covariates]) {
    const k = key(x.source.resourceType, x.source.id);
    taken.set(k, (taken.get(k) ?? 0) + 1);
  }
  const refused = new Set(
    imp.refused.flatMap((r) => (r.source ? [key(r.source.resourceType, r.source.id)] : [])),
  );
  for (const r of imp.refused) assert.match(r.issue.code, /^DT_[A-Z0-9_]+$/);
  const ids = given.map((r) =>
    r && typeof r === 'object' ? key((r as Json).resourceType, (r as Json).id) : '',
  );
  const count = new Map<string, number>();
  for (const k of ids) count.set(k, (count.get(k) ?? 0) + 1);
  for (const k of taken.keys()) assert.ok(count.has(k), `${k} taken but not given`);
  for (const r of given) {
    if (!r || typeof r !== 'object') continue;
    const o = r as Json;
    if (o.resourceType !== 'Observation' && o.resourceType !== 'MedicationAdministration') continue;
    if (typeof o.id !== 'string' || !o.id) continue;
    const k = key(o.resourceType, o.id);
    if ((count.get(k) ?? 0) > 1) continue;
    assert.ok(taken.has(k) !== refused.has(k), `${k}: taken ${taken.has(k)}, refused ${refused.has(k)}`);
    if (taken.has(k)) assert.equal(taken.get(k), 1, `${k} taken twice`);
  }
  for (const d of imp.doses) {
    assert.ok(d.values.amount > 0 && Number.isFinite(d.values.amount));
    assert.ok(Number.isFinite(convert(d.values.amount, d.values.unit, 'mg')));
    assert.match(d.values.at, ZONED);
    if (d.values.duration) assert.ok(d.values.duration.value > 0 && Number.isFinite(d.values.duration.value));
    assert.equal(d.values.route === 'infusion', d.values.duration !== null);
  }
  for (const l of imp.levels) {
    assert.ok(l.values.value >= 0 && Number.isFinite(convert(l.values.value, l.values.unit, 'mg/L')));
    assert.match(l.values.at, ZONED);
  }
  for (const c of imp.covariates) {
    const e = covariateEntry(c.values.name)!;
    assert.equal(c.values.unit, e.unit);
    assert.ok(Number.isFinite(c.values.value));
    if (e.limits) assert.ok(c.values.value >= e.limits.lo && c.values.value <= e.limits.hi);
    assert.match(c.values.at, ZONED);
  }
}

/** Paths of every field of a resource, nested objects and arrays included. */
function paths(o: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (!o || typeof o !== 'object') return [];
  const entries = Array.isArray(o) ? o.map((v, i) => [i, v] as const) : Object.entries(o);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}
function mutate(o: Json, path: (string | number)[], value: unknown, remove: boolean): Json {
  const copy = structuredClone(o);
  let cur: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (remove) delete cur[last];
  else cur[last] = value;
  return copy;
}

const SPECIAL = fc.constantFrom<unknown>(
  'mg/dL',
  'mmol/L',
  'mL',
  'kg',
  '[lb_av]',
  '%',
  '',
  null,
  -1,
  0,
  1e308,
  Number.NaN,
  '2026-11-11',
  '2026-11-11T08:00:00',
  '2026-13-40T25:61:00Z',
  'Patient/other',
  'in-progress',
  '11253-4',
  '8867-4',
  'J01GB03',
  'CYP3A5 *1/*9',
  {},
  [],
  true,
);

test('fuzz: fields of the synthetic patients deleted or replaced by arbitrary or tricky values (seed 7, 400 runs): no throw, nothing taken silently', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: PATIENTS.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.oneof(SPECIAL, fc.jsonValue()), fc.boolean()), {
        maxLength: 6,
      }),
      fc.boolean(),
      (which, edits, named) => {
        const p = PATIENTS[which];
        const resources = p.resources.map((r) => structuredClone(r));
        for (const [ri, pi, value, remove] of edits) {
          const i = ri % resources.length;
          const ps = paths(resources[i]);
          if (!ps.length) continue;
          resources[i] = mutate(resources[i], ps[pi % ps.length], value, remove);
        }
        const input = named
          ? resources
          : { resourceType: 'Bundle', entry: resources.map((resource) => ({ resource })) };
        const imp = importFhir(input, drugFile(p.drug)!, named ? { patientId: p.id } : {});
        check(resources, imp);
      },
    ),
    { seed: 7, numRuns: 400 },
  );
});

test('fuzz: arbitrary JSON as the input, and as entries of a Bundle (seed 11, 300 runs): no throw, every entry refused or taken', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 8 }), (x, entries) => {
      const drug = drugFile('vancomycin')!;
      check([], importFhir(x, drug));
      const imp = importFhir(
        { resourceType: 'Bundle', entry: entries.map((resource) => ({ resource })) },
        drug,
        {
          patientId: 'p',
        },
      );
      check(entries, imp);
      assert.equal(imp.doses.length + imp.levels.length + imp.covariates.length, 0);
    }),
    { seed: 11, numRuns: 300 },
  );
});

test('a bundle of 20000 entries (the vancomycin patient’s levels repeated, each its own id) is read whole; one more is refused whole', () => {
  const lvl = PATIENTS[0].resources.find((r) => r.id === 'vi-c1')!;
  const many = Array.from({ length: 20000 }, (_, i) => ({
    ...lvl,
    id: `l${i}`,
    effectiveDateTime: new Date(Date.parse('2026-11-11T06:00:00Z') + i * 60_000).toISOString(),
  }));
  const imp = importFhir(many, drugFile('vancomycin')!, { patientId: 'vanco-icu-1' });
  assert.equal(imp.levels.length, 20000);
  check(many, imp);
  const over = importFhir([...many, lvl], drugFile('vancomycin')!, { patientId: 'vanco-icu-1' });
  assert.equal(over.levels.length, 0);
  assert.deepEqual(
    over.refused.map((r) => r.issue.code),
    ['DT_FHIR_INPUT'],
  );
});
