/**
 * Checks at the API boundary that JSON Schema cannot express: units (through the engine's one
 * conversion table), covariates (the model library's covariate register: names, units, codes and
 * plausibility limits), times (with a zone, not in the future). Each failure names its field and why.
 */
import { convert, DosetwinError, type Issue } from '@dosetwin/engine';
import { COVARIATE_REGISTER, covariateEntry, isCalendarDateTime, plausibilityIssue } from '@dosetwin/models';
import { ISO_WITH_ZONE } from './contract/common.ts';

const ISO_RE = new RegExp(ISO_WITH_ZONE);

/** The kinds of unit, and the words of `positive`, in French. */
const UNIT_KIND_FR = { mass: 'une masse', conc: 'une concentration', time: 'une durée' } as const;
const WHAT_FR: Record<string, string> = { amount: 'Quantité', duration: 'Durée' };

/** Clock-skew allowance for "not in the future". */
const FUTURE_SLACK_MS = 5 * 60_000;

export class Checks {
  readonly issues: Issue[] = [];
  add(code: Issue['code'], field: string, message: string, hint?: string, fr?: Issue['fr']): void {
    this.issues.push({
      code,
      severity: 'error',
      field,
      message,
      ...(hint ? { hint } : {}),
      ...(fr ? { fr } : {}),
    });
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
        {
          message: `${field} : « ${at} » n’est pas une date-heure ISO 8601 avec fuseau horaire`,
          hint: 'par ex. « 2026-11-12T08:00+01:00 »',
        },
      );
      return '';
    }
    // Date.parse rolls 30 February over to 2 March: such a date is a typing error, not a time.
    if (!isCalendarDateTime(at)) {
      this.add(
        'DT_REQUEST_TIME',
        field,
        `${field}: ${at} is not a date of the calendar (or not a time of day)`,
        undefined,
        {
          message: `${field} : ${at} n’est pas une date du calendrier (ou pas une heure du jour)`,
        },
      );
      return '';
    }
    if (ms > now + FUTURE_SLACK_MS)
      this.add('DT_REQUEST_TIME', field, `${field}: ${at} is in the future`, undefined, {
        message: `${field} : ${at} est dans le futur`,
      });
    if (ms < Date.parse('1900-01-01T00:00Z'))
      this.add('DT_REQUEST_TIME', field, `${field}: ${at} is before 1900`, undefined, {
        message: `${field} : ${at} est antérieur à 1900`,
      });
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
        {
          message: `${field} : ${unit} est une concentration molaire ; les concentrations de médicament sont en masse par volume`,
          hint: 'convertir avec la masse molaire du compte rendu du laboratoire (par ex. µg/L, ng/mL, mg/L)',
        },
      );
      return;
    }
    try {
      convert(1, unit, probe, field);
    } catch (e) {
      if (e instanceof DosetwinError)
        this.issues.push(
          ...e.issues.map((i) => ({
            ...i,
            fr: { message: `${field} : l’unité « ${unit} » n’est pas ${UNIT_KIND_FR[dim]}` },
          })),
        );
      else throw e;
    }
  }
  positive(v: number, field: string, what: string): void {
    if (!(Number.isFinite(v) && v > 0))
      this.add('DT_REQUEST_VALUE', field, `${what} ${v} must be a number > 0`, undefined, {
        message: `${WHAT_FR[what] ?? what} ${v} : un nombre > 0 est attendu`,
      });
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
      { message: `${name} n’est pas une covariable du registre` },
    );
    return;
  }
  if (!e.units.includes(unit)) {
    c.add(
      'DT_UNIT_INCOMPATIBLE',
      'unit',
      `${name} cannot be given in '${unit}'`,
      `give it in ${e.units.join(', ')}`,
      {
        message: `${name} ne peut pas être donnée en « ${unit} »`,
        hint: `la donner en ${e.units.join(', ')}`,
      },
    );
    return;
  }
  if (!Number.isFinite(value)) {
    c.add('DT_REQUEST_VALUE', 'value', `${name} ${value} is not a number`, undefined, {
      message: `${name} ${value} n’est pas un nombre`,
    });
    return;
  }
  const issue = plausibilityIssue(name, value, unit);
  if (issue) c.issues.push({ ...issue, field: 'value' });
}
