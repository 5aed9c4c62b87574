/**
 * The decision in force, above every view of an analysis (prescriber and pharmacologist alike):
 * for a signed version, its retained regimen with what was predicted when it was signed, and a
 * notice when a newer unsigned version exists; for an unsigned or rejected version, the decision
 * of the version in force. A re-analysis changes nothing here until it is itself signed.
 */
import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';
import type { Regimen } from '@dosetwin/models';
import type { Analysis, RequestDetail } from '@dosetwin/server/contract';
import { memo } from 'react';
import { useT } from '../i18n/index.ts';
import { showDateTime } from '../lib/time.ts';
import { fmt } from '../lib/units.ts';
import { colon, metMark, ptaMark, regimenLine } from './format.ts';

export const DecisionCard = memo(function DecisionCard({
  analysis: a,
  request: r,
  onShow,
}: {
  analysis: Analysis;
  request: RequestDetail | null;
  /** Open the what-if on the retained regimen. */
  onShow: (regimen: Regimen) => void;
}) {
  const { t, lang } = useT();
  if (!r) return null;
  const inForce = r.inForce;
  const compare = (
    <Anchor href={`#/requests/${r.id}/compare`} size="sm" data-testid="compare-link">
      {t('compareVersions')}
    </Anchor>
  );
  const v = a.validation;
  if (v && v.decision !== 'reject' && v.regimen && inForce?.analysisId === a.id) {
    const e = v.evaluation;
    return (
      <Alert
        color={r.pendingVersion ? 'orange' : 'green'}
        title={`${t('decisionInForce')} · ${t(`decided_${v.decision}`)}`}
        p="xs"
        data-testid="decision-in-force"
      >
        <Stack gap={4}>
          <Text size="sm" fw={600} data-testid="retained-regimen">
            {t('retainedRegimen')}
            {colon(lang)}
            {regimenLine(v.regimen, lang, t)}
          </Text>
          {e && (
            <Text size="sm" data-testid="retained-predicted">
              {t('predictedAsSigned')}
              {colon(lang)}
              {e.metrics.map((m) => `${m.metric} ${fmt(m.value, lang)} ${metMark(m.met, e.pta)}`).join(' · ')}
              {e.pta ? ` · ${t('pta')} ${ptaMark(e.pta)}` : ''}
            </Text>
          )}
          <Text size="xs" c="gray.7">
            {t('signedOnBy', { when: showDateTime(v.signedAt, lang), who: inForce.signedBy })}
          </Text>
          {r.pendingVersion && (
            <Text size="sm" fw={600} c="orange.9" data-testid="superseded-notice">
              {t('supersededByUnsigned', { n: r.pendingVersion })}{' '}
              <Anchor href={`#/analyses/${r.analyses.find((x) => x.version === r.pendingVersion)?.id}`}>
                {t('openVersion', { v: r.pendingVersion })}
              </Anchor>
            </Text>
          )}
          <Group gap="sm">
            <Button size="compact-xs" variant="light" onClick={() => onShow(v.regimen!)}>
              {t('showInWhatIf')}
            </Button>
            {r.analyses.length > 1 && compare}
          </Group>
        </Stack>
      </Alert>
    );
  }
  if (!inForce || inForce.analysisId === a.id) return null;
  // Another version's decision is in force: this one is unsigned, rejected, or signed before it.
  return (
    <Alert color="blue" title={t('decisionInForce')} p="xs" data-testid="decision-in-force">
      <Stack gap={4}>
        <Text size="sm">
          {v?.decision === 'reject'
            ? t('rejectedVersionNote', { v: inForce.version })
            : v
              ? t('supersededBySigned', {
                  v: inForce.version,
                  decision: t(`decided_${v.decision}`),
                  when: showDateTime(inForce.signedAt, lang),
                })
              : t('otherVersionInForce', {
                  v: inForce.version,
                  n: a.version,
                  decision: t(`decided_${inForce.decision}`),
                  when: showDateTime(inForce.signedAt, lang),
                })}
        </Text>
        {inForce.regimen && (
          <Text size="sm" fw={600} data-testid="retained-regimen">
            {t('retainedRegimen')}
            {colon(lang)}
            {regimenLine(inForce.regimen, lang, t)}
          </Text>
        )}
        <Group gap="sm">
          <Anchor href={`#/analyses/${inForce.analysisId}`} size="sm">
            {t('openVersion', { v: inForce.version })}
          </Anchor>
          {compare}
        </Group>
      </Stack>
    </Alert>
  );
});
