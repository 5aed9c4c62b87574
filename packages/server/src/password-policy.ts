/**
 * The password policy (NIST SP 800-63B §5.1.1.2, ASVS 2.1): at least 12 characters (code points,
 * any character allowed, no composition rule), at most 128; not the user name nor containing it;
 * not a common password. The common passwords are the 10 000 of data/common-passwords.txt (its
 * source and licence beside it), checked offline: the password itself, then without the digits
 * and symbols that pad it (`password2024!`), then as one listed word repeated (`monkeymonkey`).
 */
import { readFileSync } from 'node:fs';

export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 128;

let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('../data/common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean),
  );
  return common;
}

/** Whether a password is (or pads, or repeats) a common password. */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const p = password.normalize('NFC').toLowerCase();
  if (list.has(p)) return true;
  const core = p.replace(/^[\d\W_]+|[\d\W_]+$/gu, '');
  if (core.length < p.length && list.has(core)) return true;
  for (let n = 1; n <= p.length / 2; n++)
    if (p.length % n === 0 && p.slice(0, n).repeat(p.length / n) === p)
      return n < 4 || list.has(p.slice(0, n));
  return false;
}

/** What is wrong with a password for this user (English), or null when it may be used. */
export function passwordProblem(password: string, username: string): string | null {
  const n = [...password.normalize('NFC')].length;
  if (n < MIN_PASSWORD) return `a password needs at least ${MIN_PASSWORD} characters (this one has ${n})`;
  if (n > MAX_PASSWORD) return `a password has at most ${MAX_PASSWORD} characters`;
  const u = username.toLowerCase();
  if (u && password.toLowerCase().includes(u)) return 'a password may not contain the user name';
  if (isCommonPassword(password)) return 'this password is among the most common ones; choose another';
  return null;
}
