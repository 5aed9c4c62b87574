/**
 * A drug-level patient written as the NONMEM-style CSV that `parseDrugData` reads, every quantity
 * with its unit in the header (`ID,TIME (h),EVID,AMT (mg),RATE (mg/h),DV (mg/L),MDV,WT (kg),…`):
 * what `dosetwin fhir import --csv` writes, so that a record imported from FHIR can be fitted by
 * the CLI or any NONMEM-style tool without a unit guessed. A covariate's cell is empty where it
 * was not recorded (its previous value holds, as the reader takes it).
 */
import { DosetwinError } from '@dosetwin/engine';
import { convertCovariate, quantityOf } from '../covariates.ts';
import type { DrugPatient } from '../patient.ts';

const cell = (x: number | null | undefined): string => (x === undefined || x === null ? '' : String(x));

export function drugPatientCsv(p: DrugPatient): string {
  // Each covariate's column and unit: the first recorded value's (bare numbers are codes, no unit).
  const units = new Map<string, string | null>();
  for (const r of p.records)
    for (const [name, v] of Object.entries(r.covariates ?? {}))
      if (v !== null && v !== undefined && !units.has(name))
        units.set(name, typeof v === 'number' ? null : v.unit);
  const names = [...units.keys()];
  const { dose, time, conc } = p.units;
  const header = [
    'ID',
    `TIME (${time})`,
    'EVID',
    `AMT (${dose})`,
    `RATE (${dose}/${time})`,
    `DV (${conc})`,
    'MDV',
    `LLOQ (${conc})`,
    ...names.map((n) => (units.get(n) ? `${n} (${units.get(n)})` : n)),
  ];
  const rows = p.records.map((r) => {
    const evid = r.evid ?? ((r.amt ?? 0) > 0 ? 1 : 0);
    const level = evid === 0 && r.dv !== undefined && r.dv !== null;
    const covs = names.map((n) => {
      const v = r.covariates?.[n];
      if (v === undefined || v === null) return '';
      const unit = units.get(n) ?? null;
      if (typeof v === 'number' || unit === null) return cell(typeof v === 'number' ? v : v.value);
      const x = convertCovariate(v.value, v.unit, unit, quantityOf(n));
      if (x === null)
        throw new DosetwinError([
          {
            code: 'DT_DATA_UNIT',
            severity: 'error',
            field: `covariates.${n}`,
            message: `${n} is recorded in ${v.unit} and in ${unit}, which do not convert`,
          },
        ]);
      return cell(x);
    });
    return [
      p.id,
      cell(r.time),
      String(evid),
      evid === 1 ? cell(r.amt) : '',
      evid === 1 ? cell(r.rate ?? 0) : '',
      level ? cell(r.dv) : '',
      level ? '0' : '1',
      level ? cell(r.lloq) : '',
      ...covs,
    ].join(',');
  });
  return [header.join(','), ...rows].join('\n') + '\n';
}
