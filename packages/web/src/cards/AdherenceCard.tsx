/**
 * The patient's prescriptions (the default dose history) and adherence records (a dose missed,
 * late, early or extra, with who said so), each with its corrections: the values before struck
 * through, who amended them, when and why. What the analysis makes of them is the library's
 * dose history; this card only shows the record.
 */
import { Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import type { AdherenceRecord, PatientRecord, Prescription } from '@dosetwin/server/contract';
import { type Key, useT } from '../i18n/index.ts';
import { showDateTime } from '../lib/time.ts';
import { fmt, unitLabel } from '../lib/units.ts';

const KIND: Record<AdherenceRecord['kind'], Key> = {
  missed: 'adhKind_missed',
  late: 'adhKind_late',
  taken: 'adhKind_taken',
  extra: 'adhKind_extra',
};
const SOURCE: Record<AdherenceRecord['source'], Key> = {
  diary: 'adhSource_diary',
  pillbox: 'adhSource_pillbox',
  clinician: 'adhSource_clinician',
};

export function AdherenceCard({ rec }: { rec: PatientRecord }) {
  const { t, lang } = useT();
  if (!rec.prescriptions.length && !rec.adherence.length) return null;
  // Up to 3 decimals, as entered (0.125 mg); thousands grouped.
  const q = (x: { value: number; unit: string }): string =>
    `${fmt(x.value, lang, { decimals: 3 }, true)} ${unitLabel(x.unit, lang)}`;
  const rx = (p: Pick<Prescription, 'dose' | 'interval' | 'route' | 'product' | 'start' | 'until'>): string =>
    `${t('adhPrescription', {
      dose: q(p.dose),
      interval: q(p.interval),
      route: t(`route_${p.route}`),
      product: p.product,
      start: showDateTime(p.start, lang),
    })}${p.until ? `, ${t('adhUntil', { until: showDateTime(p.until, lang) })}` : ''}`;
  const what = (r: Pick<AdherenceRecord, 'kind' | 'dueAt' | 'takenAt' | 'amount' | 'source'>): string =>
    [
      t(KIND[r.kind]),
      r.dueAt ? t('adhDue', { at: showDateTime(r.dueAt, lang) }) : null,
      r.takenAt ? t('adhTaken', { at: showDateTime(r.takenAt, lang) }) : null,
      r.amount ? q(r.amount) : null,
      `(${t(SOURCE[r.source])})`,
    ]
      .filter((x) => x !== null)
      .join(' · ');
  const notes = <V,>(
    cs: { id: string; before: V; createdAt: string; author: string; reason: string }[],
    text: (v: V) => string,
  ) =>
    cs.map((c) => (
      <Text key={c.id} size="xs" c="gray.7" data-testid="adherence-correction">
        <s>{text(c.before)}</s>{' '}
        {t('amendedNote', { when: showDateTime(c.createdAt, lang), who: c.author, reason: c.reason })}
      </Text>
    ));
  return (
    <Card withBorder padding="sm" data-testid="adherence-card">
      <Title order={3} size="h5" mb={4}>
        {t('adhTitle')}
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        {t('adhNote')}
      </Text>
      <Stack gap={4}>
        {rec.prescriptions.map((p) => (
          <Stack key={p.id} gap={0} data-testid="prescription-row">
            <Group gap={6}>
              <Text size="sm" fw={500} td={p.status === 'entered-in-error' ? 'line-through' : undefined}>
                {rx(p)}
              </Text>
              {p.status === 'entered-in-error' && (
                <Badge color="red" variant="light" size="sm">
                  {t('enteredInError')}
                </Badge>
              )}
            </Group>
            {notes(p.corrections, rx)}
          </Stack>
        ))}
      </Stack>
      {rec.adherence.length ? (
        <Table fz="sm" mt="xs" withTableBorder>
          <Table.Tbody>
            {rec.adherence.map((r) => (
              <Table.Tr key={r.id} data-testid="adherence-row" data-kind={r.kind}>
                <Table.Td>
                  <Group gap={6}>
                    <Text size="sm" td={r.status === 'entered-in-error' ? 'line-through' : undefined}>
                      {what(r)}
                    </Text>
                    {r.status === 'entered-in-error' && (
                      <Badge color="red" variant="light" size="sm">
                        {t('enteredInError')}
                      </Badge>
                    )}
                  </Group>
                  {notes(r.corrections, what)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="sm" mt="xs">
          {t('adhNoRecord')}
        </Text>
      )}
    </Card>
  );
}
