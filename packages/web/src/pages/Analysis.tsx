/**
 * The analysis screen (the main screen): the concentration-time plot, the what-if panel (the next
 * regimen, forecast by the engine in the browser's worker at each edit), exposures and probability
 * of target attainment, the ranked candidates, the model card, model averaging, and the
 * pharmacologist's validation (accept / modify / reject with comment) leading to the signed report.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  Radio,
  ScrollArea,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { memo, startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ConcChart } from '../components/ConcChart.tsx';
import { ErrorBox } from '../components/Issues.tsx';
import { MlCard } from '../components/MlCard.tsx';
import { useT } from '../i18n/index.ts';
import type {
  Analysis,
  NewValidation,
  Regimen as RetainedRegimen,
  SessionUser,
  Validation,
} from '@dosetwin/server/contract';
import { api } from '../lib/api.ts';
import { EngineClient } from '../lib/engine-client.ts';
import { go } from '../lib/routes.ts';
import { fromDateTimeLocal, showDateTime, toDateTimeLocal } from '../lib/time.ts';
import type { Attainment, Regimen } from '@dosetwin/models';
import { convertUnit, fmt, MASS_UNITS, unitLabel } from '../lib/units.ts';
import type { ForecastMsg, MlResult, ReadyInfo } from '../lib/worker-protocol.ts';

declare global {
  interface Window {
    /** What-if timings (ms from the edit to the painted chart), read by the end-to-end test. */
    __whatif?: { edit: number; engine: number; reply: number; total: number }[];
  }
}

const NONE: never[] = [];
const pct = (x: number): string => `${Math.round(x * 100)} %`;

export function AnalysisPage({ id, user }: { id: string; user: SessionUser }) {
  const { t, lang } = useT();
  const [a, setA] = useState<Analysis | null>(null);
  const [info, setInfo] = useState<ReadyInfo | null>(null);
  const [f, setF] = useState<ForecastMsg | null>(null);
  const [regimen, setRegimen] = useState<Regimen | null>(null);
  const [pta, setPta] = useState<Attainment | null>(null);
  const [avg, setAvg] = useState<Awaited<ReturnType<EngineClient['average']>> | null>(null);
  const [ml, setMl] = useState<MlResult | null>(null);
  const [log, setLog] = useState(false);
  const [cardOpen, setCardOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [engineError, setEngineError] = useState<unknown>(null);
  const engine = useRef<EngineClient | null>(null);
  const editAt = useRef<number | null>(null);
  const engineMs = useRef(0);
  const replyAt = useRef(0);
  const drawRef = useRef<((f: ForecastMsg) => void) | null>(null);
  const busy = useRef(false);
  const queued = useRef<Regimen | null>(null);

  useEffect(() => {
    const e = new EngineClient();
    engine.current = e;
    let live = true;
    api<Analysis>('GET', `/analyses/${id}`)
      .then(async (an) => {
        if (!live) return;
        setA(an);
        const ready = await e.init(
          an.kind === 'drug'
            ? {
                kind: 'drug',
                inputs: { ...an.inputs, drug: an.inputs.drug!, formulation: an.inputs.formulation ?? null },
              }
            : { kind: 'model', inputs: an.inputs },
        );
        if (!live) return;
        setInfo(ready);
        // The what-if opens on the retained regimen once signed, else on candidate 1.
        const last = an.inputs.administrations.at(-1)!;
        const r: Regimen = an.validation?.regimen ??
          an.candidates[0]?.regimen ?? {
            dose: { value: last.amount, unit: last.unit },
            interval: { value: 12, unit: 'h' },
            route: last.route,
            duration: last.duration,
            start: an.inputs.start ?? new Date().toISOString(),
            loading: null,
          };
        setRegimen(r.start ? r : { ...r, start: an.inputs.start });
        e.ml().then(setMl, setEngineError);
      })
      .catch(setError);
    return () => {
      live = false;
      e.terminate();
    };
  }, [id]);

  // Each regimen change: forecast now (latest edit wins while one is running), then attainment.
  const run = useCallback(async (r: Regimen) => {
    const e = engine.current;
    if (!e) return;
    if (busy.current) {
      queued.current = r;
      return;
    }
    busy.current = true;
    try {
      const fc = await e.forecast(r);
      engineMs.current = fc.engineMs;
      replyAt.current = performance.now();
      // Draw at once; the tables follow in a low-priority render.
      drawRef.current?.(fc);
      setEngineError(null);
      startTransition(() => {
        setF(fc);
        setPta(null);
      });
      e.attainment([r]).then((p) => setPta(p[0]), setEngineError);
    } catch (err) {
      setEngineError(err);
      editAt.current = null;
    } finally {
      busy.current = false;
      const next = queued.current;
      queued.current = null;
      if (next) void run(next);
    }
  }, []);
  const regimenRef = useRef<Regimen | null>(null);
  regimenRef.current = regimen;
  useEffect(() => {
    if (info && regimenRef.current) void run(regimenRef.current);
  }, [info, run]);

  // An edit goes to the engine at once; the page re-renders meanwhile.
  // Stable callbacks: the memoised cards (candidates, validation, chart) skip the edit's re-render.
  const edit = useCallback(
    (patch: Partial<Regimen>) => {
      if (!regimenRef.current) return;
      editAt.current = performance.now();
      const next = { ...regimenRef.current, ...patch };
      regimenRef.current = next;
      void run(next);
      // The page's re-render yields to the worker's reply, so the chart is drawn without waiting for it.
      startTransition(() => setRegimen(next));
    },
    [run],
  );
  const compare = useCallback(() => {
    const r = regimenRef.current;
    if (r) engine.current?.average(r).then(setAvg, setEngineError);
  }, []);
  /** The regimen edited in hours (the form's unit), kept in the one regimen shape. */
  const hours = (q: { value: number; unit: string } | null): number =>
    q ? convertUnit(q.value, q.unit, 'h') : 0;
  const onSigned = useCallback((v: Validation) => setA((x) => x && { ...x, validation: v }), []);
  const onRendered = useCallback(() => {
    if (editAt.current === null) return;
    const total = performance.now() - editAt.current;
    (window.__whatif ??= []).push({
      edit: editAt.current,
      engine: engineMs.current,
      reply: replyAt.current - editAt.current,
      total,
    });
    editAt.current = null;
  }, []);

  if (!a) return <ErrorBox error={error} />;
  const u = info?.units;
  const model = a.modelId;
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Title order={2} size="h3">
            {t('analysis')} v{a.version} · {model}
          </Title>
          <Badge variant="light">{a.fit.kind === 'map' ? t('fitMap') : t('fitPrior')}</Badge>
          {a.validation && (
            <Badge color={a.validation.decision === 'reject' ? 'red' : 'green'}>
              {t(`decision_${a.validation.decision}`)}
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => setCardOpen(true)} disabled={!info}>
            {t('modelCard')}
          </Button>
          <Anchor href={`#/requests/${a.requestId}`} size="sm">
            {t('request')}
          </Anchor>
          <Anchor href={`#/patients/${a.patientId}`} size="sm">
            {t('openPatient')}
          </Anchor>
        </Group>
      </Group>
      <ErrorBox error={error} />
      {a.warnings.length > 0 && (
        <Alert color="yellow" title={t('warnings')} p="xs">
          <Text size="sm">{a.warnings.map((w) => w.message).join(' · ')}</Text>
        </Alert>
      )}
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Card withBorder padding="sm">
            <Group justify="space-between" mb={4}>
              <Title order={3} size="h5">
                {t('concTime')}
              </Title>
              <SegmentedControl
                size="xs"
                aria-label={t('axis')}
                value={log ? 'log' : 'lin'}
                onChange={(v) => setLog(v === 'log')}
                data={[
                  { value: 'lin', label: t('linear') },
                  { value: 'log', label: t('log') },
                ]}
              />
            </Group>
            {!info && !engineError && <Text size="sm">{t('fitting')}</Text>}
            <ConcChart
              forecast={f}
              observed={info?.observed ?? NONE}
              targets={info?.targets ?? NONE}
              lloq={info?.lloq ?? null}
              concUnit={u?.conc ?? 'mg/L'}
              log={log}
              onRendered={onRendered}
              drawRef={drawRef}
            />
            {info && (
              <Text size="xs" c="gray.7">
                {info.kind === 'map'
                  ? t('bandNote', { n: f?.draws ?? 0, acc: pct(info.fit?.acceptance ?? 0) })
                  : t('bandNotePrior', { n: f?.draws ?? 0 })}
              </Text>
            )}
          </Card>
          {regimen && u && (
            <Card withBorder padding="sm" mt="sm" component="section" aria-labelledby="whatif-title">
              <Title order={3} size="h5" id="whatif-title" mb={4}>
                {t('whatIf')}
              </Title>
              <Group grow align="flex-end" wrap="wrap">
                <NumberInput
                  label={t('dose')}
                  min={0}
                  step={250}
                  decimalScale={4}
                  value={regimen.dose.value}
                  onChange={(v) =>
                    typeof v === 'number' && v > 0 && edit({ dose: { value: v, unit: regimen.dose.unit } })
                  }
                  data-testid="whatif-dose"
                />
                <NativeSelect
                  label={t('unit')}
                  value={regimen.dose.unit}
                  onChange={(e) => edit({ dose: { value: regimen.dose.value, unit: e.currentTarget.value } })}
                  data={MASS_UNITS.map((x) => ({ value: x, label: unitLabel(x) }))}
                />
                <NumberInput
                  label={t('intervalH')}
                  min={1}
                  step={1}
                  value={hours(regimen.interval)}
                  onChange={(v) =>
                    typeof v === 'number' && v > 0 && edit({ interval: { value: v, unit: 'h' } })
                  }
                />
                {!info?.oral && (
                  <NumberInput
                    label={t('durationH')}
                    min={0}
                    step={0.5}
                    decimalScale={2}
                    value={hours(regimen.duration)}
                    onChange={(v) =>
                      typeof v === 'number' &&
                      v >= 0 &&
                      edit(
                        v > 0
                          ? { route: 'infusion', duration: { value: v, unit: 'h' } }
                          : { route: 'bolus', duration: null },
                      )
                    }
                  />
                )}
                <TextInput
                  type="datetime-local"
                  label={t('firstDose')}
                  value={toDateTimeLocal(regimen.start ?? '')}
                  onChange={(e) => {
                    const iso = fromDateTimeLocal(e.currentTarget.value);
                    if (iso) edit({ start: iso });
                  }}
                />
              </Group>
              <ErrorBox error={engineError} />
              {f && (
                <Table mt="xs" aria-label={t('exposure')} data-testid="whatif-exposure">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('target')}</Table.Th>
                      <Table.Th>{t('predictedSS')}</Table.Th>
                      <Table.Th>{t('pta')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {f.metrics.map((m, k) => (
                      <Table.Tr key={k}>
                        <Table.Td>{m.target}</Table.Td>
                        <Table.Td>
                          <Text span fw={700} c={m.met ? 'green.9' : 'red.9'}>
                            {fmt(m.value, lang)} {m.met ? '✓' : '✗'}
                          </Text>
                        </Table.Td>
                        <Table.Td>{pta ? pct(pta.each[k]) : '…'}</Table.Td>
                      </Table.Tr>
                    ))}
                    <Table.Tr>
                      <Table.Td colSpan={3}>
                        <Text size="sm">
                          AUC24 {fmt(f.exposure.auc24, lang)} {unitLabel(u.conc)}·h · Cmin{' '}
                          {fmt(f.exposure.cmin, lang)} · Cmax {fmt(f.exposure.cmax, lang)} {unitLabel(u.conc)}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  </Table.Tbody>
                </Table>
              )}
            </Card>
          )}
          {ml && <MlCard ml={ml} />}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="sm">
            <CandidatesCard
              a={a}
              avg={avg}
              canCompare={!!regimen && !!info}
              onTry={edit}
              onCompare={compare}
            />
            <ValidationCard analysis={a} user={user} regimen={regimen} onSigned={onSigned} />
          </Stack>
        </Grid.Col>
      </Grid>
      <Modal
        opened={cardOpen}
        onClose={() => setCardOpen(false)}
        title={`${t('modelCard')} · ${model}`}
        size="xl"
      >
        <ScrollArea h={520}>
          <pre style={{ whiteSpace: 'pre-wrap', fontSize: 13 }}>{info?.card}</pre>
        </ScrollArea>
      </Modal>
    </Stack>
  );
}

/** The same regimen (dose, interval, route, infusion, start; units converted). */
function sameRegimen(x: Regimen, y: Regimen): boolean {
  const q = (
    a: { value: number; unit: string } | null,
    b: { value: number; unit: string } | null,
    to: string,
  ) =>
    a === null || b === null
      ? a === b
      : Math.abs(convertUnit(a.value, a.unit, to) - convertUnit(b.value, b.unit, to)) <=
        1e-9 * Math.abs(b.value);
  return (
    q(x.dose, y.dose, 'mg') &&
    q(x.interval, y.interval, 'h') &&
    q(x.duration, y.duration, 'h') &&
    x.route === y.route &&
    (x.start === null || y.start === null || Date.parse(x.start) === Date.parse(y.start))
  );
}

/** A regimen as one line: `1000 mg / 12 h (over 1 h)`, hours for the interval and infusion. */
function regimenLine(r: Regimen, lang: 'en' | 'fr', over: string): string {
  const h = (q: { value: number; unit: string }): string => fmt(convertUnit(q.value, q.unit, 'h'), lang);
  return `${fmt(r.dose.value, lang)} ${unitLabel(r.dose.unit)} / ${h(r.interval)} h${r.duration ? ` (${over} ${h(r.duration)} h)` : ''}`;
}

/**
 * The ranked candidates with their stored PTA (each can be tried in the what-if), and for a drug
 * the models' weights with a way to keep one model; memoised, so a what-if edit does not re-render it.
 */
const CandidatesCard = memo(function CandidatesCard({
  a,
  avg,
  canCompare,
  onTry,
  onCompare,
}: {
  a: Analysis;
  avg: Awaited<ReturnType<EngineClient['average']>> | null;
  canCompare: boolean;
  onTry: (patch: Partial<Regimen>) => void;
  onCompare: () => void;
}) {
  const { t, lang } = useT();
  const [error, setError] = useState<unknown>(null);
  const keep = async (modelId: string) => {
    setError(null);
    try {
      const next = await api<Analysis>('POST', `/requests/${a.requestId}/analyses`, { modelId });
      go(`#/analyses/${next.id}`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="reco-title">
      <Title order={3} size="h5" id="reco-title" mb={4}>
        {t('recommendation')}
      </Title>
      <Table aria-labelledby="reco-title" data-testid="candidates">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>{t('regimen')}</Table.Th>
            <Table.Th>{t('predicted')}</Table.Th>
            <Table.Th>{t('pta')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {a.candidates.map((c) => (
            <Table.Tr key={c.rank}>
              <Table.Td>{c.rank}</Table.Td>
              <Table.Td>{regimenLine(c.regimen, lang, t('over'))}</Table.Td>
              <Table.Td>
                {c.metrics.map((m) => (
                  <Text key={m.target} size="sm" c={m.met ? 'green.9' : 'red.9'}>
                    {m.target.split(/[=<>]/)[0]} {fmt(m.value, lang)} {m.met ? '✓' : '✗'}
                  </Text>
                ))}
              </Table.Td>
              <Table.Td>{c.pta ? pct(c.pta.all) : '—'}</Table.Td>
              <Table.Td>
                <Button
                  size="compact-xs"
                  variant="light"
                  aria-label={t('tryCandidate', { n: c.rank })}
                  onClick={() => onTry(c.regimen)}
                >
                  {t('try')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {a.averaging && (
        <Table mt="xs" aria-label={t('modelAveraging')} data-testid="drug-models">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('model')}</Table.Th>
              <Table.Th>{t('weight')}</Table.Th>
              <Table.Th>{t('predicted')} #1</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {a.averaging.models.map((m) => {
              const own = a.candidates[0]?.models?.find((x) => x.id === m.id);
              return (
                <Table.Tr key={m.id}>
                  <Table.Td>
                    {m.id}
                    {m.id === a.averaging!.selected ? ' ★' : ''}
                  </Table.Td>
                  <Table.Td>{pct(m.weight)}</Table.Td>
                  <Table.Td>{own ? own.metrics.map((x) => fmt(x.value, lang)).join(', ') : '—'}</Table.Td>
                  <Table.Td>
                    <Button size="compact-xs" variant="default" onClick={() => keep(m.id)}>
                      {t('keepModel')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              );
            })}
            {a.averaging.excluded.map((x) => (
              <Table.Tr key={x.id}>
                <Table.Td>{x.id}</Table.Td>
                <Table.Td colSpan={3}>
                  <Text size="xs">{x.reason}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <ErrorBox error={error} />
      <Group mt="xs" gap="xs">
        <Button size="xs" variant="default" disabled={!canCompare} onClick={onCompare}>
          {t('compareModels')}
        </Button>
      </Group>
      {avg && (
        <Table mt="xs" aria-label={t('modelAveraging')} data-testid="averaging">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('model')}</Table.Th>
              <Table.Th>{t('weight')}</Table.Th>
              <Table.Th>{t('predicted')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {avg.rows.map((r) => (
              <Table.Tr key={r.modelId}>
                <Table.Td>{r.modelId}</Table.Td>
                <Table.Td>{r.weight === null ? '—' : pct(r.weight)}</Table.Td>
                <Table.Td>
                  {r.error ? (
                    <Text size="xs">{r.error}</Text>
                  ) : (
                    r.metrics.map((m) => `${m.target.split(/[=<>]/)[0]} ${fmt(m.value, lang)}`).join(', ')
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Td fw={700}>{t('averaged')}</Table.Td>
              <Table.Td>Σ</Table.Td>
              <Table.Td fw={700}>
                {avg.averaged.metrics
                  .map((m) => `${m.target.split(/[=<>]/)[0]} ${fmt(m.value, lang)}`)
                  .join(', ')}
                {avg.averaged.pta ? ` · ${t('pta')} ${pct(avg.averaged.pta.all)}` : ''}
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
});

const ValidationCard = memo(function ValidationCard({
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
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
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
          {t(`decision_${a.validation.decision}`)} · {showDateTime(a.validation.signedAt, lang)} ·{' '}
          {t('signature')} <code>{a.validation.signature.slice(0, 12)}…</code>
        </Text>
        {a.validation.comment && <Text size="sm">“{a.validation.comment}”</Text>}
        {a.validation.decision !== 'reject' && (
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
  const sign = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: NewValidation =
        decision === 'accept'
          ? { decision, comment, candidate: Number(candidate) }
          : decision === 'modify'
            ? { decision, comment, regimen: regimen! }
            : { decision, comment };
      onSigned(await api<Validation>('POST', `/analyses/${a.id}/validations`, body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="val-title">
      <form onSubmit={sign} data-testid="validation-form">
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
              <Radio value="accept" label={t('decision_accept')} />
              <Radio value="modify" label={t('decision_modify')} />
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
                label: `#${c.rank}: ${regimenLine(c.regimen, lang, t('over'))}`,
              }))}
            />
          )}
          {decision === 'modify' && regimen && (
            <Text size="sm">
              {t('retained')}: {regimenLine(regimen, lang, t('over'))}
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
          <ErrorBox error={error} />
          <Button type="submit" loading={busy} color={decision === 'reject' ? 'red.8' : undefined}>
            {t('sign')}
          </Button>
        </Stack>
      </form>
    </Card>
  );
});
