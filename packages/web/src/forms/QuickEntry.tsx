/** Doses as said at the bedside ('Prograf 5 mg at 08:00 and 20:00 since 12 Nov'), previewed, then recorded. */
import { Button, Card, Group, List, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { parseQuickEntry, type QuickDose } from '../lib/quick-entry.ts';
import { showDateTime } from '../lib/time.ts';
import { unitLabel } from '../lib/units.ts';

export function QuickEntry({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const { t, lang } = useT();
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => (text.trim() ? parseQuickEntry(text) : null), [text]);
  const record = async (doses: QuickDose[]) => {
    setBusy(true);
    setError(null);
    try {
      for (const d of doses) await api('POST', `/patients/${patientId}/administrations`, d);
      setText('');
      onDone();
    } catch (e) {
      setError(e);
      onDone();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder component="section" aria-labelledby="quick-title">
      <Stack gap="xs">
        <Title order={3} size="h4" id="quick-title">
          {t('quickEntry')}
        </Title>
        <TextInput
          label={t('quickEntryLabel')}
          description={t('quickEntryHint')}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          placeholder="Prograf 5 mg at 08:00 and 20:00 since 12 Nov"
        />
        {parsed && parsed.errors.length > 0 && (
          <List size="sm" c="red.9" role="status">
            {parsed.errors.map((m, k) => (
              <List.Item key={k}>{m}</List.Item>
            ))}
          </List>
        )}
        {parsed && parsed.doses.length > 0 && (
          <>
            <Text size="sm" role="status">
              {t('quickPreview', { n: parsed.doses.length })}:{' '}
              {parsed.doses
                .slice(0, 6)
                .map((d) => showDateTime(d.at, lang))
                .join(', ')}
              {parsed.doses.length > 6 ? ' …' : ''} — {parsed.doses[0].amount}{' '}
              {unitLabel(parsed.doses[0].unit)} {t(`route_${parsed.doses[0].route}`)}
            </Text>
            <Group>
              <Button onClick={() => record(parsed.doses)} loading={busy}>
                {t('recordDoses', { n: parsed.doses.length })}
              </Button>
            </Group>
          </>
        )}
        <ErrorBox error={error} />
      </Stack>
    </Card>
  );
}
