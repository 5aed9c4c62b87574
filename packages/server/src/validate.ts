/**
 * Checks at the API boundary that JSON Schema cannot express: units (through the engine's one
 * conversion table), covariates (the model library's covariate register: names, units, codes and
 * plausibility limits), times (with a zone, not in the future). Each failure names its field and why.
 */
import { convert, DosetwinError, type Issue } from '@dosetwin/engine';
import { COVARIATE_REGISTER, covariateEntry, plausibilityIssue } from '@dosetwin/models';
import { ISO_WITH_ZONE } from './contract/common.ts';

const ISO_RE = new RegExp(ISO_WITH_ZONE);

/** Clock-skew allowance for "not in the future". */
const FUTURE_SLACK_MS = 5 * 60_000;

export class Checks {
  readonly issues: Issue[] = [];
  add(code: Issue['code'], field: string, message: string, hint?: string): void {
    this.issues.push({ code, severity: 'error', field, message, ...(hint ? { hint } : {}) });
  }
  throwIfAny(): void {
    if (this.issues.length) throw new DosetwinError(this.issues);
  }
  /** A past clinical time; returns its UTC ISO form. */
  time(at: string, field: string, now = Date.now()): string {
    const ms = Date.parse(at);
    if (!ISO_RE.test(at) || !Number.isFinite(ms)) {
      this.add(
        'DT_REQUEST_TIME',
        field,
        `'${at}' is not an ISO 8601 date-time with a time zone`,
        "e.g. '2026-11-12T08:00+01:00'",
      );
      return '';
    }
    if (ms > now + FUTURE_SLACK_MS) this.add('DT_REQUEST_TIME', field, `${at} is in the future`);
    if (ms < Date.parse('1900-01-01T00:00Z')) this.add('DT_REQUEST_TIME', field, `${at} is before 1900`);
    return new Date(ms).toISOString();
  }
  /** A value in a unit of the given dimension, by the engine's table (mass, conc, time). */
  unit(unit: string, dim: 'mass' | 'conc' | 'time', field: string): void {
    const probe = { mass: 'mg', conc: 'mg/L', time: 'h' }[dim];
    if (/^(u|µ|m|n)?mol\/L$/.test(unit) && dim === 'conc') {
      this.add(
        'DT_UNIT_MOLAR',
        field,
        `${unit} is an amount-of-substance concentration; drug concentrations are taken as mass per volume`,
        'convert with the molar mass on the laboratory report (e.g. µg/L, ng/mL, mg/L)',
      );
      return;
    }
    try {
      convert(1, unit, probe, field);
    } catch (e) {
      if (e instanceof DosetwinError) this.issues.push(...e.issues);
      else throw e;
    }
  }
  positive(v: number, field: string, what: string): void {
    if (!(Number.isFinite(v) && v > 0))
      this.add('DT_REQUEST_VALUE', field, `${what} ${v} must be a number > 0`);
  }
}

/**
 * A recorded covariate, by the covariate register: a registered name, one of its entry's units, a
 * value within its hard plausibility limits (a wrong unit or a typo, not a patient outside a
 * model's validity domain) or one of its codes. Each issue names the body field.
 */
export function checkCovariate(c: Checks, name: string, value: number, unit: string): void {
  const e = covariateEntry(name);
  if (!e) {
    c.add(
      'DT_COVARIATE_UNKNOWN',
      'name',
      `${name} is not a covariate of the register`,
      `covariates: ${Object.keys(COVARIATE_REGISTER).join(', ')}`,
    );
    return;
  }
  if (!e.units.includes(unit)) {
    c.add(
      'DT_UNIT_INCOMPATIBLE',
      'unit',
      `${name} cannot be given in '${unit}'`,
      `give it in ${e.units.join(', ')}`,
    );
    return;
  }
  if (!Number.isFinite(value)) {
    c.add('DT_REQUEST_VALUE', 'value', `${name} ${value} is not a number`);
    return;
  }
  const issue = plausibilityIssue(name, value, unit);
  if (issue) c.issues.push({ ...issue, field: 'value' });
}
