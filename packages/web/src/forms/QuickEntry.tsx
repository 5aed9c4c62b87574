/**
 * Doses as said at the bedside ('Prograf 5 mg PO at 08:00 and 20:00 since 12 Nov'), previewed with
 * their dates and year, then recorded. What the parser computed (mg/kg × the recorded weight, a
 * continuous infusion) is shown; a date read as last year's and a long series must be confirmed
 * first; every message is in the UI's language.
 */
import { Alert, Button, Card, Checkbox, Group, List, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { parseQuickEntry, type QuickDose } from '../lib/quick-entry.ts';
import { showDateTimeYear } from '../lib/time.ts';
import { fmt, unitLabel } from '../lib/units.ts';

export function QuickEntry({
  patientId,
  weightKg,
  onDone,
}: {
  patientId: string;
  /** The patient's latest recorded weight (kg), for doses per kg; null when none. */
  weightKg: number | null;
  onDone: () => void;
}) {
  const { t, lang } = useT();
  const [text, setText] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => (text.trim() ? parseQuickEntry(text, { weightKg }) : null), [text, weightKg]);
  const record = async (doses: QuickDose[]) => {
    setBusy(true);
    setError(null);
    try {
      for (const d of doses) await api('POST', `/patients/${patientId}/administrations`, d);
      setText('');
      setConfirmed(false);
      onDone();
    } catch (e) {
      setError(e);
      onDone();
    } finally {
      setBusy(false);
    }
  };
  const needsConfirm = !!parsed && parsed.confirm.length > 0;
  const d0 = parsed?.doses[0];
  return (
    <Card withBorder component="section" aria-labelledby="quick-title" data-testid="quick-entry">
      <Stack gap="xs">
        <Title order={3} size="h4" id="quick-title">
          {t('quickEntry')}
        </Title>
        <TextInput
          label={t('quickEntryLabel')}
          description={t('quickEntryHint')}
          value={text}
          autoComplete="off"
          onChange={(e) => {
            setText(e.currentTarget.value);
            setConfirmed(false);
          }}
          placeholder={t('quickEntryExample')}
        />
        {parsed && parsed.errors.length > 0 && (
          <List size="sm" c="red.9" role="status">
            {parsed.errors.map((m, k) => (
              <List.Item key={k}>{t(m.key, m.vars)}</List.Item>
            ))}
          </List>
        )}
        {parsed && d0 && (
          <>
            {parsed.notes.map((m, k) => (
              <Text size="sm" key={k} data-testid="quick-note">
                {t(m.key, m.vars)}
              </Text>
            ))}
            <Text size="sm" role="status" data-testid="quick-preview">
              {t('quickPreview', { n: parsed.doses.length })}:{' '}
              {parsed.doses
                .slice(0, 6)
                .map((d) => showDateTimeYear(d.at, lang))
                .join(', ')}
              {parsed.doses.length > 6
                ? ` … ${showDateTimeYear(parsed.doses[parsed.doses.length - 1].at, lang)}`
                : ''}{' '}
              — {fmt(d0.amount, lang)} {unitLabel(d0.unit)} {t(`route_${d0.route}`)}
              {d0.duration ? ` ${t('over')} ${fmt(d0.duration.value, lang)} ${d0.duration.unit}` : ''}
            </Text>
            {needsConfirm && (
              <Alert color="orange" p="xs" title={t('qe_toConfirm')} data-testid="quick-confirm">
                <List size="sm">
                  {parsed.confirm.map((m, k) => (
                    <List.Item key={k}>{t(m.key, m.vars)}</List.Item>
                  ))}
                </List>
                <Checkbox
                  mt="xs"
                  label={t('qe_confirm')}
                  checked={confirmed}
                  onChange={(e) => setConfirmed(e.currentTarget.checked)}
                />
              </Alert>
            )}
            <Group>
              <Button
                onClick={() => record(parsed.doses)}
                loading={busy}
                disabled={needsConfirm && !confirmed}
              >
                {parsed.doses.length === 1 ? t('recordDose') : t('recordDoses', { n: parsed.doses.length })}
              </Button>
            </Group>
          </>
        )}
        <ErrorBox error={error} />
      </Stack>
    </Card>
  );
}
