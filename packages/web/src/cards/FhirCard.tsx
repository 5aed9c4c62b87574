/**
 * The hospital's health record (FHIR): on the patient page, the import of the doses, levels and
 * covariates for a drug, showing what the service took, each unit conversion and what it refused
 * with the reason (the import route's answer, nothing recomputed here); on a signed analysis, the
 * write-back of the decision. Shown when the service has a FHIR server or is a SMART app (a
 * launched patient is read with the EHR's token, kept by the service).
 */
import { Button, Card, Group, List, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import type {
  FhirImportResult,
  FhirServerInfo,
  FhirWriteBackResult,
  ModelInfo,
} from '@dosetwin/server/contract';
import { useEffect, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { type Lang, useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { issueText } from '../lib/issue-text.ts';
import { showDateTime } from '../lib/time.ts';
import { fmt, unitLabel } from '../lib/units.ts';

type Values = FhirImportResult['entries'][number]['values'];
/** What an imported entry holds, in the units the service stored it in. */
function valueText(v: Values, lang: Lang): string {
  const q = (x: number, u: string): string =>
    u === '-' ? String(x) : `${fmt(x, lang, 6)} ${unitLabel(u, lang)}`;
  if ('name' in v) return `${v.name} = ${q(v.value, v.unit)}`;
  if ('amount' in v)
    return `${q(v.amount, v.unit)}${v.duration ? ` / ${q(v.duration.value, v.duration.unit)}` : ''}`;
  return q(v.value, v.unit);
}

/** Whether the service reads a health record at all (a FHIR server, or launches from an EHR). */
function useFhirAvailable(): boolean {
  const [on, setOn] = useState(false);
  useEffect(() => {
    // A role without access or a service without FHIR: no action shown, nothing to report.
    api<FhirServerInfo>('GET', '/fhir/server').then(
      (s) => setOn(s.server !== null || s.smart),
      () => setOn(false),
    );
  }, []);
  return on;
}

export function FhirImportCard({
  patientId,
  models,
  onDone,
}: {
  patientId: string;
  models: ModelInfo[];
  onDone: () => void;
}) {
  const { t, lang } = useT();
  const available = useFhirAvailable();
  const drugs = [...new Set(models.map((m) => m.drug))].sort();
  const [drug, setDrug] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<FhirImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (!available || drugs.length === 0) return null;
  const chosen = drug || drugs[0];
  const run = () => {
    setBusy(true);
    setError(null);
    api<FhirImportResult>('POST', `/patients/${patientId}/fhir-import`, { drug: chosen })
      .then((r) => {
        setResult(r);
        onDone();
      }, setError)
      .finally(() => setBusy(false));
  };
  return (
    <Card withBorder component="section" aria-labelledby="fhir-title" data-testid="fhir-import">
      <Stack gap="xs">
        <Title order={3} size="h5" id="fhir-title">
          {t('fh_title')}
        </Title>
        <Group align="flex-end">
          <NativeSelect
            label={t('fh_drug')}
            data={drugs}
            value={chosen}
            onChange={(e) => setDrug(e.currentTarget.value)}
          />
          <Button onClick={run} loading={busy}>
            {busy ? t('fh_importing') : t('fh_import')}
          </Button>
        </Group>
        <ErrorBox error={error} />
        {result && (
          <Stack gap="xs" data-testid="fhir-import-result">
            <Text size="sm">
              {t('fh_summary', {
                n: result.entries.length,
                server: result.server,
                patient: result.fhirPatientId,
              })}
            </Text>
            <Title order={4} size="h6">
              {t('fh_taken')}
            </Title>
            <Table fz="xs" data-testid="fhir-taken">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('fh_resource')}</Table.Th>
                  <Table.Th>{t('fh_kind')}</Table.Th>
                  <Table.Th>{t('fh_value')}</Table.Th>
                  <Table.Th>{t('fh_outcome')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.entries.map((e, k) => (
                  <Table.Tr key={k}>
                    <Table.Td>{e.resource}</Table.Td>
                    <Table.Td>{t(`fh_${e.kind}`)}</Table.Td>
                    <Table.Td>
                      {valueText(e.values, lang)} · {showDateTime(e.values.at, lang)}
                    </Table.Td>
                    <Table.Td>
                      {t(`fh_${e.outcome}`)}
                      {e.issues.length > 0 && ` — ${e.issues.map((i) => issueText(i, lang)).join(' · ')}`}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {result.conversions.length > 0 && (
              <>
                <Title order={4} size="h6">
                  {t('fh_conversions')}
                </Title>
                <List size="xs" data-testid="fhir-conversions">
                  {result.conversions.map((c, k) => (
                    <List.Item key={k}>
                      {c.resource} · {c.field}: {c.from} → {c.to} ({lang === 'fr' ? c.fr : c.en})
                    </List.Item>
                  ))}
                </List>
              </>
            )}
            <Title order={4} size="h6">
              {t('fh_refused')}
            </Title>
            {result.refused.length === 0 ? (
              <Text size="xs">{t('fh_noneRefused')}</Text>
            ) : (
              <List size="xs" data-testid="fhir-refused">
                {result.refused.map((r, k) => (
                  <List.Item key={k}>
                    {/* The issue's field names the resource already, most often. */}
                    {r.resource && !r.issue.field.startsWith(r.resource) ? `${r.resource}: ` : ''}
                    {issueText(r.issue, lang)}
                  </List.Item>
                ))}
              </List>
            )}
            {result.missing.length > 0 && (
              <Text size="xs">{t('fh_missing', { n: result.missing.length })}</Text>
            )}
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

/** The signed decision sent to the health record the patient came from. */
export function FhirWriteBackButton({ requestId }: { requestId: string }) {
  const { t } = useT();
  const available = useFhirAvailable();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<FhirWriteBackResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (!available) return null;
  const send = () => {
    setBusy(true);
    setError(null);
    api<FhirWriteBackResult>('POST', `/requests/${requestId}/fhir-write-back`, {})
      .then(setResult, setError)
      .finally(() => setBusy(false));
  };
  return (
    <Stack gap={4} data-testid="fhir-write-back">
      {!result && (
        <Button size="xs" variant="light" onClick={send} loading={busy}>
          {busy ? t('fh_sending') : t('fh_writeBack')}
        </Button>
      )}
      <ErrorBox error={error} />
      {result && (
        <Text size="xs" data-testid="fhir-written">
          {t('fh_written', { server: result.server })} {result.resources.join(', ')}
        </Text>
      )}
    </Stack>
  );
}
