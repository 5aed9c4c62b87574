// Federated SAEM in one process: theophylline split over nodes (each a FederatedNodeService behind a
// JSON round trip, as over HTTP) gives the pooled SAEM to the last bit for any split; exact sums do
// not depend on the order of their terms; a node under its minimum of patients refuses; a node that
// fails is excluded and the run equals the pooled fit of the others.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import type { PatientData } from '../events/records.ts';
import { theophylline } from '../test-support/theophylline.ts';
import { addExact, exactValue, mergeExact } from './exact-sum.ts';
import {
  federatedSaem,
  type FederatedNode,
  FederatedNodeService,
  NodeUnavailableError,
} from './federated.ts';
import { addSaemStatistics, fitSaem, SaemEstimator, SaemLocal, saemPlan } from './saem.ts';

const file = 'theophylline.dtm';
const text = readFileSync(new URL('fixtures/theophylline.dtm', import.meta.url), 'utf8');
const { model, patients } = theophylline();
const settings = { seed: 5, explore: 12, smooth: 8 };

/** A node over JSON (what HTTP carries), its patients a slice of theo_sd; optionally failing. */
function node(
  name: string,
  mine: PatientData[],
  opts: { minPatients?: number; failAt?: number; tamper?: (reply: Record<string, unknown>) => void } = {},
): FederatedNode & { wire: string[] } {
  const service = new FederatedNodeService(() => mine, { minPatients: opts.minPatients ?? 3 });
  const wire: string[] = [];
  return {
    name,
    wire,
    async call(call, request) {
      const body = JSON.stringify(request);
      const it = (request as { broadcast?: { iteration: number } }).broadcast?.iteration;
      if (opts.failAt !== undefined && it !== undefined && it >= opts.failAt)
        throw new NodeUnavailableError(`${name}: connection refused (3 attempts)`);
      const answer = service.handle(call, JSON.parse(body)) as unknown as Record<string, unknown>;
      if (call === 'estep') opts.tamper?.(answer);
      const reply = JSON.stringify(answer);
      wire.push(body, reply);
      return JSON.parse(reply);
    },
  };
}

describe('exact sums', () => {
  test('the same double whatever the order and grouping of the terms, equal to the exact rational sum', () => {
    const terms = [1e16, 1, -1e16, 3.3, 1e-20, 0.1, 0.2, -0.3, 2 ** 60, -(2 ** 60), 1 / 3];
    const ref = [...terms];
    // Exact reference: each double is an integer multiple of 2^-1074; sum as BigInt.
    const scaled = (x: number): bigint => {
      const [m, e] = ((): [bigint, number] => {
        if (x === 0) return [0n, 0];
        let e2 = 0;
        let v = Math.abs(x);
        while (!Number.isInteger(v)) {
          v *= 2;
          e2--;
        }
        return [BigInt(v) * (x < 0 ? -1n : 1n), e2];
      })();
      return m << BigInt(e + 200);
    };
    const exact = ref.reduce((a, x) => a + scaled(x), 0n);
    const target = Number(exact) / 2 ** 200;
    const orders = [terms, [...terms].reverse(), [...terms].sort((a, b) => a - b), [...terms].sort()];
    for (const o of orders) {
      const s: number[] = [];
      for (const x of o) addExact(s, x);
      assert.equal(exactValue(s), target);
      // Split in two and merged: the same.
      const a: number[] = [];
      const b: number[] = [];
      o.forEach((x, k) => addExact(k % 2 ? a : b, x));
      mergeExact(b, a);
      assert.equal(exactValue(b), target);
    }
    // The naive left-to-right sum differs (the 1 and the 1e-20 are lost at 1e16).
    assert.notEqual(
      terms.reduce((a, x) => a + x, 0),
      target,
    );
  });
});

describe('SAEM statistics split over sets of subjects', () => {
  test('E-steps over 5 + 7 subjects sum to the E-step over the 12, to the last bit', () => {
    const plan = saemPlan(model, {}, patients);
    const est = new SaemEstimator(plan, 12, { seed: 3 });
    const b = est.broadcast();
    const whole = new SaemLocal(plan, patients, 0).eStep(b);
    const split = addSaemStatistics(
      new SaemLocal(plan, patients.slice(7), 7).eStep(b),
      new SaemLocal(plan, patients.slice(0, 7), 0).eStep(b),
    );
    assert.deepEqual(whole.phi.map(exactValue), split.phi.map(exactValue));
    assert.deepEqual(whole.phiPhi.map(exactValue), split.phiPhi.map(exactValue));
    assert.deepEqual(whole.residual.map(exactValue), split.residual.map(exactValue));
    assert.deepEqual(
      [whole.acceptedComponent, whole.acceptedBlock, whole.observations],
      [split.acceptedComponent, split.acceptedBlock, split.observations],
    );
  });
});

describe('federated SAEM on theophylline', () => {
  const pooled = fitSaem(model, patients, { ...settings, covariance: false });

  test('3 nodes (4 + 4 + 4) and 2 nodes (5 + 7) give the pooled θ, Ω, σ bit for bit; OFV and shrinkage to 1e-8', async () => {
    for (const cuts of [
      [0, 4, 8, 12],
      [0, 5, 12],
    ]) {
      const nodes = cuts.slice(1).map((c, k) => node(`n${k}`, patients.slice(cuts[k], c)));
      const fed = await federatedSaem(model, { file, text }, nodes, { ...settings, run: 'r1' });
      assert.deepEqual(fed.theta, pooled.theta);
      assert.deepEqual(fed.omega, pooled.omega);
      assert.deepEqual(fed.sigma, pooled.sigma);
      assert.ok(Math.abs(fed.ofv - pooled.ofv) < 1e-8, `${fed.ofv} vs ${pooled.ofv}`);
      for (const k of Object.keys(pooled.shrinkage))
        assert.ok(Math.abs(fed.shrinkage[k] - pooled.shrinkage[k]) < 1e-8, k);
      assert.equal(fed.patients, 12);
      assert.equal(fed.restarts, 0);
      assert.deepEqual(
        fed.nodes.map((n) => [n.status, n.patients]),
        cuts.slice(1).map((c, k) => ['used', c - cuts[k]]),
      );
    }
  });

  test('no message holds a subject id, a time, a DV or an individual eta', async () => {
    const nodes = [0, 4, 8].map((c, k) => node(`n${k}`, patients.slice(c, c + 4)));
    await federatedSaem(model, { file, text }, nodes, { ...settings, run: 'r2' });
    // Every non-integer time, DV, dose and covariate of the data, and every conditional mode
    // (integers are left out: iteration numbers, offsets and counts are integers too).
    const rowValues = new Set<number>();
    const keep = (v: number): void => void (Number.isFinite(v) && !Number.isInteger(v) && rowValues.add(v));
    for (const p of patients) for (const a of [p.time, p.dv, p.amt, p.cov]) a.forEach(keep);
    pooled.individuals.forEach((i) => i.eta.forEach(keep));
    // The model file's own numbers (initial θ 1.57 is also a DV of theo_sd) are public, not rows.
    // So are SAEM's starting random-walk scales (0.5, 0.3; 0.5 h is also a sampling time).
    for (const m of text.matchAll(/\d+\.\d+/g)) rowValues.delete(Number(m[0]));
    rowValues.delete(0.5);
    rowValues.delete(0.3);
    assert.ok(rowValues.size > 130, `${rowValues.size}`);
    const ids = patients.map((p) => p.id);
    let messages = 0;
    for (const n of nodes)
      for (const m of n.wire) {
        messages++;
        const walk = (v: unknown, key: string): void => {
          if (typeof v === 'number') assert.ok(!rowValues.has(v), `${key} = ${v} is a row-level value`);
          else if (typeof v === 'string' && key !== 'model.text')
            assert.ok(!ids.includes(v), `${key} = '${v}' is a subject id`);
          else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
          else if (v && typeof v === 'object')
            for (const [k, x] of Object.entries(v)) {
              assert.ok(!/^(id|ids|time|dv|eta|individuals?|rows?)$/i.test(k), `field ${k}`);
              walk(x, key ? `${key}.${k}` : k);
            }
        };
        walk(JSON.parse(m), '');
      }
    assert.equal(messages, 3 * 2 * (1 + 20 + 1 + 1));
  });

  test('a node under its minimum of patients refuses to open (DT_FEDERATE_TOO_FEW_PATIENTS, default 5)', () => {
    const service = new FederatedNodeService(() => patients.slice(0, 4));
    assert.throws(
      () => service.handle('open', { run: 'x', model: { file, text }, settings: {} }),
      (e: unknown) =>
        e instanceof DosetwinError &&
        e.issues[0].code === 'DT_FEDERATE_TOO_FEW_PATIENTS' &&
        /minimum of 5/.test(e.issues[0].message) &&
        !/\b4\b/.test(e.issues[0].message),
    );
    assert.equal(
      new FederatedNodeService(() => patients.slice(0, 5)).handle('open', {
        run: 'x',
        model: { file, text },
        settings: {},
      }).patients,
      5,
    );
  });

  test('a node lost at iteration 6 is excluded and the run restarts: the pooled fit of the other 8 patients', async () => {
    const nodes = [
      node('a', patients.slice(0, 4)),
      node('b', patients.slice(4, 8), { failAt: 6 }),
      node('c', patients.slice(8, 12)),
    ];
    const fed = await federatedSaem(model, { file, text }, nodes, { ...settings, run: 'r3' });
    const others = [...patients.slice(0, 4), ...patients.slice(8, 12)];
    const ref = fitSaem(model, others, { ...settings, covariance: false });
    assert.deepEqual(fed.theta, ref.theta);
    assert.deepEqual(fed.omega, ref.omega);
    assert.equal(fed.patients, 8);
    assert.equal(fed.restarts, 1);
    assert.deepEqual(fed.nodes[1], {
      name: 'b',
      patients: 4,
      status: 'excluded',
      reason: 'b: connection refused (3 attempts)',
      call: 'estep',
      iteration: 6,
    });
    assert.ok(
      fed.warnings.some((w) => w.code === 'DT_FEDERATE_NODE_EXCLUDED' && /node b excluded/.test(w.message)),
    );
  });

  test('a node whose statistics are not over its patients (a draw count changed) is excluded, not summed', async () => {
    const nodes = [
      node('a', patients.slice(0, 4)),
      node('b', patients.slice(4, 8)),
      node('c', patients.slice(8, 12), { tamper: (r) => void (r.draws = Number(r.draws) + 1) }),
    ];
    const fed = await federatedSaem(model, { file, text }, nodes, { ...settings, run: 'r4' });
    const ref = fitSaem(model, patients.slice(0, 8), { ...settings, covariance: false });
    assert.deepEqual(fed.theta, ref.theta);
    assert.deepEqual(
      [fed.nodes[2].status, fed.nodes[2].call, fed.nodes[2].iteration, fed.nodes[2].reason],
      ['excluded', 'estep', 1, 'the estep reply is not the shape this run expects'],
    );
  });
});
