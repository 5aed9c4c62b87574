/**
 * A patient's record: the timeline of doses, levels and covariates, the entry forms (quick entry,
 * dose, level, covariate — the covariate form generated from the register) and the requests, with
 * what the chosen model or drug still needs.
 */
import { Badge, Card, Grid, Group, Stack, Table, Text, Title } from '@mantine/core';
import type { ModelInfo, PatientRecord } from '@dosetwin/server/contract';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { CovariateForm, type CovariatePick } from '../forms/CovariateForm.tsx';
import { DoseForm } from '../forms/DoseForm.tsx';
import { QuickEntry } from '../forms/QuickEntry.tsx';
import { RequestForm } from '../forms/RequestForm.tsx';
import { SampleForm } from '../forms/SampleForm.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import type { PageProps } from '../lib/nav.ts';
import { COVARIATES, covariateValue } from '../lib/covariate-labels.ts';
import { showDateTime } from '../lib/time.ts';
import { convertUnit, unitLabel } from '../lib/units.ts';

type Entry =
  | { kind: 'dose'; at: string; text: string }
  | { kind: 'sample'; at: string; text: string }
  | { kind: 'covariate'; at: string; text: string };

/** Whole years from a birth date (YYYY-MM-DD) to today. */
function ageYears(birth: string): number {
  const [y, m, d] = birth.split('-').map(Number);
  const now = new Date();
  return (
    now.getFullYear() -
    y -
    (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d) ? 1 : 0)
  );
}

/** The latest recorded weight in kg (the engine's conversion from the unit entered), or null. */
function latestWeightKg(rec: PatientRecord): number | null {
  const w = rec.covariates
    .filter((c) => c.name === 'WT')
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .at(-1);
  if (!w) return null;
  try {
    return convertUnit(w.value, w.unit, 'kg', 'WT');
  } catch {
    return null;
  }
}

export function PatientPage({ id }: PageProps) {
  const { t, lang } = useT();
  const [rec, setRec] = useState<PatientRecord | null>(null);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [pick, setPick] = useState<CovariatePick>({ name: COVARIATES[0].name, unit: null, seq: 0 });
  // The record with the identity: the header shows who this is (the read is audited as such).
  const load = useCallback(
    () => api<PatientRecord>('GET', `/patients/${id}?identity=true`).then(setRec, setError),
    [id],
  );
  useEffect(() => {
    load();
    api<ModelInfo[]>('GET', '/models').then(setModels, setError);
  }, [load]);
  const enter = useCallback(
    (name: string, unit: string | null) => setPick((p) => ({ name, unit, seq: p.seq + 1 })),
    [],
  );

  const timeline: Entry[] = useMemo(() => {
    if (!rec) return [];
    const e: Entry[] = [
      ...rec.administrations.map((a) => ({
        kind: 'dose' as const,
        at: a.at,
        text: `${a.product}: ${a.amount} ${unitLabel(a.unit)} ${t(`route_${a.route}`)}${a.duration ? ` ${t('over')} ${a.duration.value} ${a.duration.unit}` : ''}`,
      })),
      ...rec.samples.map((s) => ({
        kind: 'sample' as const,
        at: s.at,
        text: `${s.value} ${unitLabel(s.unit)} (${s.matrix}, ${s.assay}${s.lloq !== null ? `, LLOQ ${s.lloq}` : ''})`,
      })),
      ...rec.covariates.map((c) => ({
        kind: 'covariate' as const,
        at: c.at,
        text: `${c.name} = ${covariateValue(c, lang)}`,
      })),
    ];
    return e.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }, [rec, t, lang]);

  if (!rec) return <ErrorBox error={error} />;
  const who = rec.identity;
  return (
    <Stack>
      <Group justify="space-between" align="flex-start" data-testid="patient-header">
        <Stack gap={0}>
          <Title order={2}>
            {who
              ? `${who.familyName.toUpperCase()} ${who.givenName}`
              : `${t('patient')} ${rec.patient.pseudonym}`}
          </Title>
          {who && (
            <Text size="sm">
              {who.birthName ? `${t('birthNameShort', { name: who.birthName.toUpperCase() })} · ` : ''}
              {t('bornOn', {
                date: who.birthDate.split('-').reverse().join('/'),
                age: ageYears(who.birthDate),
              })}{' '}
              · {t('hospitalNumber')} {who.hospitalNumber}
            </Text>
          )}
        </Stack>
        <Text size="sm">
          {t(rec.patient.sex === 'female' ? 'female' : 'male')} · {t('service')} {rec.patient.service} ·{' '}
          {t('pseudonym')} {rec.patient.pseudonym}
        </Text>
      </Group>
      <ErrorBox error={error} />
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder component="section" aria-labelledby="timeline-title">
            <Title order={3} size="h4" id="timeline-title" mb="xs">
              {t('timeline')}
            </Title>
            <Table striped aria-labelledby="timeline-title" data-testid="timeline">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('when')}</Table.Th>
                  <Table.Th>{t('what')}</Table.Th>
                  <Table.Th>{t('details')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {timeline.map((e, k) => (
                  <Table.Tr key={k}>
                    <Table.Td>{showDateTime(e.at, lang)}</Table.Td>
                    <Table.Td>
                      <Badge
                        color={e.kind === 'dose' ? 'indigo' : e.kind === 'sample' ? 'teal' : 'gray'}
                        variant="light"
                      >
                        {t(e.kind === 'dose' ? 'dose' : e.kind === 'sample' ? 'level' : 'covariate')}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{e.text}</Table.Td>
                  </Table.Tr>
                ))}
                {!timeline.length && (
                  <Table.Tr>
                    <Table.Td colSpan={3}>{t('nothingYet')}</Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </Card>
          <RequestForm patientId={id} models={models} rec={rec} onDone={load} onEnter={enter} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack>
            {/* Keyed by patient: nothing typed for one patient is ever shown on another's record. */}
            <QuickEntry key={`q-${id}`} patientId={id} weightKg={latestWeightKg(rec)} onDone={load} />
            <DoseForm key={`d-${id}`} patientId={id} onDone={load} />
            <SampleForm key={`s-${id}`} patientId={id} onDone={load} />
            <CovariateForm key={`c-${id}`} patientId={id} onDone={load} pick={pick} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
