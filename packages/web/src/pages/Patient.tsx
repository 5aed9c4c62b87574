import {
  Badge,
  Button,
  Card,
  Code,
  Grid,
  Group,
  List,
  NativeSelect,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import type { ModelInfo, PatientRecord, SessionUser } from '@dosetwin/server/contract';
import { api } from '../lib/api.ts';
import { parseQuickEntry, type QuickDose } from '../lib/quick-entry.ts';
import { fromDateTimeLocal, showDateTime, toDateTimeLocal } from '../lib/time.ts';
import { CONC_UNITS, covariateUnits, MASS_UNITS, TIME_UNITS, unitLabel } from '../lib/units.ts';

/** The shell of an entry form (dose, level, covariate): a titled, labelled section with its fields, errors and submit button. */
function EntryForm(props: {
  id: string;
  testId: string;
  title: string;
  cols: number;
  error: unknown;
  onSubmit: (e: React.FormEvent) => void;
  children: React.ReactNode;
}): React.JSX.Element {
  const titleId = `${props.id}-title`;
  return (
    <Card withBorder component="section" aria-labelledby={titleId}>
      <form onSubmit={props.onSubmit} aria-labelledby={titleId} data-testid={props.testId}>
        <Stack gap="xs">
          <Title order={3} size="h4" id={titleId}>
            {props.title}
          </Title>
          <SimpleGrid cols={{ base: 2, sm: props.cols }}>{props.children}</SimpleGrid>
          <ErrorBox error={props.error} />
          <Group>
            <Button type="submit">{props.title}</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

const COVARIATE_NAMES = ['WT', 'HT', 'AGE', 'SCR', 'SEX', 'DIAL', 'HCT', 'CYP3A5', 'ALB', 'CRCL'];
const BINARY = new Set(['SEX', 'DIAL', 'CYP3A5']);
const MATRICES = ['plasma', 'serum', 'whole blood'];
const nowLocal = (): string => toDateTimeLocal(new Date().toISOString());

type Entry =
  | { kind: 'dose'; at: string; text: string }
  | { kind: 'sample'; at: string; text: string }
  | { kind: 'covariate'; at: string; text: string };

export function PatientPage({ id }: { id: string; user: SessionUser }) {
  const { t, lang } = useT();
  const [rec, setRec] = useState<PatientRecord | null>(null);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => api<PatientRecord>('GET', `/patients/${id}`).then(setRec, setError), [id]);
  useEffect(() => {
    load();
    api<ModelInfo[]>('GET', '/models').then(setModels, setError);
  }, [load]);

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
        text: `${c.name} = ${c.value} ${c.unit}`,
      })),
    ];
    return e.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }, [rec, t]);

  if (!rec) return <ErrorBox error={error} />;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>
          {t('patient')} {rec.patient.pseudonym}
        </Title>
        <Text>
          {t(rec.patient.sex === 'female' ? 'female' : 'male')} · {t('service')} {rec.patient.service}
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
          <RequestForm patientId={id} models={models} rec={rec} onDone={load} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack>
            <QuickEntry patientId={id} onDone={load} />
            <DoseForm patientId={id} onDone={load} />
            <SampleForm patientId={id} onDone={load} />
            <CovariateForm patientId={id} onDone={load} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function QuickEntry({ patientId, onDone }: { patientId: string; onDone: () => void }) {
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

function DoseForm({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const { t } = useT();
  const [f, setF] = useState({
    at: nowLocal(),
    amount: '' as number | string,
    unit: 'mg',
    route: 'infusion',
    duration: 1 as number | string,
    durationUnit: 'h',
    product: '',
  });
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', `/patients/${patientId}/administrations`, {
        at: fromDateTimeLocal(f.at) ?? f.at,
        amount: Number(f.amount),
        unit: f.unit,
        route: f.route,
        ...(f.route === 'infusion' ? { duration: { value: Number(f.duration), unit: f.durationUnit } } : {}),
        product: f.product || `${f.amount} ${f.unit}`,
      });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <EntryForm id="dose" testId="dose-form" title={t('addDose')} cols={3} error={error} onSubmit={submit}>
      <TextInput
        type="datetime-local"
        label={t('dateTime')}
        required
        value={f.at}
        onChange={(e) => setF({ ...f, at: e.currentTarget.value })}
      />
      <NumberInput
        label={t('amount')}
        required
        min={0}
        decimalScale={4}
        value={f.amount}
        onChange={(v) => setF({ ...f, amount: v })}
      />
      <NativeSelect
        label={t('unit')}
        value={f.unit}
        onChange={(e) => setF({ ...f, unit: e.currentTarget.value })}
        data={MASS_UNITS.map((u) => ({ value: u, label: unitLabel(u) }))}
      />
      <NativeSelect
        label={t('route')}
        value={f.route}
        onChange={(e) => setF({ ...f, route: e.currentTarget.value })}
        data={(['infusion', 'oral', 'bolus'] as const).map((r) => ({
          value: r,
          label: t(`route_${r}`),
        }))}
      />
      {f.route === 'infusion' && (
        <>
          <NumberInput
            label={t('duration')}
            required
            min={0}
            decimalScale={2}
            value={f.duration}
            onChange={(v) => setF({ ...f, duration: v })}
          />
          <NativeSelect
            label={t('durationUnit')}
            value={f.durationUnit}
            onChange={(e) => setF({ ...f, durationUnit: e.currentTarget.value })}
            data={[...TIME_UNITS]}
          />
        </>
      )}
      <TextInput
        label={t('product')}
        value={f.product}
        onChange={(e) => setF({ ...f, product: e.currentTarget.value })}
      />
    </EntryForm>
  );
}

function SampleForm({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const { t } = useT();
  const [f, setF] = useState({
    at: nowLocal(),
    value: '' as number | string,
    unit: 'mg/L',
    matrix: 'plasma',
    assay: 'immunoassay',
    lloq: '' as number | string,
  });
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', `/patients/${patientId}/samples`, {
        at: fromDateTimeLocal(f.at) ?? f.at,
        value: Number(f.value),
        unit: f.unit,
        matrix: f.matrix,
        assay: f.assay,
        ...(f.lloq === '' ? {} : { lloq: Number(f.lloq) }),
      });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <EntryForm
      id="sample"
      testId="sample-form"
      title={t('addLevel')}
      cols={3}
      error={error}
      onSubmit={submit}
    >
      <TextInput
        type="datetime-local"
        label={t('dateTime')}
        required
        value={f.at}
        onChange={(e) => setF({ ...f, at: e.currentTarget.value })}
      />
      <NumberInput
        label={t('concentration')}
        required
        min={0}
        decimalScale={4}
        value={f.value}
        onChange={(v) => setF({ ...f, value: v })}
      />
      <NativeSelect
        label={t('unit')}
        value={f.unit}
        onChange={(e) => setF({ ...f, unit: e.currentTarget.value })}
        data={CONC_UNITS.map((u) => ({ value: u, label: unitLabel(u) }))}
      />
      <NativeSelect
        label={t('matrix')}
        value={f.matrix}
        onChange={(e) => setF({ ...f, matrix: e.currentTarget.value })}
        data={MATRICES}
      />
      <TextInput
        label={t('assay')}
        required
        value={f.assay}
        onChange={(e) => setF({ ...f, assay: e.currentTarget.value })}
      />
      <NumberInput
        label={t('lloq')}
        min={0}
        decimalScale={4}
        value={f.lloq}
        onChange={(v) => setF({ ...f, lloq: v })}
      />
    </EntryForm>
  );
}

function CovariateForm({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const { t } = useT();
  const [f, setF] = useState({ at: nowLocal(), name: 'WT', value: '' as number | string, unit: 'kg' });
  const [error, setError] = useState<unknown>(null);
  const units = covariateUnits(f.name, f.unit);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', `/patients/${patientId}/covariates`, {
        at: fromDateTimeLocal(f.at) ?? f.at,
        name: f.name,
        value: Number(f.value),
        unit: f.unit,
      });
      onDone();
      setF({ ...f, value: '' });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <EntryForm
      id="cov"
      testId="covariate-form"
      title={t('addCovariate')}
      cols={4}
      error={error}
      onSubmit={submit}
    >
      <TextInput
        type="datetime-local"
        label={t('dateTime')}
        required
        value={f.at}
        onChange={(e) => setF({ ...f, at: e.currentTarget.value })}
      />
      <NativeSelect
        label={t('covariate')}
        value={f.name}
        onChange={(e) => {
          const name = e.currentTarget.value;
          setF({ ...f, name, unit: covariateUnits(name, BINARY.has(name) ? '-' : '')[0], value: '' });
        }}
        data={COVARIATE_NAMES.map((n) => ({ value: n, label: t(`cov_${n}` as 'cov_WT') }))}
      />
      {BINARY.has(f.name) ? (
        <NativeSelect
          label={t('value')}
          value={String(f.value)}
          onChange={(e) => setF({ ...f, value: e.currentTarget.value })}
          data={[
            { value: '', label: '—' },
            ...[0, 1].map((v) => ({ value: String(v), label: t(`bin_${f.name}_${v}` as 'bin_SEX_0') })),
          ]}
          required
        />
      ) : (
        <NumberInput
          label={t('value')}
          required
          min={0}
          decimalScale={4}
          value={f.value}
          onChange={(v) => setF({ ...f, value: v })}
        />
      )}
      <NativeSelect
        label={t('unit')}
        value={f.unit}
        onChange={(e) => setF({ ...f, unit: e.currentTarget.value })}
        data={units.map((u) => ({ value: u, label: unitLabel(u) }))}
      />
    </EntryForm>
  );
}

function RequestForm({
  patientId,
  models,
  rec,
  onDone,
}: {
  patientId: string;
  models: ModelInfo[];
  rec: PatientRecord;
  onDone: () => void;
}) {
  const { t, lang } = useT();
  // A subject is a drug ('drug:vancomycin': every model of it, averaged) or one library model.
  const [subject, setSubject] = useState('');
  const [question, setQuestion] = useState('');
  const [error, setError] = useState<unknown>(null);
  const drugs = [...new Set(models.map((m) => m.drug))].sort();
  const chosen = subject || (drugs[0] ? `drug:${drugs[0]}` : '');
  const drug = chosen.startsWith('drug:') ? chosen.slice(5) : null;
  const model = drug === null ? models.find((m) => m.id === chosen) : undefined;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/requests', {
        patientId,
        ...(drug !== null ? { drug } : { modelId: model!.id }),
        question,
      });
      setQuestion('');
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card withBorder mt="md" component="section" aria-labelledby="req-title">
      <Stack gap="xs">
        <Title order={3} size="h4" id="req-title">
          {t('requests')}
        </Title>
        {rec.requests.length > 0 && (
          <List size="sm">
            {rec.requests.map((r) => (
              <List.Item key={r.id}>
                <a href={`#/requests/${r.id}`}>
                  {showDateTime(r.createdAt, lang)} · {r.modelId ?? `${r.drug} (${t('allModels')})`}
                </a>{' '}
                <Badge size="sm" variant="light">
                  {t(`status_${r.status}`)}
                </Badge>
              </List.Item>
            ))}
          </List>
        )}
        <form onSubmit={submit} data-testid="request-form">
          <Stack gap="xs">
            <NativeSelect
              label={t('model')}
              value={chosen}
              onChange={(e) => setSubject(e.currentTarget.value)}
              data={[
                ...drugs.map((d) => ({ value: `drug:${d}`, label: `${d} — ${t('allModels')}` })),
                ...models.map((m) => ({ value: m.id, label: `${m.id} (${m.drug})` })),
              ]}
              data-testid="request-subject"
            />
            {model && (
              <Text size="xs" c="gray.7">
                {t('modelNeeds')}:{' '}
                <Code>{model.covariates.map((c) => `${c.name} (${c.unit})`).join(', ')}</Code>
              </Text>
            )}
            <Textarea
              label={t('question')}
              value={question}
              onChange={(e) => setQuestion(e.currentTarget.value)}
              autosize
              minRows={2}
            />
            <ErrorBox error={error} />
            <Group>
              <Button type="submit" disabled={!model && drug === null}>
                {t('submitRequest')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Card>
  );
}
