/**
 * What an analysis says of the corrected record it used: each correction of a dose, a level or a
 * covariate, the values before and after (or "entered in error"), the reason, author and time,
 * as stored with the analysis's inputs.
 */
import { Alert, Text } from '@mantine/core';
import type {
  Analysis,
  CovariateValues,
  DoseValues,
  InputCorrection,
  LevelValues,
} from '@dosetwin/server/contract';
import { memo } from 'react';
import { covariateText, doseText, levelText } from '../components/Timeline.tsx';
import { useT } from '../i18n/index.ts';
import { showDateTime } from '../lib/time.ts';

export const CorrectionsNote = memo(function CorrectionsNote({ analysis: a }: { analysis: Analysis }) {
  const { t, lang } = useT();
  const list = a.inputs.corrections ?? [];
  if (!list.length) return null;
  const text = (c: InputCorrection, v: DoseValues | LevelValues | CovariateValues): string =>
    c.record === 'administration'
      ? doseText(v as DoseValues, lang, t)
      : c.record === 'sample'
        ? levelText(v as LevelValues, lang)
        : covariateText(v as CovariateValues, lang);
  const what = { administration: 'dose', sample: 'level', covariate: 'covariate' } as const;
  return (
    <Alert
      color="blue"
      p="xs"
      title={t('analysisCorrected', { n: list.length })}
      data-testid="analysis-corrections"
    >
      {list.map((c) => (
        <Text key={c.id} size="sm">
          {t('correctionLine', {
            what: t(what[c.record]),
            at: showDateTime(c.before.at, lang),
            before: text(c, c.before),
            after: c.after ? text(c, c.after) : t('enteredInError'),
            reason: c.reason,
            who: c.author,
            when: showDateTime(c.createdAt, lang),
          })}
        </Text>
      ))}
    </Alert>
  );
});
