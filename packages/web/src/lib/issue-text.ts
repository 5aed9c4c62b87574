/**
 * An issue as the UI shows it, in the UI's language: in English its own message (the values, the
 * field) and hint; in French the French message and hint its raiser wrote, else the catalogue's
 * French title and meaning of its code (every code raised is catalogued in both languages), so no
 * English sentence reaches a French screen.
 */
import { issueInfo } from '@dosetwin/models';
import type { Lang } from '../i18n/index.ts';

export interface ShownIssue {
  code: string;
  field: string;
  message: string;
  hint?: string;
  fr?: { message: string; hint?: string };
}

export function issueText(i: ShownIssue, lang: Lang): string {
  if (lang === 'fr') {
    if (i.fr) return `${i.field} : ${i.fr.message}${i.fr.hint ? ` (${i.fr.hint})` : ''}`;
    const info = issueInfo(i.code);
    if (info) return `${i.field} : ${info.title.fr} — ${info.meaning.fr}`;
  }
  return `${i.field}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`;
}
