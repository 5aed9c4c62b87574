/**
 * "ML estimate (limited sampling)": the shipped estimator's AUC of the sampled dosing interval beside
 * the twin's MAP AUC of the same interval, their difference, the estimator's validated accuracy and
 * when it applies. Shown whenever the library has an estimator for the drug: the numbers when it
 * applies, else one line per estimator saying why not. Nothing when the drug has no estimator.
 */
import { Card, Table, Text, Title } from '@mantine/core';
import { memo } from 'react';
import { useT } from '../i18n/index.ts';
import { showDateTime } from '../lib/time.ts';
import { fmt, fmtSigned, unitLabel } from '../lib/units.ts';
import type { MlResult } from '../lib/worker-protocol.ts';

/** A percentage with one decimal (3.0 kept) and its sign. */
const signed = (x: number, lang: 'en' | 'fr'): string =>
  fmtSigned(x, lang, { decimals: 1, fixed: true }, true);

export const MlCard = memo(function MlCard({ ml }: { ml: MlResult }) {
  const { t, lang } = useT();
  const p = ml.panel;
  if (!p && !ml.reasons.length) return null;
  const times = (v: number[]): string => v.map((x) => fmt(x, lang, 3)).join(', ');
  const unit = (u: string): string => unitLabel(u).replace('*', '·');
  return (
    <Card
      withBorder
      padding="sm"
      mt="sm"
      component="section"
      aria-labelledby="ml-title"
      data-testid="ml-estimate"
    >
      <Title order={3} size="h5" id="ml-title" mb={4}>
        {t('mlTitle')}
      </Title>
      {!p &&
        ml.reasons.map((r) => (
          <Text key={r.id} size="sm" data-testid="ml-not-applicable">
            {t('mlNotApplicable', { id: r.id, reason: t(r.reason.key, r.reason.vars) })}
          </Text>
        ))}
      {p && (
        <>
          <Table aria-labelledby="ml-title" data-testid="ml-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th>
                  {/* The estimator's label is English data: in French, the same AUC said in French. */}
                  {lang === 'fr' ? t('mlTargetAuc', { tau: p.tauH }) : p.label}
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              <Table.Tr>
                <Table.Td>{t('mlMethodMl', { id: p.estimatorId })}</Table.Td>
                <Table.Td data-testid="ml-auc">
                  <Text span fw={700}>
                    {fmt(p.mlAuc, lang)} {unit(p.unit)}
                  </Text>
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Td>{p.map ? t('mlMethodMap') : t('mlMethodMapPrior')}</Table.Td>
                <Table.Td data-testid="ml-map-auc">
                  {fmt(p.mapAuc, lang)} {unit(p.unit)}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Td>{t('mlDifference')}</Table.Td>
                <Table.Td data-testid="ml-diff">{signed(p.diffPct, lang)} %</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
          <Text size="sm" mt={4}>
            {t('mlLevels', {
              times: times(p.sampleTimesH),
              date: showDateTime(p.doseMs, lang),
              tau: p.tauH,
              n: p.dosesAtTau,
            })}
          </Text>
          {p.fewDoses && (
            <Text size="sm" c="orange.9" data-testid="ml-few-doses">
              {t('mlFewDoses', { n: p.dosesAtTau })}
            </Text>
          )}
          {p.heldOut && (
            <Text size="sm">
              {t('mlAccuracy', {
                n: p.heldOut.n,
                bias: signed(p.heldOut.biasPct, lang),
                rmse: fmt(p.heldOut.rmsePct, lang, 3),
              })}
            </Text>
          )}
          {p.external && (
            <Text size="sm">
              {t('mlAccuracyExternal', {
                model: p.external.model ?? '—',
                n: p.external.n,
                bias: signed(p.external.biasPct, lang),
                rmse: fmt(p.external.rmsePct, lang, 3),
              })}
            </Text>
          )}
          <Text size="xs" c="gray.7" mt={4}>
            {t('mlNote', { tau: p.tauH, times: times(p.timesH) })}
          </Text>
        </>
      )}
    </Card>
  );
});
