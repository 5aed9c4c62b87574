// The browser tests' bench: the app built by Vite, the service on an empty database with a
// prescriber (ICU) and two pharmacologists (one analyses, the other signs), Debian's chromium at 1280×800 driven by playwright-core;
// screenshots to a folder of artifacts/e2e/, page errors and console errors collected. Without
// chromium and outside CI the browser tests are skipped with a message; in CI they run.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Db, startServer, TOTP_PERIOD_S, totpCode } from '@dosetwin/server';
import type { BrowserContext, Page } from 'playwright-core';
import { en } from '../src/i18n/en.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WEB = fileURLToPath(new URL('..', import.meta.url));
/** Where the browser tests write their screenshots (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/e2e/', import.meta.url));

export const skip =
  existsSync(CHROMIUM) || process.env.CI === 'true'
    ? false
    : `chromium not found at ${CHROMIUM}: browser end-to-end test skipped (apt-get install chromium; .ci/run installs it)`;

/** The password each account chose at its first sign-in. */
export const PASSWORD = 'a long enough password';
/** The one-time password the administrator gives each account (changed at the first sign-in). */
const ONE_TIME = 'one-time password 7Qx';

const pad = (n: number): string => String(n).padStart(2, '0');
/** `<input type="datetime-local">` value of a date, local time, whole minutes. */
export const localInput = (d: Date): string =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
/** `2026-12-04 21:19`: a local date-time as the quick entry reads it. */
export const localPhrase = (d: Date): string =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;

export interface Bench {
  url: string;
  page: Page;
  ctx: BrowserContext;
  /** The service's database (SQLite), for a test that alters it as someone with access to it would. */
  db: Db;
  /** Page errors and console errors so far (the browser's /favicon.ico on the report excepted). */
  problems: string[];
  /** Screenshot `NN-name.png` in the bench's folder (full page when asked). */
  shot(name: string, fullPage?: boolean): Promise<void>;
  /** The path of the next numbered screenshot (for an element's screenshot). */
  nextShot(name: string): string;
  /**
   * An account of `role` created by the administrator over the API and through its first sign-in
   * (an auditor, say): its bearer authorization for API calls.
   */
  account(username: string, role: 'prescriber' | 'pharmacologist' | 'admin' | 'auditor'): Promise<string>;
  /** Sign in with the UI's labels (English unless given); waits for the header's user. */
  signIn(
    username: 'dr.prescriber' | 'dr.pharmaco' | 'dr.second' | 'admin',
    L?: Record<keyof typeof en, string>,
  ): Promise<void>;
  close(): Promise<void>;
}

/**
 * Build the app, start the service and the browser, create the accounts `dr.prescriber`
 * (prescriber, ICU) and `dr.pharmaco` (pharmacologist). Screenshots go to `dir` (its files are
 * removed first; its sub-folders, other tests' screenshots, are kept).
 */
export async function openBench(
  dir: string,
  // The port, when the service's address must be known before it starts (a SMART app's redirect URI).
  // timezoneId: the browser's IANA time zone (the test process's own is set through TZ).
  options: { locale?: string; port?: number; timezoneId?: string } = {},
): Promise<Bench> {
  const { chromium } = await import('playwright-core');
  const { build } = await import('vite');
  const tmp = mkdtempSync(join(tmpdir(), 'dt-e2e-'));
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isFile()) rmSync(join(dir, f));
  const webRoot = join(tmp, 'web');
  await build({ root: WEB, logLevel: 'warn', build: { outDir: webRoot, emptyOutDir: true } });
  const server = await startServer({ port: options.port ?? 0, dataDir: join(tmp, 'data'), webRoot });
  const ctx = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    // The browser's language (navigator.languages, Accept-Language): a French browser when asked;
    // the environment's language too, which its native date and time inputs follow.
    ...(options.locale
      ? {
          locale: options.locale,
          env: {
            ...process.env,
            LANG: `${options.locale.replace('-', '_')}.UTF-8`,
            LANGUAGE: options.locale,
          },
        }
      : {}),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The browser's own language too (its native date and time inputs).
      ...(options.locale ? [`--lang=${options.locale}`] : []),
    ],
  });
  const close = async (): Promise<void> => {
    await ctx.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  };
  // The second factor's secret of each account that has one, and the last step it was used at:
  // a TOTP code is accepted once per 30-s step, so a sign-in waits for a step not yet used.
  const totp = new Map<string, { secret: string; step: number }>();
  const freshCode = async (username: string): Promise<string> => {
    const t = totp.get(username)!;
    for (;;) {
      const now = Math.floor(Date.now() / 1000 / TOTP_PERIOD_S);
      // The service accepts the step after its clock's too (drift): one step ahead at most.
      const step = Math.max(now, t.step + 1);
      if (step <= now + 1) {
        t.step = step;
        return totpCode(t.secret, step * TOTP_PERIOD_S + 1);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  let account: Bench['account'];
  try {
    const post = async (url: string, body: object, auth?: string): Promise<Response> => {
      const r = await fetch(`${server.url}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
      assert.ok(r.status === 200 || r.status === 201, `${url}: ${r.status} ${await r.clone().text()}`);
      return r;
    };
    // A first sign-in as each account goes through it (over the API; the UI's own first sign-in
    // is played by the workflow test): the one-time password changed, then, for the roles that
    // sign in with a second factor, an authenticator enrolled and confirmed.
    const firstSignIn = async (username: string, oneTime: string): Promise<string> => {
      const login = await post('/api/auth/login', { username, password: oneTime });
      const auth = `Bearer ${/dt_session=([^;]+)/.exec(login.headers.getSetCookie().join('\n'))![1]}`;
      await post('/api/auth/password', { current: oneTime, password: PASSWORD }, auth);
      const me = (await (
        await fetch(`${server.url}/api/auth/me`, { headers: { authorization: auth } })
      ).json()) as { pending: string | null };
      if (me.pending === 'totp') {
        const { secret } = (await (await post('/api/auth/totp', {}, auth)).json()) as { secret: string };
        totp.set(username, { secret, step: 0 });
        await post('/api/auth/totp/confirm', { code: await freshCode(username) }, auth);
      }
      return auth;
    };
    const adminAuth = await firstSignIn(server.admin!.username, server.admin!.password);
    account = async (username, role) => {
      await post(
        '/api/users',
        { username, displayName: `Dr ${username.slice(3)}`, password: ONE_TIME, role, service: 'quality' },
        adminAuth,
      );
      return firstSignIn(username, ONE_TIME);
    };
    for (const [username, role, service] of [
      ['dr.prescriber', 'prescriber', 'icu'],
      ['dr.pharmaco', 'pharmacologist', 'pharmacology'],
      ['dr.second', 'pharmacologist', 'pharmacology'],
    ]) {
      await post(
        '/api/users',
        { username, displayName: `Dr ${username.slice(3)}`, password: ONE_TIME, role, service },
        adminAuth,
      );
      await firstSignIn(username, ONE_TIME);
    }
  } catch (e) {
    await close();
    throw e;
  }
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The browser's own /favicon.ico request on the server-rendered report is not the app's; a
    // 401 from asking who is signed in (nobody yet) or from a sign-in that asks for the second
    // factor's code is the service's answer, which chromium logs as a failed resource.
    const url = m.location().url;
    const expected401 =
      /status of 401/.test(m.text()) && /\/api\/auth\/(me|login)$/.test(new URL(url, 'http://x').pathname);
    if (m.type() === 'error' && !url.endsWith('/favicon.ico') && !expected401)
      problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  let step = 0;
  const nextShot = (name: string): string => join(dir, `${pad(++step)}-${name}.png`);
  return {
    url: server.url,
    page,
    ctx,
    db: server.app.dt.db,
    problems,
    nextShot,
    account,
    shot: async (name, fullPage = false) => {
      await page.screenshot({ path: nextShot(name), fullPage });
    },
    signIn: async (username, L = en) => {
      await page.getByLabel(L.username).fill(username);
      await page.getByRole('textbox', { name: L.password }).fill(PASSWORD);
      await page.getByRole('button', { name: L.signIn }).click();
      if (totp.has(username)) {
        // The password was right: the authenticator's code is asked.
        const code = page.getByRole('textbox', { name: L.totpCode });
        await code.fill(await freshCode(username));
        await page.getByRole('button', { name: L.signIn }).click();
      }
      await page.getByTestId('whoami').waitFor();
    },
    close,
  };
}
