/**
 * One local version of a library model: its provenance and state, the parameters published and
 * local, the predictive check and bias audit on held-out patients, the diagnostics (goodness of
 * fit, VPC, pcVPC, individual fits), and the decision: approve or reject (a pharmacologist other
 * than the proposer; the service refuses otherwise and says why), retire once in force. Every
 * number is the service's, computed when the version was proposed.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  PasswordInput,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { AUDIT_DIMENSIONS } from '@dosetwin/models';
import type { LocalModel, LocalModelEvidence } from '@dosetwin/server/contract';
import { memo, useEffect, useState } from 'react';
import { IndividualPlot, ScatterPlot, VpcPlot } from '../components/DiagnosticCharts.tsx';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { reauthOf } from '../lib/reauth.ts';
import type { PageProps } from '../lib/nav.ts';
import { showDateTimeYear } from '../lib/time.ts';
import { fmt } from '../lib/units.ts';
import { STATUS_COLOUR } from './LocalModels.tsx';

type Stats = LocalModelEvidence['predictiveCheck']['published'];

/** A subgroup dimension's name in the page's language (the library's register of dimensions). */
const dimensionLabel = (key: string, lang: 'en' | 'fr'): string =>
  AUDIT_DIMENSIONS.find((d) => d.key === key)?.label[lang] ?? key;

/** A fraction in percent with one decimal (5.0 % kept), as the predictive check reads. */
const pct = (x: number, lang: 'en' | 'fr'): string =>
  `${fmt(100 * x, lang, { decimals: 1, fixed: true }, true)} %`;

function StatsRow({ label, s, lang }: { label: string; s: Stats; lang: 'en' | 'fr' }) {
  const { t } = useT();
  return (
    <Table.Tr>
      <Table.Td>
        {label}
        {s.flagged && (
          <Badge color="red" ml={6} size="sm">
            {t('lm_flagged')}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>{s.patients}</Table.Td>
      <Table.Td>{s.forecasts}</Table.Td>
      <Table.Td>{pct(s.bias, lang)}</Table.Td>
      <Table.Td>{s.ci ? `${pct(s.ci[0], lang)} … ${pct(s.ci[1], lang)}` : '—'}</Table.Td>
      <Table.Td>{pct(s.medianAbs, lang)}</Table.Td>
      <Table.Td>{pct(s.rmse, lang)}</Table.Td>
    </Table.Tr>
  );
}

function StatsHead({ first }: { first: string }) {
  const { t } = useT();
  return (
    <Table.Thead>
      <Table.Tr>
        <Table.Th>{first}</Table.Th>
        <Table.Th>{t('lm_patientsCol')}</Table.Th>
        <Table.Th>{t('lm_forecasts')}</Table.Th>
        <Table.Th>{t('lm_bias')}</Table.Th>
        <Table.Th>{t('lm_ci')}</Table.Th>
        <Table.Th>{t('lm_medianAbs')}</Table.Th>
        <Table.Th>{t('lm_rmse')}</Table.Th>
      </Table.Tr>
    </Table.Thead>
  );
}

/** The evidence: drawn once per version (the decision's typing does not redraw the charts). */
const Evidence = memo(function Evidence({ ev, modelId }: { ev: LocalModelEvidence; modelId: string }) {
  const { t, lang } = useT();
  const c = ev.units.conc;
  const time = t('lm_time', { unit: ev.units.time });
  const q = ev.gof.filter((g) => !g.censored && g.pred !== null && g.ipred !== null);
  const pairs = (f: (g: (typeof q)[number]) => [number | null, number | null]): [number, number][] =>
    q.map(f).filter((p): p is [number, number] => p[0] !== null && p[1] !== null);
  const published = `${modelId} ${ev.published.version}`;
  return (
    <Stack gap="sm">
      <Card withBorder p="sm" data-testid="lm-parameters">
        <Title order={5}>{t('lm_parameters')}</Title>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('lm_param')}</Table.Th>
              <Table.Th>{t('lm_published')}</Table.Th>
              <Table.Th>{t('lm_local')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {ev.parameters.map((p) => (
              <Table.Tr key={p.name}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>
                  {fmt(p.published, lang, 4, true)} {p.unit}
                </Table.Td>
                <Table.Td fw={p.estimated ? 600 : 400}>
                  {fmt(p.local, lang, 4, true)} {p.unit}
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="gray.7">
                    {p.estimated ? t('lm_estimated') : t('lm_fixed')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder p="sm" data-testid="lm-check">
        <Title order={5}>{t('lm_check')}</Title>
        <Text size="xs" c="gray.7">
          {t('lm_checkNote')}
        </Text>
        <Table>
          <StatsHead first={t('lm_modelCol')} />
          <Table.Tbody>
            <StatsRow
              label={`${t('lm_published')} (${published})`}
              s={ev.predictiveCheck.published}
              lang={lang}
            />
            <StatsRow label={t('lm_local')} s={ev.predictiveCheck.updated} lang={lang} />
          </Table.Tbody>
        </Table>
        <Alert color={ev.predictiveCheck.better ? 'green' : 'orange'} p="xs" mt="xs">
          {ev.predictiveCheck.better ? t('lm_better') : t('lm_notBetter')}
        </Alert>
      </Card>
      <Card withBorder p="sm" data-testid="lm-audit">
        <Title order={5}>{t('lm_audit')}</Title>
        <Grid>
          {(['published', 'local'] as const).map((k) => (
            <Grid.Col key={k} span={{ base: 12, lg: 6 }}>
              <Text fw={600} size="sm">
                {k === 'published' ? `${t('lm_published')} (${published})` : t('lm_local')}
              </Text>
              <Table>
                <StatsHead first={t('lm_group')} />
                <Table.Tbody>
                  {[ev.biasAudit[k].overall, ...ev.biasAudit[k].groups].map((g) => (
                    <StatsRow
                      key={`${g.by}:${g.group}`}
                      label={
                        g.by === 'all'
                          ? t('all')
                          : `${dimensionLabel(g.by, lang)}${lang === 'fr' ? ' : ' : ': '}${g.group}`
                      }
                      s={g}
                      lang={lang}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Grid.Col>
          ))}
        </Grid>
      </Card>
      <Card withBorder p="sm" data-testid="lm-gof">
        <Title order={5}>{t('lm_gof')}</Title>
        <Grid>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <ScatterPlot
              title={t('lm_dvPred')}
              points={pairs((g) => [g.pred, g.dv])}
              xName={`PRED (${c})`}
              yName={`DV (${c})`}
              line="identity"
              identityLabel={t('lm_identity')}
              testId="gof-dv-pred"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <ScatterPlot
              title={t('lm_dvIpred')}
              points={pairs((g) => [g.ipred, g.dv])}
              xName={`IPRED (${c})`}
              yName={`DV (${c})`}
              line="identity"
              identityLabel={t('lm_identity')}
              testId="gof-dv-ipred"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <ScatterPlot
              title={t('lm_cwresTime')}
              points={pairs((g) => [g.time, g.cwres])}
              xName={time}
              yName="CWRES"
              line="zero"
              identityLabel=""
              testId="gof-cwres-time"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <ScatterPlot
              title={t('lm_cwresPred')}
              points={pairs((g) => [g.pred, g.cwres])}
              xName={`PRED (${c})`}
              yName="CWRES"
              line="zero"
              identityLabel=""
              testId="gof-cwres-pred"
            />
          </Grid.Col>
        </Grid>
      </Card>
      <Card withBorder p="sm" data-testid="lm-vpc">
        <Grid>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <VpcPlot
              title={t('lm_vpc')}
              bins={ev.vpc}
              xName={time}
              yName={c}
              observedLabel={t('lm_observedPct')}
              simulatedLabel={t('lm_simulatedPct')}
              testId="vpc"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <VpcPlot
              title={t('lm_pcvpc')}
              bins={ev.pcvpc}
              xName={time}
              yName={c}
              observedLabel={t('lm_observedPct')}
              simulatedLabel={t('lm_simulatedPct')}
              testId="pcvpc"
            />
          </Grid.Col>
        </Grid>
      </Card>
      <Card withBorder p="sm" data-testid="lm-individual">
        <Title order={5}>{t('lm_individual')}</Title>
        <Grid>
          {ev.individual.slice(0, 6).map((f) => (
            <Grid.Col key={f.id} span={{ base: 12, md: 4 }}>
              <IndividualPlot fit={f} xName={time} yName={c} observedLabel={t('lm_observed')} />
            </Grid.Col>
          ))}
        </Grid>
      </Card>
    </Stack>
  );
});

export function LocalModelPage({ id, user }: PageProps) {
  const { t, lang } = useT();
  const [m, setM] = useState<LocalModel | null>(null);
  const [note, setNote] = useState('');
  const [reauth, setReauth] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<LocalModel>('GET', `/local-models/${id}`).then(setM, setError);
  }, [id]);
  const act = async (url: string, body: object) => {
    setError(null);
    setBusy(true);
    const again = reauthOf(reauth);
    setReauth('');
    try {
      setM(await api<LocalModel>('POST', url, { ...body, reauth: again }));
      setNote('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!m) return <ErrorBox error={error} />;
  const ev = m.evidence;
  const when = (at: string) => showDateTimeYear(at, lang);
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Group gap="xs">
          <Title order={3}>
            {m.modelId} · {t('lm_version')} {m.version}
          </Title>
          <Badge color={STATUS_COLOUR[m.status]} data-testid="lm-status">
            {t(`lm_status_${m.status}`)}
          </Badge>
          {m.inForce && <Badge variant="outline">{t('lm_inForce')}</Badge>}
        </Group>
        <Anchor href="#/local-models">{t('lm_title')}</Anchor>
      </Group>
      <Card withBorder p="sm" data-testid="lm-provenance">
        <Text size="sm">
          {m.modelVersion} — {ev.published.citation}
        </Text>
        <Text size="sm">
          {[
            t(ev.method === 'uploaded' ? 'lm_method_uploaded' : 'lm_method_focei_prior'),
            t('lm_patients', {
              local: ev.patients.local,
              fitted: ev.patients.fitted,
              heldOut: ev.patients.heldOut,
            }),
            t('lm_fit', {
              ofv: fmt(ev.fit.ofv, lang, 4, true),
              it: ev.fit.iterations,
              conv: ev.fit.converged ? t('lm_converged') : t('lm_notConverged'),
            }),
          ].join(lang === 'fr' ? ' ; ' : '; ')}
        </Text>
        {ev.patients.excluded.length > 0 && (
          <Text size="xs" c="gray.7">
            {t('lm_excluded', {
              list: ev.patients.excluded.map((x) => `${x.patientId} (${x.reason})`).join('; '),
            })}
          </Text>
        )}
        <Text size="sm">{t('lm_proposedBy', { name: m.proposedBy.name, at: when(m.proposedAt) })}</Text>
        {m.decidedBy && m.decidedAt && (
          <Text size="sm" data-testid="lm-decided">
            {t('lm_decidedBy', {
              status: t(`lm_status_${m.status === 'retired' ? 'approved' : m.status}`),
              name: m.decidedBy.name,
              at: when(m.decidedAt),
            })}
            {m.decisionNote ? ` — ${m.decisionNote}` : ''}
          </Text>
        )}
        {m.retiredBy && m.retiredAt && (
          <Text size="sm">{t('lm_retiredBy', { name: m.retiredBy.name, at: when(m.retiredAt) })}</Text>
        )}
      </Card>
      {user.role === 'pharmacologist' && (m.status === 'proposed' || m.status === 'approved') && (
        <Card withBorder p="sm" data-testid="lm-decision">
          <Stack gap="xs">
            <Title order={5}>{t('lm_decision')}</Title>
            <Textarea
              label={m.status === 'proposed' ? t('lm_note') : t('lm_retireNote')}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              autosize
              minRows={1}
              data-testid="lm-note"
            />
            <PasswordInput
              label={t('reauthLabel')}
              description={t('lm_reauthHint')}
              value={reauth}
              onChange={(e) => setReauth(e.currentTarget.value)}
              autoComplete="current-password"
              data-testid="lm-reauth"
            />
            <Group>
              {m.status === 'proposed' ? (
                <>
                  <Button
                    color="green"
                    loading={busy}
                    onClick={() =>
                      act(`/local-models/${m.id}/decisions`, {
                        decision: 'approve',
                        ...(note ? { note } : {}),
                      })
                    }
                    disabled={!reauth}
                    data-testid="lm-approve"
                  >
                    {t('lm_approve')}
                  </Button>
                  <Button
                    color="red"
                    variant="light"
                    loading={busy}
                    onClick={() =>
                      act(`/local-models/${m.id}/decisions`, {
                        decision: 'reject',
                        ...(note ? { note } : {}),
                      })
                    }
                    disabled={!reauth}
                    data-testid="lm-reject"
                  >
                    {t('lm_reject')}
                  </Button>
                </>
              ) : (
                <Button
                  color="gray"
                  loading={busy}
                  onClick={() => act(`/local-models/${m.id}/retirement`, { note })}
                  disabled={!reauth}
                  data-testid="lm-retire"
                >
                  {t('lm_retire')}
                </Button>
              )}
            </Group>
          </Stack>
        </Card>
      )}
      <ErrorBox error={error} />
      <Evidence ev={ev} modelId={m.modelId} />
    </Stack>
  );
}
