/**
 * The pharmacologist's validation: accept a candidate, modify (the what-if regimen is the one
 * retained) or reject, with a comment, signed after a confirmation that restates what is signed;
 * once signed, the decision, the regimen retained, its signature and the report.
 * Memoised: it re-renders only when the what-if regimen changes.
 */
import {
  Alert,
  Anchor,
  Button,
  Card,
  Checkbox,
  Group,
  List,
  Modal,
  PasswordInput,
  NativeSelect,
  Radio,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { needingAcknowledgement, type Regimen, sameRegimen } from '@dosetwin/models';
import type { Analysis, NewValidation, SessionUser, Validation } from '@dosetwin/server/contract';
import { memo, useEffect, useMemo, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useEntryErrors } from '../forms/acknowledge.ts';
import { useT } from '../i18n/index.ts';
import { api, ApiError } from '../lib/api.ts';
import { issueText } from '../lib/issue-text.ts';
import { reauthOf } from '../lib/reauth.ts';
import { showDateTime } from '../lib/time.ts';
import { regimenLine } from './format.ts';

export const ValidationCard = memo(function ValidationCard({
  analysis: a,
  user,
  regimen,
  onSigned,
}: {
  analysis: Analysis;
  user: SessionUser;
  regimen: Regimen | null;
  onSigned: (v: Validation) => void;
}) {
  const { t, lang } = useT();
  const [decision, setDecision] = useState<'accept' | 'modify' | 'reject'>('accept');
  const [candidate, setCandidate] = useState('1');
  const [comment, setComment] = useState('');
  const errors = useEntryErrors();
  // The analysis's warnings that block a signature (misfit, unit slip, unusual entries) until the
  // signer confirms having checked them; the modified regimen's unusual values are asked by the
  // service (DT_ACK_REQUIRED) and confirmed the same way.
  const blocking = useMemo(() => needingAcknowledgement(a.warnings), [a.warnings]);
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [reauth, setReauth] = useState('');
  const modified = useMemo(
    () => regimen && !a.candidates.some((c) => sameRegimen(c.regimen, regimen)),
    [regimen, a.candidates],
  );
  useEffect(() => {
    if (modified) setDecision((d) => (d === 'accept' ? 'modify' : d));
  }, [modified]);
  const reportUrl = `/api/requests/${a.requestId}/report`;
  if (a.validation)
    return (
      <Card withBorder padding="sm" component="section" aria-labelledby="val-title">
        <Title order={3} size="h5" id="val-title">
          {t('validation')}
        </Title>
        <Text size="sm" data-testid="signed">
          {t(`decided_${a.validation.decision}`)} · {showDateTime(a.validation.signedAt, lang)} ·{' '}
          {t('signature')} <code>{a.validation.signature.slice(0, 12)}…</code>
        </Text>
        {a.validation.verified && a.validation.verified.status !== 'valid' && (
          // The service checked the signature as it read the analysis: the stored decision is not
          // what was signed (or not with this service's key); no report is produced from it.
          <Alert color="red" role="alert" data-testid="signature-not-verified">
            {t(`signatureNotVerified_${a.validation.verified.status}`)}
          </Alert>
        )}
        {a.validation.regimen && (
          <Text size="sm">
            {t('retainedRegimen')}: {regimenLine(a.validation.regimen, lang, t)}
          </Text>
        )}
        {a.validation.comment && <Text size="sm">“{a.validation.comment}”</Text>}
        {a.validation.decision !== 'reject' && (a.validation.verified?.status ?? 'valid') === 'valid' && (
          <Group mt="xs">
            <Anchor href={reportUrl} target="_blank" data-testid="report-link">
              {t('openReport')}
            </Anchor>
            <Anchor href={`${reportUrl}?format=pdf`} target="_blank">
              PDF
            </Anchor>
          </Group>
        )}
      </Card>
    );
  if (user.role !== 'pharmacologist')
    return (
      <Card withBorder padding="sm">
        <Text size="sm">{t('awaitingValidation')}</Text>
      </Card>
    );
  const chosen = a.candidates.find((c) => String(c.rank) === candidate);
  // What the signature covers, restated in the confirmation.
  const summary =
    decision === 'accept'
      ? chosen
        ? `#${chosen.rank}: ${regimenLine(chosen.regimen, lang, t)}`
        : ''
      : decision === 'modify' && regimen
        ? regimenLine(regimen, lang, t)
        : '';
  const sign = async () => {
    setConfirming(false);
    setBusy(true);
    const held = errors.acknowledge().acknowledge ?? [];
    errors.clear();
    const acknowledge = [
      ...new Set([...(checked && decision !== 'reject' ? blocking.map((i) => i.code) : []), ...held]),
    ];
    const again = reauthOf(reauth);
    setReauth('');
    try {
      const ack = acknowledge.length ? { acknowledge } : {};
      const body: NewValidation =
        decision === 'accept'
          ? { decision, comment, candidate: Number(candidate), reauth: again, ...ack }
          : decision === 'modify'
            ? { decision, comment, regimen: regimen!, reauth: again, ...ack }
            : { decision, comment, reauth: again };
      onSigned(await api<Validation>('POST', `/analyses/${a.id}/validations`, body));
    } catch (err) {
      errors.fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="val-title">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setConfirming(true);
        }}
        data-testid="validation-form"
      >
        <Stack gap="xs">
          <Title order={3} size="h5" id="val-title">
            {t('validation')}
          </Title>
          <Radio.Group
            value={decision}
            onChange={(v) => setDecision(v as typeof decision)}
            label={t('decision')}
          >
            <Group gap="md" mt={4}>
              <Radio value="accept" label={t('decision_accept')} disabled={!a.candidates.length} />
              <Radio value="modify" label={t('decision_modify')} disabled={!regimen} />
              <Radio value="reject" label={t('decision_reject')} />
            </Group>
          </Radio.Group>
          {decision === 'accept' && (
            <NativeSelect
              label={t('candidate')}
              value={candidate}
              onChange={(e) => setCandidate(e.currentTarget.value)}
              data={a.candidates.map((c) => ({
                value: String(c.rank),
                label: `#${c.rank}: ${regimenLine(c.regimen, lang, t)}`,
              }))}
            />
          )}
          {decision === 'modify' && regimen && (
            <Text size="sm">
              {t('retained')}: {regimenLine(regimen, lang, t)}
            </Text>
          )}
          <Textarea
            label={t('comment')}
            required={decision !== 'accept'}
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          {decision !== 'reject' && blocking.length > 0 && (
            <Alert color="orange" title={t('blockingWarnings')} data-testid="blocking-warnings">
              <List size="sm">
                {blocking.map((w, k) => (
                  <List.Item key={k}>{issueText(w, lang)}</List.Item>
                ))}
              </List>
              <Checkbox
                mt="xs"
                data-testid="acknowledge-warnings"
                label={t('acknowledgeWarnings')}
                checked={checked}
                onChange={(e) => setChecked(e.currentTarget.checked)}
              />
            </Alert>
          )}
          <ErrorBox
            error={
              errors.ack && errors.error instanceof ApiError
                ? new ApiError(
                    errors.error.status,
                    errors.error.issues.filter((i) => i.code !== 'DT_ACK_REQUIRED'),
                  )
                : errors.error
            }
          />
          {errors.ack && errors.ack.codes.some((c) => !blocking.some((w) => w.code === c)) && (
            <Checkbox
              data-testid="acknowledge"
              color="orange"
              label={t('acknowledgeEntry')}
              checked={errors.ack.checked}
              onChange={(e) => errors.ack!.onChange(e.currentTarget.checked)}
            />
          )}
          <Button type="submit" loading={busy} color={decision === 'reject' ? 'red.8' : undefined}>
            {t('sign')}
          </Button>
        </Stack>
      </form>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={t('confirmSignTitle')} centered>
        <Stack gap="xs" data-testid="confirm-sign">
          <Text fw={600}>
            {t(`decision_${decision}`)}
            {summary ? ` — ${summary}` : ''}
          </Text>
          {comment && <Text size="sm">“{comment}”</Text>}
          <Text size="sm">{t('confirmSignBody', { v: a.version })}</Text>
          <Text size="sm" data-testid="signature-meaning">
            {t(`signatureMeaning_${decision}`)}
          </Text>
          <PasswordInput
            label={t('reauthLabel')}
            description={t('reauthHint')}
            value={reauth}
            onChange={(e) => setReauth(e.currentTarget.value)}
            autoComplete="current-password"
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              {t('cancel')}
            </Button>
            <Button onClick={sign} disabled={!reauth} color={decision === 'reject' ? 'red.8' : undefined}>
              {t('confirmSign')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
});
