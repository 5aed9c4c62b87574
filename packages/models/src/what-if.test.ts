// The what-if's regimen: equality across units, and where the page opens (retained, candidate 1,
// the last dose continued at its own interval).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Regimen } from './regimen.ts';
import { currentRegimen, doseTimes, editedRegimen, openingRegimen, sameRegimen } from './what-if.ts';

const r = (patch: Partial<Regimen> = {}): Regimen => ({
  dose: { value: 1000, unit: 'mg' },
  interval: { value: 12, unit: 'h' },
  route: 'infusion',
  duration: { value: 1, unit: 'h' },
  start: '2026-11-21T08:00:00.000Z',
  loading: null,
  ...patch,
});

test('sameRegimen: 1 g / 720 min over 60 min is 1000 mg / 12 h over 1 h; any other change is not', () => {
  assert.ok(
    sameRegimen(
      r(),
      r({
        dose: { value: 1, unit: 'g' },
        interval: { value: 720, unit: 'min' },
        duration: { value: 60, unit: 'min' },
      }),
    ),
  );
  assert.ok(sameRegimen(r(), r({ start: '2026-11-21T09:00+01:00' })), 'the same instant in another zone');
  assert.ok(sameRegimen(r(), r({ start: null })), 'a start left null matches any');
  assert.ok(!sameRegimen(r(), r({ dose: { value: 1001, unit: 'mg' } })));
  assert.ok(!sameRegimen(r(), r({ interval: { value: 8, unit: 'h' } })));
  assert.ok(!sameRegimen(r(), r({ duration: { value: 2, unit: 'h' } })));
  assert.ok(!sameRegimen(r(), r({ route: 'bolus', duration: null })));
  assert.ok(!sameRegimen(r(), r({ start: '2026-11-21T10:00:00.000Z' })));
  assert.ok(!sameRegimen(r(), r({ loading: { dose: { value: 2000, unit: 'mg' }, duration: null } })));
  assert.ok(
    sameRegimen(
      r({ loading: { dose: { value: 2, unit: 'g' }, duration: { value: 2, unit: 'h' } } }),
      r({ loading: { dose: { value: 2000, unit: 'mg' }, duration: { value: 120, unit: 'min' } } }),
    ),
  );
});

const dose = (at: string, amount = 1, unit = 'g') => ({
  at,
  amount,
  unit,
  route: 'infusion' as const,
  duration: { value: 1, unit: 'h' },
  product: 'vial',
});
const record = {
  administrations: [dose('2026-11-20T08:00:00Z'), dose('2026-11-20T20:00:00Z'), dose('2026-11-21T08:00:00Z')],
  start: null,
};

test('openingRegimen: the retained regimen first, then candidate 1, a missing start filled', () => {
  const retained = r({ dose: { value: 750, unit: 'mg' } });
  assert.deepEqual(openingRegimen(record, [{ regimen: r() }], retained), retained);
  assert.deepEqual(openingRegimen(record, [{ regimen: r() }], null), r());
  // Candidate without a start: one interval (12 h) after the last dose.
  assert.equal(
    openingRegimen(record, [{ regimen: r({ start: null }) }], null)!.start,
    '2026-11-21T20:00:00.000Z',
  );
  // … or the analysis's first new dose when it has one.
  assert.equal(
    openingRegimen({ ...record, start: '2026-11-21T22:00+01:00' }, [{ regimen: r({ start: null }) }], null)!
      .start,
    '2026-11-21T22:00+01:00',
  );
});

test('openingRegimen without a candidate: the last dose again at the interval since the one before', () => {
  assert.deepEqual(openingRegimen(record, [], null), {
    dose: { value: 1, unit: 'g' },
    interval: { value: 12, unit: 'h' },
    route: 'infusion',
    duration: { value: 1, unit: 'h' },
    start: '2026-11-21T20:00:00.000Z',
    loading: null,
  });
  assert.equal(
    openingRegimen({ administrations: record.administrations.slice(0, 1), start: null }, [], null),
    null,
  );
});

test('currentRegimen: 1 g at 20:00 and 08:00 (Paris) continues at 1 g / 12 h from the next due time, 20:00; one dose has none', () => {
  const dose = (at: string) => ({
    at,
    amount: 1,
    unit: 'g',
    route: 'infusion' as const,
    duration: { value: 1, unit: 'h' },
    product: 'vancomycin',
  });
  const c = currentRegimen({
    administrations: [dose('2026-11-21T08:00+01:00'), dose('2026-11-20T20:00+01:00')],
    start: null,
  });
  assert.deepEqual(c, {
    dose: { value: 1, unit: 'g' },
    interval: { value: 12, unit: 'h' },
    route: 'infusion',
    duration: { value: 1, unit: 'h' },
    start: '2026-11-21T19:00:00.000Z',
    loading: null,
  });
  assert.equal(currentRegimen({ administrations: [dose('2026-11-21T08:00+01:00')], start: null }), null);
  // The analysis's first new dose, when it has one, is where it continues.
  assert.equal(
    currentRegimen({
      administrations: [dose('2026-11-21T08:00+01:00'), dose('2026-11-20T20:00+01:00')],
      start: '2026-11-21T22:00+01:00',
    })?.start,
    '2026-11-21T22:00+01:00',
  );
});

test('doseTimes: every 12 h (720 min) from 20:00 over 36 h gives 20:00, 08:00, 20:00 and 08:00 (the end included); no interval, none', () => {
  const start = Date.parse('2026-12-06T20:00:00+01:00');
  const H = 3_600_000;
  assert.deepEqual(
    doseTimes({ interval: { value: 720, unit: 'min' } }, start, start + 36 * H),
    [0, 12, 24, 36].map((h) => start + h * H),
  );
  assert.deepEqual(doseTimes({ interval: { value: 0, unit: 'h' } }, start, start + 36 * H), []);
});

test('editedRegimen: 1500 mg / 24 h due 24 h after the last dose, changed to 12 h, is due 12 h after it; a first dose set by hand stays; a dose change keeps the start', () => {
  const last = '2026-12-06T03:52:00+01:00';
  const H = 3_600_000;
  const inputs = {
    administrations: [-12, 0].map((h) => ({
      at: new Date(Date.parse(last) + h * H).toISOString(),
      amount: 1000,
      unit: 'mg',
      route: 'infusion' as const,
      duration: { value: 1, unit: 'h' },
      product: 'vial 1 g',
    })),
  };
  const at = (h: number): string => new Date(Date.parse(last) + h * H).toISOString();
  const r: Regimen = {
    dose: { value: 1500, unit: 'mg' },
    interval: { value: 24, unit: 'h' },
    route: 'infusion',
    duration: { value: 2.5, unit: 'h' },
    start: at(24),
    loading: null,
  };
  const twelve = editedRegimen(inputs, r, { interval: { value: 12, unit: 'h' } });
  assert.equal(Date.parse(twelve.start!), Date.parse(at(12)));
  assert.deepEqual(twelve.interval, { value: 12, unit: 'h' });
  // 1440 min is 24 h: no change of interval, no move.
  assert.equal(editedRegimen(inputs, r, { interval: { value: 1440, unit: 'min' } }).start, r.start);
  assert.equal(
    editedRegimen(inputs, { ...r, start: at(30) }, { interval: { value: 12, unit: 'h' } }).start,
    at(30),
  );
  assert.equal(editedRegimen(inputs, r, { dose: { value: 1250, unit: 'mg' } }).start, r.start);
  assert.equal(editedRegimen(inputs, r, { interval: { value: 12, unit: 'h' }, start: at(5) }).start, at(5));
});
