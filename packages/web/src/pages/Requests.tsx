import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  NativeSelect,
  NumberInput,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { findMetric } from '@dosetwin/engine';
import { Fragment, useEffect, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import type {
  Analysis,
  AnalysisOptions,
  ModelInfo,
  RequestDetail,
  RequestListItem,
} from '@dosetwin/server/contract';
import { api } from '../lib/api.ts';
import { go, type PageProps } from '../lib/nav.ts';
import { showDateTime } from '../lib/time.ts';
import { CONC_UNITS, unitLabel } from '../lib/units.ts';
import { colon, regimenLine } from '../cards/format.ts';

const STATUSES = ['', 'submitted', 'analysed', 'validated', 'rejected'] as const;

export function RequestsPage(_: PageProps) {
  const { t, lang } = useT();
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('');
  const [rows, setRows] = useState<RequestListItem[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<RequestListItem[]>('GET', `/requests${status ? `?status=${status}` : ''}`).then(setRows, setError);
  }, [status]);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('requests')}</Title>
        <NativeSelect
          label={t('status')}
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value as (typeof STATUSES)[number])}
          data={STATUSES.map((s) => ({ value: s, label: s ? t(`status_${s}`) : t('all') }))}
        />
      </Group>
      <ErrorBox error={error} />
      <Card withBorder>
        <Table striped highlightOnHover aria-label={t('requests')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('created')}</Table.Th>
              <Table.Th>{t('patient')}</Table.Th>
              <Table.Th>{t('model')}</Table.Th>
              <Table.Th>{t('status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <a href={`#/requests/${r.id}`}>{showDateTime(r.createdAt, lang)}</a>
                </Table.Td>
                <Table.Td>
                  <a href={`#/patients/${r.patientId}`}>{r.pseudonym}</a>
                </Table.Td>
                <Table.Td>{r.modelId ?? r.drug}</Table.Td>
                <Table.Td>
                  <Badge variant="light">{t(`status_${r.status}`)}</Badge>
                </Table.Td>
              </Table.Tr>
            ))}
            {!rows.length && (
              <Table.Tr>
                <Table.Td colSpan={4}>{t('noRequests')}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}

export function RequestPage({ id, user }: PageProps) {
  const { t, lang } = useT();
  const [r, setR] = useState<RequestDetail | null>(null);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [targets, setTargets] = useState('');
  const [mic, setMic] = useState<number | string>('');
  const [micUnit, setMicUnit] = useState('mg/L');
  const [fu, setFu] = useState<number | string>('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<RequestDetail>('GET', `/requests/${id}`).then(setR, setError);
    api<ModelInfo[]>('GET', '/models').then(setModels, setError);
  }, [id]);
  // The targets the analysis uses unless others are given: the model's, or the drug file's.
  const defaults = r
    ? [
        ...new Map(
          models
            .filter((m) => (r.modelId ? m.id === r.modelId : m.drug === r.drug))
            .flatMap((m) => m.targets)
            .filter((x) => r.modelId || x.source === 'drug')
            .map((x) => [x.text, x]),
        ).values(),
      ]
    : [];
  // MIC-based targets (the metric registry says which) need the pathogen's MIC.
  const written = targets
    .split('\n')
    .map((x) => x.trim().match(/^[a-z0-9_]+/i)?.[0] ?? '')
    .filter(Boolean);
  const needsMic = [...defaults.map((x) => x.metric), ...written].some((m) => findMetric(m)?.mic);
  const analyse = async () => {
    setBusy(true);
    setError(null);
    try {
      const given = targets
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean);
      const options: AnalysisOptions = {
        ...(given.length ? { targets: given } : {}),
        ...(mic !== '' ? { mic: { value: Number(mic), unit: micUnit } } : {}),
        ...(fu !== '' ? { fu: Number(fu) } : {}),
      };
      const a = await api<Analysis>('POST', `/requests/${id}/analyses`, options);
      go(`#/analyses/${a.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (!r) return <ErrorBox error={error} />;
  return (
    <Stack>
      <Title order={2}>
        {t('request')} · {r.modelId ?? r.drug}
      </Title>
      <Card withBorder>
        <Stack gap="xs">
          <Text>
            <a href={`#/patients/${r.patientId}`}>{t('openPatient')}</a> · {showDateTime(r.createdAt, lang)} ·{' '}
            <Badge variant="light">{t(`status_${r.status}`)}</Badge>
          </Text>
          <Text>
            {t('question')}: {r.question || '—'}
          </Text>
          <Title order={3} size="h4">
            {t('analyses')}
          </Title>
          <Table aria-label={t('analyses')}>
            <Table.Tbody>
              {r.analyses.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <a href={`#/analyses/${a.id}`}>
                      {t('analysis')} v{a.version}
                    </a>
                  </Table.Td>
                  <Table.Td>{showDateTime(a.createdAt, lang)}</Table.Td>
                  <Table.Td>{a.decision ? t(`decided_${a.decision}`) : t('notValidated')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {r.inForce && (
            <Text size="sm" data-testid="request-in-force">
              {t('decisionInForce')}: {t('versionN', { v: r.inForce.version })} ·{' '}
              {t(`decided_${r.inForce.decision}`)}
              {r.inForce.regimen ? ` — ${regimenLine(r.inForce.regimen, lang, t)}` : ''} ·{' '}
              {t('signedOnBy', { when: showDateTime(r.inForce.signedAt, lang), who: r.inForce.signedBy })}
            </Text>
          )}
          {r.pendingVersion && (
            <Text size="sm" fw={600} c="orange.9">
              {t('supersededByUnsigned', { n: r.pendingVersion })}
            </Text>
          )}
          {r.analyses.length > 1 && (
            <Anchor href={`#/requests/${r.id}/compare`} size="sm">
              {t('compareVersions')}
            </Anchor>
          )}
          {user.role === 'pharmacologist' && r.status !== 'rejected' && (
            <Textarea
              label={t('analysisTargets')}
              description={
                defaults.length ? (
                  <>
                    {t('defaultTargets')}
                    {colon(lang)}
                    {defaults.map((x, k) => (
                      <Fragment key={k}>
                        {k > 0 && '; '}
                        {x.text} —{' '}
                        {/* The drug file's notes are English only: in French, its source, in its paper's language. */}
                        {lang === 'fr' ? <span lang="en">{x.citation}</span> : x.note || x.citation}
                      </Fragment>
                    ))}
                  </>
                ) : undefined
              }
              placeholder={defaults.map((x) => x.text).join('\n')}
              value={targets}
              onChange={(e) => setTargets(e.currentTarget.value)}
              autosize
              minRows={1}
              data-testid="analysis-targets"
            />
          )}
          {user.role === 'pharmacologist' && r.status !== 'rejected' && needsMic && (
            <Group grow align="flex-end" data-testid="analysis-mic">
              <NumberInput
                label={t('mic')}
                description={t('micHint')}
                min={0}
                decimalScale={4}
                value={mic}
                onChange={setMic}
              />
              <NativeSelect
                label={t('unit')}
                value={micUnit}
                onChange={(e) => setMicUnit(e.currentTarget.value)}
                data={CONC_UNITS.map((u) => ({ value: u, label: unitLabel(u) }))}
              />
              <NumberInput
                label={t('unboundFraction')}
                description={t('unboundFractionHint')}
                min={0}
                max={1}
                step={0.01}
                decimalScale={3}
                value={fu}
                onChange={setFu}
              />
            </Group>
          )}
          <ErrorBox error={error} />
          <Group>
            {user.role === 'pharmacologist' && r.status !== 'rejected' && (
              <Button onClick={analyse} loading={busy}>
                {r.analyses.length ? t('reanalyse') : t('analyse')}
              </Button>
            )}
            {r.status === 'validated' && (
              <Anchor href={`/api/requests/${r.id}/report`} target="_blank">
                {t('openReport')}
              </Anchor>
            )}
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
