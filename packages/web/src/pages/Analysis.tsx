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
import { fromDateTimeLocal, showDateTime, toDateTimeLocal } from '../lib/time.ts';
import type { Regimen } from '../lib/twin.ts';
import { fmt, MASS_UNITS, unitLabel } from '../lib/units.ts';
import type { AverageRow, ForecastMsg, MlResult, ReadyInfo } from '../lib/worker-protocol.ts';

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
  const [pta, setPta] = useState<{ each: number[]; all: number; draws: number } | null>(null);
  const [candPta, setCandPta] = useState<{ all: number }[] | null>(null);
  const [avg, setAvg] = useState<AverageRow[] | null>(null);
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
        const ready = await e.init(an.inputs);
        if (!live) return;
        setInfo(ready);
        const c = an.candidates[0];
        const start = an.inputs.start;
        const r: Regimen = c
          ? { dose: c.dose, doseUnit: c.doseUnit, intervalH: c.interval, durationH: c.duration, start }
          : {
              dose: an.inputs.administrations.at(-1)!.amount,
              doseUnit: an.inputs.administrations.at(-1)!.unit,
              intervalH: 12,
              durationH: 0,
              start,
            };
        setRegimen(r);
        e.attainment(
          an.candidates.map((k) => ({
            dose: k.dose,
            doseUnit: k.doseUnit,
            intervalH: k.interval,
            durationH: k.duration,
            start,
          })),
        ).then(setCandPta, setEngineError);
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
                  value={regimen.dose}
                  onChange={(v) => typeof v === 'number' && v > 0 && edit({ dose: v })}
                  data-testid="whatif-dose"
                />
                <NativeSelect
                  label={t('unit')}
                  value={regimen.doseUnit}
                  onChange={(e) => edit({ doseUnit: e.currentTarget.value })}
                  data={MASS_UNITS.map((x) => ({ value: x, label: unitLabel(x) }))}
                />
                <NumberInput
                  label={t('intervalH')}
                  min={1}
                  step={1}
                  value={regimen.intervalH}
                  onChange={(v) => typeof v === 'number' && v > 0 && edit({ intervalH: v })}
                />
                {!info?.oral && (
                  <NumberInput
                    label={t('durationH')}
                    min={0}
                    step={0.5}
                    decimalScale={2}
                    value={regimen.durationH}
                    onChange={(v) => typeof v === 'number' && v >= 0 && edit({ durationH: v })}
                  />
                )}
                <TextInput
                  type="datetime-local"
                  label={t('firstDose')}
                  value={toDateTimeLocal(regimen.start)}
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
              candPta={candPta}
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

/** The ranked candidates (each can be tried in the what-if) and model averaging; memoised, so a
 * what-if edit does not re-render it. */
const CandidatesCard = memo(function CandidatesCard({
  a,
  candPta,
  avg,
  canCompare,
  onTry,
  onCompare,
}: {
  a: Analysis;
  candPta: { all: number }[] | null;
  avg: AverageRow[] | null;
  canCompare: boolean;
  onTry: (patch: Partial<Regimen>) => void;
  onCompare: () => void;
}) {
  const { t, lang } = useT();
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
          {a.candidates.map((c, k) => (
            <Table.Tr key={c.rank}>
              <Table.Td>{c.rank}</Table.Td>
              <Table.Td>
                {fmt(c.dose, lang)} {unitLabel(c.doseUnit)} / {c.interval} h
                {c.duration ? ` (${t('over')} ${c.duration} h)` : ''}
              </Table.Td>
              <Table.Td>
                {c.metrics.map((m) => (
                  <Text key={m.target} size="sm" c={m.met ? 'green.9' : 'red.9'}>
                    {m.target.split('=')[0]} {fmt(m.value, lang)} {m.met ? '✓' : '✗'}
                  </Text>
                ))}
              </Table.Td>
              <Table.Td>{candPta ? pct(candPta[k].all) : '…'}</Table.Td>
              <Table.Td>
                <Button
                  size="compact-xs"
                  variant="light"
                  aria-label={t('tryCandidate', { n: c.rank })}
                  onClick={() =>
                    onTry({
                      dose: c.dose,
                      doseUnit: c.doseUnit,
                      intervalH: c.interval,
                      durationH: c.duration,
                    })
                  }
                >
                  {t('try')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
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
            {avg.map((r) => (
              <Table.Tr key={r.modelId}>
                <Table.Td>{r.modelId}</Table.Td>
                <Table.Td>{r.weight === null ? '—' : pct(r.weight)}</Table.Td>
                <Table.Td>
                  {r.error ? (
                    <Text size="xs">{r.error}</Text>
                  ) : (
                    r.metrics.map((m) => `${m.target.split('=')[0]} ${fmt(m.value, lang)}`).join(', ')
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
});

/**
 * The what-if regimen as the regimen a 'modify' validation retains (the service's one regimen
 * shape): hours, from the what-if's first dose; the route of the drug's candidates or last dose,
 * an infusion over no time being a bolus.
 */
function retained(r: Regimen, a: Analysis): RetainedRegimen {
  const given = a.candidates[0]?.route ?? a.inputs.administrations.at(-1)?.route;
  return {
    dose: { value: r.dose, unit: r.doseUnit },
    interval: { value: r.intervalH, unit: 'h' },
    route: r.durationH > 0 ? 'infusion' : given === 'oral' ? 'oral' : 'bolus',
    duration: r.durationH > 0 ? { value: r.durationH, unit: 'h' } : null,
    start: r.start,
    loading: null,
  };
}

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
    () =>
      regimen &&
      !a.candidates.some(
        (c) =>
          c.dose === regimen.dose &&
          c.doseUnit === regimen.doseUnit &&
          c.interval === regimen.intervalH &&
          c.duration === regimen.durationH,
      ),
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
            ? { decision, comment, regimen: retained(regimen!, a) }
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
                label: `#${c.rank}: ${c.dose} ${c.doseUnit} / ${c.interval} h`,
              }))}
            />
          )}
          {decision === 'modify' && regimen && (
            <Text size="sm">
              {t('retained')}: {fmt(regimen.dose, lang)} {unitLabel(regimen.doseUnit)} / {regimen.intervalH} h
              {regimen.durationH ? ` (${t('over')} ${regimen.durationH} h)` : ''}
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
