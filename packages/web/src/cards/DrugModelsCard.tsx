/**
 * The drug's models. For a drug-level analysis: the stored averaging — each model's weight and its
 * value under a candidate beside the averaged one (Σ w·x) and the mixture's PTA, the models left
 * out and why, and "keep this model" (a new analysis with that model alone), then the models
 * under the what-if regimen (at each edit). For one model's analysis: the library's models of its
 * drug under the what-if regimen, on demand.
 */
import { Button, Card, Group, NativeSelect, Table, Text, Title } from '@mantine/core';
import type { Analysis } from '@dosetwin/server/contract';
import { memo, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import type { AverageResult } from '../hooks/useTwin.ts';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { go } from '../lib/nav.ts';
import { fmt } from '../lib/units.ts';
import { pct, regimenLine } from './format.ts';

type Metrics = { metric: string; value: number; met?: boolean }[];

/** `vancomycin/goti2018` → `goti2018` (the card's title names the drug). */
const short = (id: string): string => id.slice(id.indexOf('/') + 1);

export const DrugModelsCard = memo(function DrugModelsCard({
  analysis: a,
  average,
  canCompare,
  onCompare,
}: {
  analysis: Analysis;
  average: AverageResult | null;
  canCompare: boolean;
  onCompare: () => void;
}) {
  const { t, lang } = useT();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [rank, setRank] = useState(1);
  const values = (ms: Metrics): string => ms.map((m) => `${m.metric} ${fmt(m.value, lang)}`).join(', ');
  const keep = async (modelId: string) => {
    setError(null);
    setBusy(modelId);
    try {
      const next = await api<Analysis>('POST', `/requests/${a.requestId}/analyses`, { modelId });
      go(`#/analyses/${next.id}`);
    } catch (e) {
      setError(e);
      setBusy(null);
    }
  };
  const avg = a.averaging;
  const cand = a.candidates.find((c) => c.rank === rank) ?? a.candidates[0];
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="models-title">
      <Title order={3} size="h5" id="models-title" mb={4}>
        {avg ? t('drugModelsTitle', { drug: avg.drug }) : t('modelAveraging')}
      </Title>
      {avg && (
        <>
          <Text size="xs" c="gray.7">
            {t('averagingMethod')}
          </Text>
          {a.candidates.length > 1 && (
            <NativeSelect
              size="xs"
              mt={4}
              label={t('underCandidate')}
              value={String(cand?.rank ?? 1)}
              onChange={(e) => setRank(Number(e.currentTarget.value))}
              data={a.candidates.map((c) => ({
                value: String(c.rank),
                label: `#${c.rank}: ${regimenLine(c.regimen, lang, t)}`,
              }))}
            />
          )}
          <Table mt="xs" horizontalSpacing={6} aria-labelledby="models-title" data-testid="drug-models">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('model')}</Table.Th>
                <Table.Th>{t('weight')}</Table.Th>
                <Table.Th>
                  {t('predicted')} #{cand?.rank ?? 1}
                </Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {avg.models.map((m) => {
                const own = cand?.models?.find((x) => x.id === m.id);
                return (
                  <Table.Tr key={m.id} data-testid="drug-model-row">
                    <Table.Td title={m.citation}>
                      {short(m.id)}
                      {m.id === avg.selected ? ' ★' : ''}
                    </Table.Td>
                    <Table.Td data-testid="model-weight">{pct(m.weight)}</Table.Td>
                    <Table.Td>{own ? values(own.metrics) : '—'}</Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="default"
                        loading={busy === m.id}
                        aria-label={t('keepModelNamed', { id: m.id })}
                        onClick={() => keep(m.id)}
                      >
                        {t('keepModel')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {cand && (
                <Table.Tr data-testid="averaged-row">
                  <Table.Td fw={700}>{t('averaged')}</Table.Td>
                  <Table.Td>Σ</Table.Td>
                  <Table.Td fw={700} colSpan={2}>
                    {values(cand.metrics)}
                    {cand.pta ? ` · ${t('pta')} ${pct(cand.pta.all)}` : ''}
                  </Table.Td>
                </Table.Tr>
              )}
              {avg.excluded.map((x) => (
                <Table.Tr key={x.id}>
                  <Table.Td>{short(x.id)}</Table.Td>
                  <Table.Td colSpan={3}>
                    <Text size="xs">
                      {t('leftOut')}: {x.reason}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
      <ErrorBox error={error} />
      {avg ? (
        <Text size="sm" fw={600} mt="xs">
          {t('underWhatIf')}
        </Text>
      ) : (
        <Group mt="xs" gap="xs">
          <Button size="xs" variant="default" disabled={!canCompare} onClick={onCompare}>
            {t('compareModels')}
          </Button>
        </Group>
      )}
      {avg && !average && <Text size="sm">…</Text>}
      {average && (
        <Table mt="xs" horizontalSpacing={6} aria-label={t('modelAveraging')} data-testid="averaging">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('model')}</Table.Th>
              <Table.Th>{t('weight')}</Table.Th>
              <Table.Th>{t('predicted')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {average.rows.map((r) => (
              <Table.Tr key={r.modelId}>
                <Table.Td>{avg ? short(r.modelId) : r.modelId}</Table.Td>
                <Table.Td>{r.weight === null ? '—' : pct(r.weight)}</Table.Td>
                <Table.Td>{r.error ? <Text size="xs">{r.error}</Text> : values(r.metrics)}</Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Td fw={700}>{t('averaged')}</Table.Td>
              <Table.Td>Σ</Table.Td>
              <Table.Td fw={700}>
                {values(average.averaged.metrics)}
                {average.averaged.pta ? ` · ${t('pta')} ${pct(average.averaged.pta.all)}` : ''}
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
});
