/**
 * The prescriber's request: a drug (every model of it, averaged) or one library model, and the
 * clinical question. For the subject chosen, what the analysis needs from the record — the inputs
 * of the model, or of every model of the drug (the service's list, from the covariate register) —
 * and which are recorded, covered by a measured derived covariate, optional or still missing; a
 * missing one is entered in the covariate form in one click. The targets it will be analysed for
 * are shown with their source.
 */
import {
  Badge,
  Button,
  Card,
  Group,
  List,
  NativeSelect,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { drugInputStatus, type InputState, inputStatus } from '@dosetwin/models';
import type { ModelInfo, PatientRecord } from '@dosetwin/server/contract';
import { Fragment, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { covariateLabel, covariateValue } from '../lib/covariate-labels.ts';
import { showDateTime } from '../lib/time.ts';
import { unitLabel } from '../lib/units.ts';

const COLOR: Record<InputState, string> = {
  recorded: 'green',
  covered: 'gray',
  optional: 'gray',
  missing: 'red',
};
/** `vancomycin/colin2019` → `colin2019`. */
const short = (id: string): string => id.slice(id.indexOf('/') + 1);

export function RequestForm({
  patientId,
  models,
  rec,
  onDone,
  onEnter,
}: {
  patientId: string;
  models: ModelInfo[];
  rec: PatientRecord;
  onDone: () => void;
  /** Enter a missing input in the covariate form (in the unit the model asks for). */
  onEnter: (name: string, unit: string | null) => void;
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
  const ofSubject = drug !== null ? models.filter((m) => m.drug === drug) : model ? [model] : [];
  const status = model
    ? inputStatus(model.inputs, rec.covariates).map((s) => ({ ...s, models: null }))
    : drugInputStatus(ofSubject, rec.covariates);
  const latest = (name: string) =>
    rec.covariates
      .filter((c) => c.name === name)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .at(-1);
  const unitAsked = (name: string): string | null => model?.inputs.find((i) => i.name === name)?.unit ?? null;
  const missing = status.filter((s) => s.state === 'missing');
  const missingFor = [
    ...new Set(
      missing.flatMap((s) => (s.models ?? []).filter((m) => m.state === 'missing').map((m) => short(m.id))),
    ),
  ];
  // A model's targets; for a drug, its drug file's (a model's own overrides apply to that model alone).
  const targets = [
    ...new Map(
      ofSubject
        .flatMap((m) => m.targets)
        .filter((x) => model || x.source === 'drug')
        .map((x) => [x.text, x]),
    ).values(),
  ];
  const stateText = (s: (typeof status)[number]): string => {
    if (s.state === 'recorded') {
      const c = latest(s.name)!;
      return `✓ ${covariateValue(c, lang)}`;
    }
    if (s.state === 'covered') return t('input_covered');
    return t(`input_${s.state}`);
  };
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
            {status.length > 0 && (
              <Table aria-label={t('inputsTitle')} data-testid="request-inputs" verticalSpacing={4}>
                <Table.Caption style={{ captionSide: 'top', textAlign: 'left' }}>
                  <Text size="sm" fw={600} span>
                    {t('inputsTitle')}
                  </Text>
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('covariate')}</Table.Th>
                    {model && <Table.Th>{t('modelUnit')}</Table.Th>}
                    <Table.Th>{t('status')}</Table.Th>
                    {drug !== null && <Table.Th>{t('neededBy')}</Table.Th>}
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {status.map((s) => (
                    <Table.Tr key={s.name} data-testid={`input-${s.name}`} data-state={s.state}>
                      <Table.Td>
                        <Text size="sm">{covariateLabel(s.name, lang)}</Text>
                      </Table.Td>
                      {model && <Table.Td>{unitLabel(unitAsked(s.name) ?? '-')}</Table.Td>}
                      <Table.Td>
                        <Text size="sm" c={`${COLOR[s.state]}.9`}>
                          {stateText(s)}
                        </Text>
                      </Table.Td>
                      {s.models && (
                        <Table.Td>
                          <Text size="xs">
                            {s.models.length === ofSubject.length && ofSubject.length > 1
                              ? t('allNModels', { n: s.models.length })
                              : s.models.map((m) => short(m.id)).join(', ')}
                          </Text>
                        </Table.Td>
                      )}
                      <Table.Td>
                        {s.state !== 'recorded' && s.state !== 'covered' && (
                          <Button
                            size="compact-xs"
                            variant={s.state === 'missing' ? 'light' : 'subtle'}
                            aria-label={t('enterCovariate', { name: s.name })}
                            onClick={() => onEnter(s.name, unitAsked(s.name))}
                          >
                            {t('enter')}
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {missing.length > 0 && (
              <Text size="sm" c="red.9" role="status" data-testid="inputs-missing">
                {drug !== null && missingFor.length < ofSubject.length
                  ? t('missingForModels', {
                      names: missing.map((s) => s.name).join(', '),
                      models: missingFor.join(', '),
                    })
                  : t('missingInputs', { names: missing.map((s) => s.name).join(', ') })}
              </Text>
            )}
            {targets.length > 0 && (
              <Text size="xs" c="gray.7" data-testid="request-targets">
                {t('targetsOfSubject')}
                {lang === 'fr' ? ' : ' : ': '}
                {targets.map((x, k) => (
                  <Fragment key={k}>
                    {k > 0 && '; '}
                    {x.text} {/* A citation is in its paper's language. */}(
                    <span lang="en">{x.citation}</span>)
                  </Fragment>
                ))}
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
