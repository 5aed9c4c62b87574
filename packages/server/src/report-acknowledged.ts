/**
 * The report's list of acknowledged warnings: what the record's entries confirmed when they were
 * entered (an unusual dose, a level in another unit…) and what the signature confirmed (a misfit,
 * a unit slip, the modified regimen's unusual values), each in the report's language with who
 * confirmed it and when. Nothing reaches a signed decision unacknowledged, so this list is the
 * whole of what the signer and the people entering data took responsibility for.
 */
import type { Issue } from './contract/index.ts';
import { type ReportLang, timeText } from './report-text.ts';

/** A warning confirmed when an entry was recorded. */
export interface AcknowledgedEntry {
  kind: 'dose' | 'level' | 'covariate';
  /** The entry's clinical time. */
  at: string;
  /** Who entered it (display name). */
  by: string;
  issue: Issue;
}

const WORDS = {
  title: { en: 'Acknowledged warnings', fr: 'Avertissements confirmés' },
  dose: { en: 'the dose', fr: 'de la dose' },
  level: { en: 'the level', fr: 'du dosage' },
  covariate: { en: 'the covariate', fr: 'de la covariable' },
} as const;

/** An issue's own message in the language (its French text where it has one). */
const said = (i: Issue, lang: ReportLang): string => (lang === 'fr' && i.fr ? i.fr.message : i.message);

/** The section's lines: the signature's confirmations, then the entries'; none without any. */
export function acknowledgedLines(
  lang: ReportLang,
  timeZone: string,
  signature: { by: string; at: string; issues: readonly Issue[] },
  entries: readonly AcknowledgedEntry[],
): { title: string; lines: string[] } | null {
  const T = (iso: string): string => timeText(iso, lang, timeZone);
  const fr = lang === 'fr';
  const lines = [
    ...signature.issues.map((i) =>
      fr
        ? `À la signature (${signature.by}, ${T(signature.at)}) : ${said(i, lang)} [${i.code}]`
        : `At signature (${signature.by}, ${T(signature.at)}): ${said(i, lang)} [${i.code}]`,
    ),
    ...entries.map((e) =>
      fr
        ? `À la saisie ${WORDS[e.kind].fr} du ${T(e.at)} (${e.by}) : ${said(e.issue, lang)} [${e.issue.code}]`
        : `At entry of ${WORDS[e.kind].en} of ${T(e.at)} (${e.by}): ${said(e.issue, lang)} [${e.issue.code}]`,
    ),
  ];
  return lines.length ? { title: WORDS.title[lang], lines } : null;
}
