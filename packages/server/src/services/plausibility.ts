/**
 * Plausibility at entry, as the service applies it: each dose, level and covariate entered is
 * checked by the library's plausibility module (`@dosetwin/models`, the one set of bounds) with
 * what the patient's record says — the drug (given with the entry, else the drug of the patient's
 * requests), the weight at the time, the doses in the 24 h around it. Hard findings are refused
 * (422, each naming its field); soft ones are refused with DT_ACK_REQUIRED until the request
 * acknowledges their codes (`acknowledge: ['DT_DOSE_UNUSUAL']`), and the acknowledged issues are
 * stored with the entry (its audit row holds them). A decision's retained regimen goes through the
 * same gate when it is signed (services/validations.ts).
 */
import { DosetwinError, type Issue } from '@dosetwin/engine';
import {
  type Bilingual,
  checkCovariateValue,
  checkDailyDose,
  checkDose,
  checkEntryTime,
  checkLevel,
  checkRegimen,
  checkRegimenStart,
  drugBounds,
  drugFile,
  type EntryCheck,
  getModel,
  maxDailyDose,
  modelRoutes,
  needingAcknowledgement,
  weightAt,
} from '@dosetwin/models';
import type {
  Administration,
  Covariate,
  NewAdministration,
  NewCovariate,
  NewSample,
  Regimen,
  StoredInputs,
} from '../contract/index.ts';
import { reject } from '../errors.ts';
import type { Tx } from '../store.ts';

/** What of the patient's record an entry's checks read (its records in force). */
export interface RecordContext {
  covariates: readonly Pick<Covariate, 'at' | 'name' | 'value' | 'unit'>[];
  administrations: readonly Pick<Administration, 'at' | 'amount' | 'unit'>[];
}

/** What an entry's plausibility leaves to store and say: the warnings acknowledged, the conversions done. */
export interface Plausible {
  acknowledged: Issue[];
  conversions: Bilingual[];
}

/** The issue heading the warnings a request must acknowledge before it is carried out. */
export function acknowledgementRequired(pending: readonly Issue[]): Issue {
  const codes = [...new Set(pending.map((i) => i.code))];
  const list = pending.map((i) => `${i.field} (${i.code})`).join(', ');
  return {
    code: 'DT_ACK_REQUIRED',
    severity: 'error',
    field: 'acknowledge',
    message: `to be confirmed before it is recorded: ${list}`,
    hint: `if the values are right, send the request again with acknowledge: [${codes.map((c) => `'${c}'`).join(', ')}]`,
    fr: {
      message: `à confirmer avant l’enregistrement : ${list}`,
      hint: `si les valeurs sont justes, renvoyer la demande avec acknowledge: [${codes.map((c) => `'${c}'`).join(', ')}]`,
    },
  };
}

/**
 * The gate: errors refused as they are; warnings needing an acknowledgement refused with
 * DT_ACK_REQUIRED unless every one's code is in `acknowledge`; what was acknowledged returned.
 */
export function requireAcknowledgement(found: EntryCheck, acknowledge: readonly string[] = []): Plausible {
  const errors = found.issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new DosetwinError(errors);
  const soft = needingAcknowledgement(found.issues);
  const pending = soft.filter((i) => !acknowledge.includes(i.code));
  if (pending.length) throw new DosetwinError([acknowledgementRequired(pending), ...pending]);
  return { acknowledged: soft, conversions: found.conversions };
}

/**
 * The drugs an entry is checked for: the one given (a library drug, else refused naming `drug`),
 * else those of the patient's requests (a model's drug is its id's folder), else none (null: the
 * bounds any drug satisfies).
 */
export async function entryDrugs(
  db: Tx,
  patientId: string,
  given: string | undefined,
): Promise<(string | null)[]> {
  if (given !== undefined) {
    const f = drugFile(given);
    if (!f)
      reject(
        'DT_DRUG_UNKNOWN',
        'drug',
        `'${given}' is not a drug of the library`,
        'GET /api/models lists the drugs of the library models',
        {
          message: `« ${given} » n’est pas un médicament de la bibliothèque`,
          hint: 'GET /api/models donne les médicaments des modèles de la bibliothèque',
        },
      );
    return [f.drug];
  }
  const rows = await db
    .selectFrom('requests')
    .select(['kind', 'model_id'])
    .where('patient_id', '=', patientId)
    .execute();
  const drugs = [
    ...new Set(rows.map((r) => (r.kind === 'drug' ? r.model_id : r.model_id.split('/')[0]))),
  ].filter((d) => drugFile(d) !== null);
  return drugs.length ? drugs : [null];
}

/** Several checks as one: the issues without repeats, the conversions once. */
function merged(checks: readonly EntryCheck[]): EntryCheck {
  const seen = new Set<string>();
  const issues = checks
    .flatMap((c) => c.issues)
    .filter((i) => {
      const k = `${i.code}|${i.field}|${i.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const conv = new Map(checks.flatMap((c) => c.conversions).map((x) => [x.en, x]));
  return { issues, conversions: [...conv.values()] };
}

/** A dose entered: its amount (per kg with the weight at the time), route, infusion, and the most given in 24 h around it. */
export async function checkAdministrationEntry(
  db: Tx,
  patientId: string,
  b: NewAdministration,
  records: RecordContext,
): Promise<EntryCheck> {
  const drugs = await entryDrugs(db, patientId, b.drug);
  const weightKg = weightAt(records.covariates, b.at);
  const at = Date.parse(b.at);
  const doses = [
    ...records.administrations.map((a) => ({ ms: Date.parse(a.at), amount: a.amount, unit: a.unit })),
    { ms: at, amount: b.amount, unit: b.unit },
  ];
  const times = checkEntryTime('dose', b, {
    birthDate: await birthDateOf(db, patientId),
    nowMs: Date.now(),
    doses: records.administrations,
  });
  return merged([
    { issues: times, conversions: [] },
    ...drugs.map((drug) => {
      const one = checkDose(
        { drug, weightKg },
        { amount: b.amount, unit: b.unit, route: b.route, duration: b.duration ?? null },
        (k) => (k === 'duration' ? 'duration.value' : k),
      );
      if (one.issues.some((i) => i.severity === 'error' && i.code === 'DT_DOSE_IMPLAUSIBLE')) return one;
      const daily = checkDailyDose(
        { drug, weightKg },
        maxDailyDose(doses, drugBounds(drug).dailyDose.unit, at),
        'amount',
      );
      return daily ? { ...one, issues: [...one.issues, daily] } : one;
    }),
  ]);
}

/** A level entered, in the drug's unit (the conversion echoed). */
export async function checkSampleEntry(db: Tx, patientId: string, b: NewSample): Promise<EntryCheck> {
  const drugs = await entryDrugs(db, patientId, b.drug);
  const times = checkEntryTime('level', b, {
    birthDate: await birthDateOf(db, patientId),
    nowMs: Date.now(),
    doses: [],
  });
  return merged([
    { issues: times, conversions: [] },
    ...drugs.map((drug) =>
      checkLevel({ drug, weightKg: null }, { value: b.value, unit: b.unit, lloq: b.lloq ?? null }, 'value'),
    ),
  ]);
}

/** A covariate entered: its usual range (the hard limits are validate.ts's), weight against height and age, its time. */
export async function checkCovariateEntry(
  db: Tx,
  patientId: string,
  b: NewCovariate,
  records: RecordContext,
): Promise<EntryCheck> {
  const c = checkCovariateValue(b.name, b.value, b.unit, 'value', records.covariates);
  const times = checkEntryTime('covariate', b, {
    birthDate: await birthDateOf(db, patientId),
    nowMs: Date.now(),
    doses: [],
  });
  return {
    issues: [...times, ...c.issues.filter((i) => i.severity === 'warning')],
    conversions: c.conversions,
  };
}

/** The patient's birth date in force (`YYYY-MM-DD`: as entered, or as its latest identity correction says), null without one. */
export async function birthDateOf(db: Tx, patientId: string): Promise<string | null> {
  const row = await db
    .selectFrom('patient_identity')
    .select('birth_date')
    .where('patient_id', '=', patientId)
    .executeTakeFirst();
  if (!row) return null;
  const last = await db
    .selectFrom('corrections')
    .select('value')
    .where('entity', '=', 'identity')
    .where('record_id', '=', patientId)
    .orderBy('seq', 'desc')
    .executeTakeFirst();
  const amended = last?.value ? (JSON.parse(last.value) as { birthDate?: string }).birthDate : undefined;
  return amended ?? row.birth_date;
}

/**
 * A decision's retained regimen ('modify'), for the analysis's drug: its doses (per kg with the
 * weight recorded at its start), interval, infusion against its interval, the most given in 24 h,
 * and a route the analysed model (a one-model analysis) or the drug's models can take.
 */
export function checkRetainedRegimen(
  kind: 'model' | 'drug',
  inputs: Pick<StoredInputs, 'covariates' | 'start' | 'administrations'> & { drug?: string | null },
  modelId: string,
  regimen: Regimen,
): EntryCheck {
  const ir = getModel(modelId).ir;
  const drug = kind === 'drug' && inputs.drug ? inputs.drug : ir.drug || null;
  const at = regimen.start ?? inputs.start ?? new Date().toISOString();
  const found = checkRegimen(
    {
      drug,
      weightKg: weightAt(inputs.covariates, at),
      ...(kind === 'model' ? { routes: modelRoutes(ir) } : {}),
    },
    regimen,
  );
  const last = inputs.administrations.reduce<string | null>(
    (m, a) => (m === null || Date.parse(a.at) > Date.parse(m) ? a.at : m),
    null,
  );
  return { ...found, issues: [...found.issues, ...checkRegimenStart(regimen.start, last, Date.now())] };
}

/**
 * What a signature must acknowledge: the analysis's warnings that block it (misfit, levels far
 * from the fit, unusual entries: models' `needingAcknowledgement`) and the retained regimen's soft
 * findings; its hard findings refuse the decision. A rejection acknowledges nothing.
 */
export function signatureGate(
  decision: 'accept' | 'modify' | 'reject',
  warnings: readonly Issue[],
  retained: EntryCheck | null,
  acknowledge: readonly string[] = [],
): Plausible {
  if (decision === 'reject') return { acknowledged: [], conversions: [] };
  return requireAcknowledgement(
    {
      issues: [...(retained?.issues ?? []), ...needingAcknowledgement(warnings)],
      conversions: retained?.conversions ?? [],
    },
    acknowledge,
  );
}
