/**
 * First-run set-up (an admin account with a one-time password, kept in a 0600 file of the data
 * directory until it is changed) and the demo data set.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { DEFAULT_SCRYPT, hashPassword, type ScryptCost } from './auth.ts';
import type { Database } from './db/schema.ts';
import { oneTimePassword } from './services/credentials.ts';
import { audit, newId, nowIso } from './store.ts';

/** The file of the first administrator's one-time password, in the data directory. */
export const INITIAL_PASSWORD_FILE = 'initial-admin-password.txt';

/**
 * Create `admin` when there is no admin yet, with a one-time password that must be changed at the
 * first sign-in. The password is written to `<dataDir>/initial-admin-password.txt` (0600) before
 * the account is stored, so a first start that fails afterwards does not lose it; the file goes
 * once the password is changed. Returns the password and the file, or null when an admin exists.
 */
export async function ensureAdmin(
  db: Kysely<Database>,
  cost: ScryptCost = DEFAULT_SCRYPT,
  dataDir: string | null = null,
): Promise<{ username: string; password: string; file: string | null } | null> {
  const existing = await db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirst();
  if (existing) return null;
  const password = oneTimePassword();
  let file: string | null = null;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    file = join(dataDir, INITIAL_PASSWORD_FILE);
    rmSync(file, { force: true });
    writeFileSync(
      file,
      `user: admin\npassword: ${password}\n\nA one-time password: sign in with it and choose your own; this file is then removed.\n`,
      { mode: 0o600, flag: 'wx' },
    );
  }
  const id = newId();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({
        id,
        username: 'admin',
        display_name: 'Administrator',
        password_hash: await hashPassword(password, cost),
        role: 'admin',
        service: 'pharmacology',
        active: 1,
        created_at: nowIso(),
        must_change_password: 1,
      })
      .execute();
    await audit(trx, {
      user: null,
      action: 'create',
      entity: 'user',
      entityId: id,
      after: { username: 'admin', role: 'admin' },
    });
  });
  return { username: 'admin', password, file };
}

/**
 * At a later start: the one-time password file while its password is still to be changed (the
 * first start may have failed before anyone read it), else null (a stale file is removed).
 */
export async function pendingInitialPassword(db: Kysely<Database>, dataDir: string): Promise<string | null> {
  const file = join(dataDir, INITIAL_PASSWORD_FILE);
  if (!existsSync(file)) return null;
  const user = /^user: (.+)$/m.exec(readFileSync(file, 'utf8'))?.[1];
  const row = user
    ? await db
        .selectFrom('users')
        .select('must_change_password')
        .where('username', '=', user)
        .executeTakeFirst()
    : undefined;
  if (row?.must_change_password === 1) return file;
  rmSync(file, { force: true });
  return null;
}

const hoursAgo = (now: number, h: number): string => new Date(now - h * 3_600_000).toISOString();

/**
 * The demo: a kidney-transplant recipient on tacrolimus (Prograf, twice daily, two whole-blood
 * troughs) in service `nephrology`, and an ICU patient on vancomycin (infusions every 12 h, two
 * plasma levels) in service `icu`, each with a submitted request. Times are relative to now.
 * Returns the patients' pseudonyms; does nothing when the demo patients exist.
 */
export async function loadDemo(db: Kysely<Database>, byUserId: string): Promise<string[]> {
  const done = await db
    .selectFrom('patient_identity')
    .select('patient_id')
    .where('hospital_number', '=', 'DEMO-TAC-1')
    .executeTakeFirst();
  if (done) return [];
  const now = Date.now();
  const created_at = nowIso();
  const out: string[] = [];
  const patients = [
    {
      hn: 'DEMO-TAC-1',
      name: ['Demo', 'Kidney'],
      sex: 'female',
      service: 'nephrology',
      model: 'tacrolimus/woillard2011-prograf',
      question:
        'Day 5 after kidney transplantation; trough 13.1 ng/mL on 5 mg twice daily. Dose for 5-10 ng/mL?',
      covariates: [
        ['HCT', 29, '%'],
        ['CYP3A5', 0, '-'],
        ['WT', 64, 'kg'],
      ] as const,
      doses: Array.from({ length: 9 }, (_, k) => ({
        h: 108 - 12 * k,
        amount: 5,
        unit: 'mg',
        route: 'oral',
        product: 'Prograf 5 mg capsule',
        duration: null,
      })),
      samples: [
        { h: 12.5, value: 13.1, unit: 'ng/mL', matrix: 'whole blood', assay: 'LC-MS/MS', lloq: 1 },
        { h: 0.5, value: 12.4, unit: 'ng/mL', matrix: 'whole blood', assay: 'LC-MS/MS', lloq: 1 },
      ],
    },
    {
      hn: 'DEMO-VAN-1',
      name: ['Demo', 'Intensive'],
      sex: 'male',
      service: 'icu',
      model: 'vancomycin/goti2018',
      question: 'ICU, MRSA pneumonia; 1 g every 12 h. AUC24 400-600?',
      covariates: [
        ['WT', 82, 'kg'],
        ['AGE', 58, 'y'],
        ['SCR', 95, 'umol/L'],
        ['SEX', 0, '-'],
        ['DIAL', 0, '-'],
      ] as const,
      doses: Array.from({ length: 4 }, (_, k) => ({
        h: 50 - 12 * k,
        amount: 1000,
        unit: 'mg',
        route: 'infusion',
        product: 'vancomycin 1 g vial',
        duration: 1,
      })),
      samples: [
        { h: 12.5, value: 28.5, unit: 'mg/L', matrix: 'plasma', assay: 'immunoassay (PETINIA)', lloq: 2 },
        { h: 2.5, value: 11.2, unit: 'mg/L', matrix: 'plasma', assay: 'immunoassay (PETINIA)', lloq: 2 },
      ],
    },
  ];
  await db.transaction().execute(async (trx) => {
    for (const p of patients) {
      const id = newId();
      const pseudonym = `P-DEMO-${p.hn.slice(5, 8)}`;
      out.push(pseudonym);
      const t0 = Math.max(...p.doses.map((d) => d.h)) + 2;
      await trx
        .insertInto('patients')
        .values({ id, pseudonym, service: p.service, sex: p.sex, created_at, created_by: byUserId })
        .execute();
      await trx
        .insertInto('patient_identity')
        .values({
          patient_id: id,
          family_name: p.name[0],
          given_name: p.name[1],
          birth_date: '1968-04-02',
          hospital_number: p.hn,
        })
        .execute();
      for (const [name, value, unit] of p.covariates)
        await trx
          .insertInto('covariates')
          .values({
            id: newId(),
            patient_id: id,
            at: hoursAgo(now, t0),
            at_utc: hoursAgo(now, t0),
            name,
            value,
            unit,
            created_at,
            created_by: byUserId,
          })
          .execute();
      for (const d of p.doses)
        await trx
          .insertInto('administrations')
          .values({
            id: newId(),
            patient_id: id,
            at: hoursAgo(now, d.h),
            at_utc: hoursAgo(now, d.h),
            amount: d.amount,
            unit: d.unit,
            route: d.route,
            duration_value: d.duration,
            duration_unit: d.duration === null ? null : 'h',
            product: d.product,
            created_at,
            created_by: byUserId,
          })
          .execute();
      for (const s of p.samples)
        await trx
          .insertInto('samples')
          .values({
            id: newId(),
            patient_id: id,
            at: hoursAgo(now, s.h),
            at_utc: hoursAgo(now, s.h),
            value: s.value,
            unit: s.unit,
            matrix: s.matrix,
            assay: s.assay,
            lloq: s.lloq,
            created_at,
            created_by: byUserId,
          })
          .execute();
      const rid = newId();
      await trx
        .insertInto('requests')
        .values({
          id: rid,
          patient_id: id,
          kind: 'model',
          model_id: p.model,
          question: p.question,
          status: 'submitted',
          created_at,
          created_by: byUserId,
        })
        .execute();
      await audit(trx, {
        user: null,
        action: 'create',
        entity: 'demo',
        entityId: id,
        patientId: id,
        after: { pseudonym, request: rid },
      });
    }
  });
  return out;
}

/** The demo's clinical accounts: a prescriber of the ICU and a pharmacologist. */
export const DEMO_USERS = [
  { username: 'demo.prescriber', displayName: 'Dr Demo (ICU)', role: 'prescriber', service: 'icu' },
  {
    username: 'demo.pharmacologist',
    displayName: 'Dr Demo (pharmacology)',
    role: 'pharmacologist',
    service: 'pharmacology',
  },
] as const;

/**
 * Create the demo's clinical accounts that do not exist yet, each with a one-time password
 * (printed once by `dosetwin serve --demo`; changed at the first sign-in, and the pharmacologist
 * then enrols a second factor); returns those created.
 */
export async function ensureDemoUsers(
  db: Kysely<Database>,
  cost: ScryptCost = DEFAULT_SCRYPT,
): Promise<{ username: string; password: string; role: string }[]> {
  const out: { username: string; password: string; role: string }[] = [];
  for (const u of DEMO_USERS) {
    const existing = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', u.username)
      .executeTakeFirst();
    if (existing) continue;
    const password = oneTimePassword();
    const id = newId();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id,
          username: u.username,
          display_name: u.displayName,
          password_hash: await hashPassword(password, cost),
          role: u.role,
          service: u.service,
          active: 1,
          created_at: nowIso(),
          must_change_password: 1,
        })
        .execute();
      await audit(trx, {
        user: null,
        action: 'create',
        entity: 'user',
        entityId: id,
        after: { username: u.username, role: u.role, service: u.service, demo: true },
      });
    });
    out.push({ username: u.username, password, role: u.role });
  }
  return out;
}
