/**
 * The one regimen shape that crosses every boundary of dosetwin (the service's API, the web app,
 * the stored analysis and its report, the CLI's JSON): what a prescriber writes, every number with
 * its unit. The engine's numeric `FutureRegimen` (model units, model time) is derived from it at
 * the edge by {@link toFutureRegimen}.
 */
import { convert, type FutureRegimen } from '@dosetwin/engine';

/** A number with its unit (`{ value: 1000, unit: 'mg' }`). */
export interface Quantity {
  value: number;
  unit: string;
}

export type Route = 'oral' | 'bolus' | 'infusion';

export interface Regimen {
  /** Maintenance dose per administration. */
  dose: Quantity;
  /** Dosing interval. */
  interval: Quantity;
  route: Route;
  /** Infusion duration (route `infusion`), else null. */
  duration: Quantity | null;
  /** First new administration, ISO 8601 with a time zone; null = when the next dose is due. */
  start: string | null;
  /** A loading dose given as the first administration (maintenance follows one interval later), or null. */
  loading: { dose: Quantity; duration: Quantity | null } | null;
}

/**
 * The engine's regimen in a model's units: `start` is the model time of the first administration
 * (the caller maps the clinical start time to model time), `cmt` the dose compartment (0 = the
 * model's first).
 */
export function toFutureRegimen(
  r: Regimen,
  units: { dose: string; time: string },
  start: number,
  cmt = 0,
): FutureRegimen {
  const dose = convert(r.dose.value, r.dose.unit, units.dose, 'regimen.dose');
  const interval = convert(r.interval.value, r.interval.unit, units.time, 'regimen.interval');
  const duration = r.duration
    ? convert(r.duration.value, r.duration.unit, units.time, 'regimen.duration')
    : 0;
  return {
    start,
    dose,
    interval,
    duration,
    cmt,
    ...(r.loading
      ? {
          loadingDose: convert(r.loading.dose.value, r.loading.dose.unit, units.dose, 'regimen.loading.dose'),
          ...(r.loading.duration
            ? {
                loadingDuration: convert(
                  r.loading.duration.value,
                  r.loading.duration.unit,
                  units.time,
                  'regimen.loading.duration',
                ),
              }
            : {}),
        }
      : {}),
  };
}
