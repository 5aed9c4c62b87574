/**
 * The ranked candidates as the service stored them: each regimen with its exposure (averaged over
 * the models for a drug) and probability of target attainment; each can be tried in the what-if.
 * Memoised: a what-if edit does not re-render it.
 */
import { Button, Card, Table, Text, Title } from '@mantine/core';
import type { Regimen } from '@dosetwin/models';
import type { Analysis } from '@dosetwin/server/contract';
import { memo } from 'react';
import { useT } from '../i18n/index.ts';
import { fmt } from '../lib/units.ts';
import { pct, regimenLine } from './format.ts';

export const CandidatesCard = memo(function CandidatesCard({
  analysis: a,
  onTry,
}: {
  analysis: Analysis;
  onTry: (patch: Partial<Regimen>) => void;
}) {
  const { t, lang } = useT();
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
            <Table.Th>{t('predicted')}</Table.Th>
            <Table.Th>{t('pta')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {a.candidates.map((c) => (
            <Table.Tr key={c.rank}>
              <Table.Td>{c.rank}</Table.Td>
              <Table.Td>{regimenLine(c.regimen, lang, t)}</Table.Td>
              <Table.Td>
                {c.metrics.map((m) => (
                  <Text key={m.target} size="sm" c={m.met ? 'green.9' : 'red.9'}>
                    {m.metric} {fmt(m.value, lang)} {m.met ? '✓' : '✗'}
                  </Text>
                ))}
              </Table.Td>
              <Table.Td>{c.pta ? pct(c.pta.all) : '—'}</Table.Td>
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
          ))}
          {!a.candidates.length && (
            <Table.Tr>
              <Table.Td colSpan={5}>{t('noCandidate')}</Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </Card>
  );
});
