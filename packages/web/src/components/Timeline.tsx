/**
 * The patient's timeline: doses, levels and covariates in time order, each with its values in
 * force. A corrected record keeps what it said before, struck through, with the reason, author and
 * time of each correction; a record entered in error is struck through whole (analyses leave it
 * out). Each row can be corrected (CorrectionForm).
 */
import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import type {
  Administration,
  Covariate,
  CovariateValues,
  DoseValues,
  LevelValues,
  PatientRecord,
  Sample,
} from '@dosetwin/server/contract';
import { useMemo, useState } from 'react';
import { CorrectionForm, type Correctable } from '../forms/CorrectionForm.tsx';
import { type Key, type Lang, translate, useT } from '../i18n/index.ts';
import { covariateValue } from '../lib/covariate-labels.ts';
import { showDateTime } from '../lib/time.ts';
import { fmt, unitLabel } from '../lib/units.ts';

type T = (k: Key, v?: Record<string, string | number>) => string;

/** A sample's matrix in the UI's language (the stored name is English: plasma, serum, whole blood). */
export const matrixLabel = (m: string, lang: Lang): string =>
  m === 'whole blood'
    ? translate(lang, 'matrixWholeBlood')
    : m === 'serum'
      ? translate(lang, 'matrixSerum')
      : m;

export const doseText = (a: DoseValues, lang: Lang, t: T): string =>
  `${a.product}: ${fmt(a.amount, lang)} ${unitLabel(a.unit)} ${t(`route_${a.route}`)}${a.duration ? ` ${t('over')} ${fmt(a.duration.value, lang)} ${a.duration.unit}` : ''}`;
export const levelText = (s: LevelValues, lang: Lang): string =>
  `${fmt(s.value, lang)} ${unitLabel(s.unit)} (${matrixLabel(s.matrix, lang)}, ${s.assay}${s.lloq !== null ? `, ${translate(lang, 'lloqShort')} ${fmt(s.lloq, lang)}` : ''})`;
export const covariateText = (c: CovariateValues, lang: Lang): string =>
  `${c.name} = ${covariateValue(c, lang)}`;

/** A record's values as one line, with its time when the time itself was corrected. */
function valuesText(
  item: Correctable,
  v: DoseValues | LevelValues | CovariateValues,
  lang: Lang,
  t: T,
): string {
  const text =
    item.kind === 'administrations'
      ? doseText(v as DoseValues, lang, t)
      : item.kind === 'samples'
        ? levelText(v as LevelValues, lang)
        : covariateText(v as CovariateValues, lang);
  return v.at === item.record.at ? text : `${showDateTime(v.at, lang)}: ${text}`;
}

export function Timeline({ rec, onDone }: { rec: PatientRecord; onDone: () => void }) {
  const { t, lang } = useT();
  const [editing, setEditing] = useState<Correctable | null>(null);
  const rows: Correctable[] = useMemo(
    () =>
      [
        ...rec.administrations.map((r: Administration) => ({ kind: 'administrations' as const, record: r })),
        ...rec.samples.map((r: Sample) => ({ kind: 'samples' as const, record: r })),
        ...rec.covariates.map((r: Covariate) => ({ kind: 'covariates' as const, record: r })),
      ].sort((a, b) => Date.parse(a.record.at) - Date.parse(b.record.at)),
    [rec],
  );
  const badge = { administrations: 'dose', samples: 'level', covariates: 'covariate' } as const;
  return (
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
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => {
            const r = row.record;
            const inError = r.status === 'entered-in-error';
            return (
              <Table.Tr key={r.id} data-status={r.status} data-testid={`record-${r.id}`}>
                <Table.Td td={inError ? 'line-through' : undefined}>{showDateTime(r.at, lang)}</Table.Td>
                <Table.Td>
                  <Badge
                    color={
                      row.kind === 'administrations' ? 'indigo' : row.kind === 'samples' ? 'teal' : 'gray'
                    }
                    variant="light"
                  >
                    {t(badge[row.kind])}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    <Group gap={6}>
                      <Text
                        size="sm"
                        td={inError ? 'line-through' : undefined}
                        c={inError ? 'gray.7' : undefined}
                      >
                        {valuesText(row, r, lang, t)}
                      </Text>
                      {inError && (
                        <Badge color="red" variant="light" size="sm">
                          {t('enteredInError')}
                        </Badge>
                      )}
                    </Group>
                    {r.corrections.map((c) => (
                      <Text key={c.id} size="xs" c="gray.7" data-testid="correction-note">
                        {c.after && (
                          <>
                            <s>{valuesText(row, c.before, lang, t)}</s>{' '}
                          </>
                        )}
                        {t(c.action === 'amend' ? 'amendedNote' : 'inErrorNote', {
                          when: showDateTime(c.createdAt, lang),
                          who: c.author,
                          reason: c.reason,
                        })}
                      </Text>
                    ))}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    onClick={() => setEditing(row)}
                    aria-label={t('correctEntry', {
                      what: t(badge[row.kind]),
                      when: showDateTime(r.at, lang),
                    })}
                  >
                    {t('correct')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            );
          })}
          {!rows.length && (
            <Table.Tr>
              <Table.Td colSpan={4}>{t('nothingYet')}</Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      {editing && (
        <CorrectionForm
          key={editing.record.id}
          patientId={rec.patient.id}
          item={editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            onDone();
          }}
        />
      )}
    </Card>
  );
}
