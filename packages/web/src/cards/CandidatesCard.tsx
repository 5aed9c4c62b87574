/**
 * The ranked candidates as the service stored them: each regimen with its first dose and, when
 * another reads alike (the same dose and interval), what sets it apart; its exposure at the
 * individual prediction (averaged over the models for a drug) and its probability of target
 * attainment, a target met at the individual prediction but with a PTA below the threshold marked
 * ⚠ in both; the ranking rule and what ✓ and the PTA mean, in the library's words. Each can be
 * tried in the what-if. Memoised: a what-if edit does not re-render it.
 */
import { Button, Card, Table, Text, Title } from '@mantine/core';
import { PTA_THRESHOLD } from '@dosetwin/engine';
import {
  alikeDifferences,
  MET_MEANING,
  PTA_MEANING,
  ptaBelowThreshold,
  rankingRule,
  type Regimen,
} from '@dosetwin/models';
import type { Analysis } from '@dosetwin/server/contract';
import { memo } from 'react';
import { useT } from '../i18n/index.ts';
import { showDateTime } from '../lib/time.ts';
import { fmt } from '../lib/units.ts';
import { metMark, pct, ptaMark, regimenLine } from './format.ts';

export const CandidatesCard = memo(function CandidatesCard({
  analysis: a,
  onTry,
}: {
  analysis: Analysis;
  onTry: (patch: Partial<Regimen>) => void;
}) {
  const { t, lang } = useT();
  const differences = alikeDifferences(a.candidates.map((c) => c.regimen));
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="reco-title">
      <Title order={3} size="h5" id="reco-title" mb={4}>
        {t('recommendation')}
      </Title>
      {a.averaging && (
        <Text size="xs" c="gray.7" mb={4}>
          {t('candidatesAveraged', { n: a.averaging.models.length })}
        </Text>
      )}
      <Table aria-labelledby="reco-title" data-testid="candidates">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>{t('regimen')}</Table.Th>
            <Table.Th>{t('predictedIndividual')}</Table.Th>
            <Table.Th>{t('ptaDraws')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {a.candidates.map((c, i) => {
            const low = ptaBelowThreshold(c.pta);
            const alike = differences[i].length
              ? a.candidates.find(
                  (o, j) =>
                    j !== i &&
                    o.regimen.dose.value === c.regimen.dose.value &&
                    o.regimen.dose.unit === c.regimen.dose.unit &&
                    o.regimen.interval.value === c.regimen.interval.value &&
                    o.regimen.interval.unit === c.regimen.interval.unit,
                )
              : undefined;
            return (
              <Table.Tr key={c.rank}>
                <Table.Td>{c.rank}</Table.Td>
                <Table.Td>
                  {regimenLine(c.regimen, lang, t)}
                  {c.regimen.start && (
                    <Text size="xs" c={differences[i].includes('start') ? 'orange.9' : 'gray.7'}>
                      {t('firstDoseAt', { t: showDateTime(c.regimen.start, lang) })}
                    </Text>
                  )}
                  {alike && (
                    <Text size="xs" c="orange.9" data-testid="alike">
                      {t('differsFrom', {
                        n: alike.rank,
                        what: differences[i].map((d) => t(`differs_${d}`)).join(', '),
                      })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {c.metrics.map((m) => (
                    <Text
                      key={m.target}
                      size="sm"
                      c={m.met ? (low ? 'orange.9' : 'green.9') : 'red.9'}
                      title={m.met && low ? t('metButLowPta', { p: pct(PTA_THRESHOLD) }) : undefined}
                    >
                      {m.metric} {fmt(m.value, lang)} {metMark(m.met, c.pta)}
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td c={low ? 'orange.9' : undefined}>{c.pta ? ptaMark(c.pta) : '—'}</Table.Td>
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="light"
                    aria-label={t('tryCandidate', { n: c.rank })}
                    onClick={() => onTry(c.regimen)}
                  >
                    {t('try')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            );
          })}
          {!a.candidates.length && (
            <Table.Tr>
              <Table.Td colSpan={5}>{t('noCandidate')}</Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      {a.candidates.length > 0 && (
        <Text size="xs" c="gray.7" mt={4} data-testid="ranking-rule">
          {rankingRule(lang)} {MET_MEANING[lang]} {PTA_MEANING[lang]}
        </Text>
      )}
    </Card>
  );
});
