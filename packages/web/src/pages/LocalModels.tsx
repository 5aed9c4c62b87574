/**
 * Local versions of library models: the list (status, who proposed and decided, in force) and the
 * proposal form (a library model, the parameters to estimate). The service fits the version on
 * its patients and computes the evidence; the version's page shows it.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import type { LocalModel, LocalModelSummary, ModelInfo } from '@dosetwin/server/contract';
import { useEffect, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { go, type PageProps } from '../lib/nav.ts';
import { showDateTimeYear } from '../lib/time.ts';

export const STATUS_COLOUR: Record<LocalModelSummary['status'], string> = {
  proposed: 'yellow',
  approved: 'green',
  rejected: 'red',
  retired: 'gray',
};

export function LocalModelsPage({ user }: PageProps) {
  const { t, lang } = useT();
  const [list, setList] = useState<LocalModelSummary[] | null>(null);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [modelId, setModelId] = useState('vancomycin/thomson2009');
  const [estimate, setEstimate] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<LocalModelSummary[]>('GET', '/local-models').then(setList, setError);
    api<ModelInfo[]>('GET', '/models').then(setModels, setError);
  }, []);
  const propose = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const names = estimate
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const m = await api<LocalModel>('POST', '/local-models', {
        modelId,
        ...(names.length ? { estimate: names } : {}),
      });
      go(`#/local-models/${m.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="sm">
      <Title order={3}>{t('lm_title')}</Title>
      <Text size="sm" c="gray.7">
        {t('lm_intro')}
      </Text>
      {user.role === 'pharmacologist' && (
        <Card withBorder p="sm">
          <form onSubmit={propose} data-testid="lm-propose">
            <Stack gap="xs">
              <Title order={5}>{t('lm_propose')}</Title>
              <Group grow align="flex-end">
                <NativeSelect
                  label={t('lm_model')}
                  value={modelId}
                  onChange={(e) => setModelId(e.currentTarget.value)}
                  data={models.map((m) => m.id)}
                  data-testid="lm-model"
                />
                <TextInput
                  label={t('lm_estimate')}
                  value={estimate}
                  onChange={(e) => setEstimate(e.currentTarget.value)}
                  data-testid="lm-estimate"
                />
              </Group>
              <Group>
                <Button type="submit" loading={busy} data-testid="lm-propose-submit">
                  {t('lm_propose')}
                </Button>
                {busy && <Text size="sm">{t('lm_proposing')}</Text>}
              </Group>
            </Stack>
          </form>
        </Card>
      )}
      <ErrorBox error={error} />
      {list && list.length === 0 && <Alert color="gray">{t('lm_none')}</Alert>}
      {list && list.length > 0 && (
        <Table striped data-testid="lm-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('lm_model')}</Table.Th>
              <Table.Th>{t('lm_version')}</Table.Th>
              <Table.Th>{t('lm_status')}</Table.Th>
              <Table.Th>{t('lm_patientsCol')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{m.modelId}</Table.Td>
                <Table.Td>
                  {m.version} ({m.modelVersion})
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge color={STATUS_COLOUR[m.status]}>{t(`lm_status_${m.status}`)}</Badge>
                    {m.inForce && <Badge variant="outline">{t('lm_inForce')}</Badge>}
                  </Group>
                  <Text size="xs" c="gray.7">
                    {t('lm_proposedBy', {
                      name: m.proposedBy.name,
                      at: showDateTimeYear(m.proposedAt, lang),
                    })}
                  </Text>
                </Table.Td>
                <Table.Td>{m.patients}</Table.Td>
                <Table.Td>
                  <Anchor href={`#/local-models/${m.id}`}>{t('lm_open')}</Anchor>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
