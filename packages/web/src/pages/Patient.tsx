/**
 * A patient's record: its identity (correctable, the identity before kept), the timeline of doses,
 * levels and covariates (each correctable, components/Timeline.tsx), the prescriptions and
 * adherence records with their corrections (cards/AdherenceCard.tsx), the entry forms (quick entry,
 * dose, level, covariate — the covariate form generated from the register) and the requests, with
 * what the chosen model or drug still needs.
 */
import { Button, Grid, Group, Stack, Text, Title } from '@mantine/core';
import type { ModelInfo, PatientRecord } from '@dosetwin/server/contract';
import { useCallback, useEffect, useState } from 'react';
import { AdherenceCard } from '../cards/AdherenceCard.tsx';
import { FhirImportCard } from '../cards/FhirCard.tsx';
import { ErrorBox } from '../components/Issues.tsx';
import { Timeline } from '../components/Timeline.tsx';
import { CovariateForm, type CovariatePick } from '../forms/CovariateForm.tsx';
import { DoseForm } from '../forms/DoseForm.tsx';
import { IdentityCorrectionForm } from '../forms/IdentityCorrectionForm.tsx';
import { QuickEntry } from '../forms/QuickEntry.tsx';
import { RequestForm } from '../forms/RequestForm.tsx';
import { SampleForm } from '../forms/SampleForm.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import type { PageProps } from '../lib/nav.ts';
import { COVARIATES } from '../lib/covariate-labels.ts';
import { showDateTime } from '../lib/time.ts';
import { convertUnit } from '../lib/units.ts';

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
  const [correcting, setCorrecting] = useState(false);
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
        <Stack gap={2} align="flex-end">
          <Text size="sm">
            {t(rec.patient.sex === 'female' ? 'female' : 'male')} · {t('service')} {rec.patient.service} ·{' '}
            {t('pseudonym')} {rec.patient.pseudonym}
          </Text>
          {who && (
            <Button size="compact-xs" variant="subtle" onClick={() => setCorrecting(true)}>
              {t('correctIdentity')}
            </Button>
          )}
        </Stack>
      </Group>
      {rec.identityCorrections.map((c) => (
        <Text key={c.id} size="xs" c="gray.7" data-testid="identity-correction-note">
          <s>
            {c.before.familyName.toUpperCase()} {c.before.givenName} · {c.before.birthDate} ·{' '}
            {c.before.hospitalNumber}
          </s>{' '}
          {t('amendedNote', { when: showDateTime(c.createdAt, lang), who: c.author, reason: c.reason })}
        </Text>
      ))}
      {correcting && who && (
        <IdentityCorrectionForm
          patientId={id}
          identity={who}
          onClose={() => setCorrecting(false)}
          onDone={() => {
            setCorrecting(false);
            load();
          }}
        />
      )}
      <ErrorBox error={error} />
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Timeline rec={rec} onDone={load} />
          <AdherenceCard rec={rec} />
          <RequestForm patientId={id} models={models} rec={rec} onDone={load} onEnter={enter} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack>
            {/* Keyed by patient: nothing typed for one patient is ever shown on another's record. */}
            <FhirImportCard key={`f-${id}`} patientId={id} models={models} onDone={load} />
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
