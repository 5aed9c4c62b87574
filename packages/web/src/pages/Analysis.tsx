/**
 * The analysis screen (the main screen): the stored analysis and its twin rebuilt in the browser
 * (useTwin), laid out as cards — the concentration–time plot, the what-if, the ML estimate, the
 * ranked candidates, the drug's models and the pharmacologist's validation — with the model card
 * one click away.
 */
import { Alert, Anchor, Badge, Button, Grid, Group, Stack, Text, Title } from '@mantine/core';
import type { Analysis, RequestDetail, Validation } from '@dosetwin/server/contract';
import { useCallback, useEffect, useState } from 'react';
import { CandidatesCard } from '../cards/CandidatesCard.tsx';
import { ChartCard } from '../cards/ChartCard.tsx';
import { CorrectionsNote } from '../cards/CorrectionsNote.tsx';
import { DecisionCard } from '../cards/DecisionCard.tsx';
import { DrugModelsCard } from '../cards/DrugModelsCard.tsx';
import { MlCard } from '../cards/MlCard.tsx';
import { ModelCardModal } from '../cards/ModelCardModal.tsx';
import { ValidationCard } from '../cards/ValidationCard.tsx';
import { FhirWriteBackButton } from '../cards/FhirCard.tsx';
import { WhatIfCard } from '../cards/WhatIfCard.tsx';
import { ErrorBox } from '../components/Issues.tsx';
import { useTwin } from '../hooks/useTwin.ts';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { issueText } from '../lib/issue-text.ts';
import type { PageProps } from '../lib/nav.ts';
import { showDateTimeYear } from '../lib/time.ts';

export function AnalysisPage({ id, user }: PageProps) {
  const { t, lang } = useT();
  const [a, setA] = useState<Analysis | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [cardOpen, setCardOpen] = useState(false);
  // The request's versions say which decision is in force (this version's or another's).
  const [request, setRequest] = useState<RequestDetail | null>(null);
  const requestId = a?.requestId;
  const loadRequest = useCallback(() => {
    if (requestId) api<RequestDetail>('GET', `/requests/${requestId}`).then(setRequest, setError);
  }, [requestId]);
  useEffect(() => {
    setA(null);
    setRequest(null);
    api<Analysis>('GET', `/analyses/${id}`).then(setA, setError);
  }, [id]);
  useEffect(loadRequest, [loadRequest]);
  const twin = useTwin(a);
  const onSigned = useCallback(
    (v: Validation) => {
      setA((x) => x && { ...x, validation: v });
      loadRequest();
    },
    [loadRequest],
  );

  if (!a) return <ErrorBox error={error} />;
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Title order={2} size="h3">
            {t('analysis')} v{a.version} ·{' '}
            {a.kind === 'drug' ? `${a.averaging?.drug ?? a.inputs.drug}` : a.modelId}
          </Title>
          {a.kind === 'drug' && <Badge variant="light">{t('drugLevel')}</Badge>}
          <Badge variant="light">{a.fit.kind === 'map' ? t('fitMap') : t('fitPrior')}</Badge>
          {a.validation && (
            <Badge color={a.validation.decision === 'reject' ? 'red' : 'green'}>
              {t(`decided_${a.validation.decision}`)}
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => setCardOpen(true)} disabled={!twin.info}>
            {t('modelCard')}
          </Button>
          <Anchor href={`#/requests/${a.requestId}`} size="sm">
            {t('request')}
          </Anchor>
          <Anchor href={`#/patients/${a.patientId}`} size="sm">
            {t('openPatient')}
          </Anchor>
          <Anchor href={`#/analyses/${a.id}/diary`} size="sm">
            {t('diaryOpen')}
          </Anchor>
        </Group>
      </Group>
      {a.kind === 'drug' && (
        <Text size="sm" c="gray.7">
          {t('drugLevelNote', { model: a.modelId })}
        </Text>
      )}
      {a.localModel && (
        <Text size="sm" data-testid="analysis-local-model">
          {t('lm_usedBy', {
            n: a.localModel.version,
            v: a.localModel.modelVersion,
            by: a.localModel.approvedBy,
            at: showDateTimeYear(a.localModel.approvedAt, lang),
          })}
        </Text>
      )}
      <DecisionCard analysis={a} request={request} onShow={twin.edit} />
      <CorrectionsNote analysis={a} />
      {a.warnings.length > 0 && (
        <Alert color="yellow" title={t('warnings')} p="xs">
          <Text size="sm">{a.warnings.map((w) => issueText(w, lang)).join(' · ')}</Text>
        </Alert>
      )}
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <ChartCard
            info={twin.info}
            forecast={twin.forecast}
            failed={!!twin.error && !twin.info}
            drawRef={twin.drawRef}
            onRendered={twin.onRendered}
          />
          <WhatIfCard
            info={twin.info}
            regimen={twin.regimen}
            forecast={twin.forecast}
            pta={twin.pta}
            error={twin.error}
            edit={twin.edit}
            drugModel={a.kind === 'drug' ? a.modelId : null}
            average={a.kind === 'drug' ? twin.average : null}
          />
          {twin.ml && <MlCard ml={twin.ml} />}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="sm">
            <CandidatesCard analysis={a} onTry={twin.edit} />
            <DrugModelsCard
              analysis={a}
              average={twin.average}
              canCompare={!!twin.regimen && !!twin.info}
              onCompare={twin.compare}
            />
            <ValidationCard analysis={a} user={user} regimen={twin.regimen} onSigned={onSigned} />
            {a.validation && a.validation.decision !== 'reject' && (
              <FhirWriteBackButton requestId={a.requestId} />
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      <ModelCardModal
        opened={cardOpen}
        onClose={() => setCardOpen(false)}
        modelId={a.modelId}
        card={twin.info?.card ?? null}
      />
    </Stack>
  );
}
