// The browser tests' bench: the app built by Vite, the service on an empty database with a
// prescriber (ICU) and a pharmacologist, Debian's chromium at 1280×800 driven by playwright-core;
// screenshots to a folder of artifacts/e2e/, page errors and console errors collected. Without
// chromium and outside CI the browser tests are skipped with a message; in CI they run.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@dosetwin/server';
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

/** The password of the two accounts. */
export const PASSWORD = 'a long enough password';

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
  /** Page errors and console errors so far (the browser's /favicon.ico on the report excepted). */
  problems: string[];
  /** Screenshot `NN-name.png` in the bench's folder (full page when asked). */
  shot(name: string, fullPage?: boolean): Promise<void>;
  /** The path of the next numbered screenshot (for an element's screenshot). */
  nextShot(name: string): string;
  /** Sign in with the UI's labels (English unless given); waits for the header's user. */
  signIn(username: 'dr.prescriber' | 'dr.pharmaco', L?: Record<keyof typeof en, string>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Build the app, start the service and the browser, create the accounts `dr.prescriber`
 * (prescriber, ICU) and `dr.pharmaco` (pharmacologist). Screenshots go to `dir` (its files are
 * removed first; its sub-folders, other tests' screenshots, are kept).
 */
export async function openBench(dir: string): Promise<Bench> {
  const { chromium } = await import('playwright-core');
  const { build } = await import('vite');
  const tmp = mkdtempSync(join(tmpdir(), 'dt-e2e-'));
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isFile()) rmSync(join(dir, f));
  const webRoot = join(tmp, 'web');
  await build({ root: WEB, logLevel: 'warn', build: { outDir: webRoot, emptyOutDir: true } });
  const server = await startServer({ port: 0, dataDir: join(tmp, 'data'), webRoot });
  const ctx = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const close = async (): Promise<void> => {
    await ctx.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    // Accounts (the admin's API, as an administrator would).
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(server.admin!),
    });
    const adminAuth = `Bearer ${((await login.json()) as { token: string }).token}`;
    for (const [username, role, service] of [
      ['dr.prescriber', 'prescriber', 'icu'],
      ['dr.pharmaco', 'pharmacologist', 'pharmacology'],
    ]) {
      const r = await fetch(`${server.url}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: adminAuth },
        body: JSON.stringify({
          username,
          displayName: `Dr ${username.slice(3)}`,
          password: PASSWORD,
          role,
          service,
        }),
      });
      assert.equal(r.status, 201, await r.text());
    }
  } catch (e) {
    await close();
    throw e;
  }
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The browser's own /favicon.ico request on the server-rendered report is not the app's.
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico'))
      problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  let step = 0;
  const nextShot = (name: string): string => join(dir, `${pad(++step)}-${name}.png`);
  return {
    url: server.url,
    page,
    ctx,
    problems,
    nextShot,
    shot: async (name, fullPage = false) => {
      await page.screenshot({ path: nextShot(name), fullPage });
    },
    signIn: async (username, L = en) => {
      await page.getByLabel(L.username).fill(username);
      await page.getByRole('textbox', { name: L.password }).fill(PASSWORD);
      await page.getByRole('button', { name: L.signIn }).click();
      await page.getByTestId('whoami').waitFor();
    },
    close,
  };
}
