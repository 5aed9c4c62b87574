/**
 * The patient's dose diary, phone-first: "I forgot last night's dose" (or any due time and the
 * time now) and what to do, in plain words in the patient's language; the clinician's view shows
 * the same options in detail (probability of staying in the window, time below and above, next
 * trough and interval AUC against the dose taken on time, the label's rule and its source). Every
 * number is the worker's (the library's missedDoseAdvice on the analysis's twin). With a
 * prescription, "last night" is its schedule's evening dose (the library's lastNightDue in the
 * browser's zone), stored as a missed record in the patient's file, and the twin is asked on the
 * library's dose history with that dose missed (doseHistory, until now).
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  List,
  Loader,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import {
  type AdherenceBand,
  adherenceEvent,
  administrationOf,
  advisedOption,
  currentRegimen,
  type DoseEvent,
  doseHistory,
  lastNightDue,
  type MissedDoseAdvice,
  type MissedDoseChoice,
  prescriptionPeriod,
} from '@dosetwin/models';
import type { Analysis, PatientRecord } from '@dosetwin/server/contract';
import { useEffect, useMemo, useRef, useState } from 'react';
import { AdherenceChart } from '../components/AdherenceChart.tsx';
import { ErrorBox } from '../components/Issues.tsx';
import { pct } from '../cards/format.ts';
import { sourceOf } from '../hooks/useTwin.ts';
import { type Key, useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { EngineClient } from '../lib/engine-client.ts';
import type { PageProps } from '../lib/nav.ts';
import { fromDateTimeLocal, showDateTime, toDateTimeLocal } from '../lib/time.ts';
import { convertUnit, fmt, fmtSigned, unitLabel } from '../lib/units.ts';

const H = 3_600_000;
const OPTION_KEY: Record<MissedDoseChoice['id'], Key> = {
  'take-now': 'diaryOpt_takeNow',
  'take-reduced': 'diaryOpt_takeReduced',
  skip: 'diaryOpt_skip',
  'next-early': 'diaryOpt_nextEarly',
  'double-next': 'diaryOpt_doubleNext',
  'as-prescribed': 'diaryOpt_asPrescribed',
};

const PATTERN_KEY: Record<string, Key> = {
  'every-dose': 'diaryPattern_everyDose',
  'missed-1-in-10': 'diaryPattern_missed1in10',
  'weekend-late-3h': 'diaryPattern_weekendLate',
};

/** A minute's time as the record's key (a due time is matched to the minute). */
const minute = (iso: string): number => Math.floor(Date.parse(iso) / 60_000);

/** The patient's record in force: what the library's dose history is built from. */
async function historyParts(patientId: string) {
  const rec = await api<PatientRecord>('GET', `/patients/${patientId}`);
  const active = <T extends { status: string }>(xs: T[]): T[] => xs.filter((x) => x.status === 'active');
  return {
    prescriptions: active(rec.prescriptions),
    administrations: active(rec.administrations),
    adherence: active(rec.adherence),
  };
}

export function DiaryPage({ id }: PageProps) {
  const { t, lang } = useT();
  const [a, setA] = useState<Analysis | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [due, setDue] = useState('');
  const [now, setNow] = useState(() => toDateTimeLocal(new Date().toISOString()));
  const [result, setResult] = useState<{
    advice: MissedDoseAdvice;
    sheet: { en: string[]; fr: string[] };
  } | null>(null);
  const [view, setView] = useState<'patient' | 'clinician'>('patient');
  // The dose taken now, once recorded in the patient's record (its real time, for the next fit).
  const [recorded, setRecorded] = useState<{ amount: string; at: string } | null>(null);
  // The dose due last night, once stored as missed in the patient's record.
  const [missedAt, setMissedAt] = useState<string | null>(null);
  const engine = useRef<EngineClient | null>(null);
  // The twin on the real dose history (a missed dose recorded), replacing the analysis's one.
  const realEngine = useRef<EngineClient | null>(null);
  useEffect(() => () => realEngine.current?.terminate(), []);
  const [adherence, setAdherence] = useState<{
    bands: AdherenceBand[];
    below: { value: number; unit: string } | null;
  } | null>(null);

  useEffect(() => {
    setA(null);
    api<Analysis>('GET', `/analyses/${id}`).then(setA, setError);
  }, [id]);
  const analysisId = a?.id ?? null;
  const aRef = useRef(a);
  aRef.current = a;
  useEffect(() => {
    const x = aRef.current;
    if (!x) return;
    const e = new EngineClient();
    engine.current = e;
    let live = true;
    setReady(false);
    e.init(sourceOf(x)).then(
      () => live && setReady(true),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
      e.terminate();
      engine.current = null;
    };
  }, [analysisId]);

  const regimen = useMemo(
    () => (a ? currentRegimen({ administrations: a.inputs.administrations, start: null }) : null),
    [a],
  );
  const schedule = useMemo(() => {
    if (!a || !regimen) return null;
    const lastMs = Math.max(...a.inputs.administrations.map((x) => Date.parse(x.at)));
    const product = [...a.inputs.administrations]
      .sort((x, y) => Date.parse(x.at) - Date.parse(y.at))
      .at(-1)!.product;
    // With a prescription, its schedule (the latest one's first dose, every interval); else the
    // record's (its last dose, every interval of the regimen the doses show).
    const rx = a.inputs.adherence?.prescriptions.at(-1);
    return rx
      ? {
          anchorMs: Date.parse(rx.start),
          intervalMs: convertUnit(rx.interval.value, rx.interval.unit, 'h', 'interval') * H,
          product: rx.product,
        }
      : { anchorMs: lastMs, intervalMs: regimen.interval.value * H, product };
  }, [a, regimen]);

  // The adherence patterns of the current regimen, once the clinician's view is opened.
  const adherenceAsked = useRef(false);
  useEffect(() => {
    if (view !== 'clinician' || !ready || !regimen || adherenceAsked.current) return;
    adherenceAsked.current = true;
    engine.current?.adherence(regimen).then(setAdherence, setError);
  }, [view, ready, regimen]);

  /** Record the advised dose taken now, at the time now, as an administration (its real time). */
  const recordTaken = async (dose: {
    at: string;
    amount: { value: number; unit: string };
  }): Promise<void> => {
    if (!a || !regimen || !schedule) return;
    setError(null);
    try {
      await api('POST', `/patients/${a.patientId}/administrations`, {
        at: dose.at,
        amount: dose.amount.value,
        unit: dose.amount.unit,
        route: regimen.route,
        ...(regimen.duration ? { duration: regimen.duration } : {}),
        product: schedule.product,
      });
      setRecorded({
        amount: `${fmt(dose.amount.value, lang, { decimals: 2 }, true)} ${unitLabel(dose.amount.unit, lang)}`,
        at: showDateTime(dose.at, lang),
      });
    } catch (err) {
      setError(err);
    }
  };

  /**
   * The dose due at `dueAt` stored as missed (source: the diary) unless the record says so
   * already, and the twin asked on the library's dose history with it missed, until now.
   */
  const recordMissed = async (dueAt: string, at: string): Promise<EngineClient> => {
    const parts = await historyParts(a!.patientId);
    if (!parts.adherence.some((r) => r.dueAt !== null && minute(r.dueAt) === minute(dueAt)))
      await api('POST', `/patients/${a!.patientId}/adherence`, { kind: 'missed', dueAt, source: 'diary' });
    setMissedAt(showDateTime(dueAt, lang));
    const events: DoseEvent[] = parts.adherence
      .filter((r) => r.dueAt === null || minute(r.dueAt) !== minute(dueAt))
      .map(adherenceEvent);
    events.push({ dueAt, status: 'missed', takenAt: null, amount: null, source: 'diary' });
    const h = doseHistory({
      prescriptions: parts.prescriptions.map(prescriptionPeriod),
      administrations: parts.administrations.map(administrationOf),
      events,
      until: at,
    });
    const e = new EngineClient();
    await e.init(sourceOf({ ...a!, inputs: { ...a!.inputs, administrations: h.administrations } }));
    realEngine.current?.terminate();
    realEngine.current = e;
    return e;
  };

  const ask = async (dueLocal: string, forgotten = false): Promise<void> => {
    const dueAt = fromDateTimeLocal(dueLocal);
    const at = fromDateTimeLocal(now);
    if (!engine.current || !regimen || !schedule || !dueAt || !at) return;
    setBusy(true);
    setError(null);
    setResult(null);
    setRecorded(null);
    setMissedAt(null);
    try {
      const e = forgotten && a?.inputs.adherence ? await recordMissed(dueAt, at) : engine.current;
      setResult(await e.missed({ regimen, formulation: schedule.product, dueAt, at }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const forgotLastNight = (): void => {
    const nowIso = fromDateTimeLocal(now);
    if (!schedule || !nowIso) return;
    const nowMs = Date.parse(nowIso);
    // "Last night" in the patient's own zone: the browser's offset now.
    const d = lastNightDue(
      schedule.anchorMs,
      schedule.intervalMs,
      nowMs,
      -new Date(nowMs).getTimezoneOffset(),
    );
    if (!Number.isFinite(d)) return;
    const local = toDateTimeLocal(new Date(d).toISOString());
    setDue(local);
    void ask(local, true);
  };

  if (!a) return <ErrorBox error={error} />;
  const advice = result?.advice;
  const advised = advice ? advisedOption(advice) : null;
  // A change in whole percent, with its sign (a share is written by the cards' `pct`).
  const change = (x: number): string => `${fmtSigned(100 * x, lang, { decimals: 0 }, true)} %`;
  return (
    <Stack gap="sm" maw={900}>
      <Group justify="space-between" wrap="wrap">
        <Title order={2} size="h3">
          {t('diaryTitle')}
        </Title>
        <Anchor href={`#/analyses/${a.id}`} size="sm">
          {t('analysis')} v{a.version}
        </Anchor>
      </Group>
      <Card withBorder padding="sm" maw={480} w="100%">
        <Stack gap="sm">
          <Text size="sm">{t('diaryIntro')}</Text>
          {!regimen && <Alert color="yellow">{t('diaryNoRegimen')}</Alert>}
          <TextInput
            type="datetime-local"
            label={t('diaryNow')}
            value={now}
            onChange={(e) => setNow(e.currentTarget.value)}
            size="md"
          />
          <Button
            size="lg"
            onClick={forgotLastNight}
            disabled={!ready || !regimen || busy}
            data-testid="forgot-last-night"
          >
            {t('diaryForgotLastNight')}
          </Button>
          <TextInput
            type="datetime-local"
            label={t('diaryDue')}
            value={due}
            onChange={(e) => setDue(e.currentTarget.value)}
            size="md"
          />
          <Button
            variant="light"
            size="md"
            onClick={() => void ask(due)}
            disabled={!ready || !regimen || !due || busy}
          >
            {t('diaryAsk')}
          </Button>
          {(!ready || busy) && !error && (
            <Group gap="xs">
              <Loader size="sm" />
              <Text size="sm">{t('diaryComputing')}</Text>
            </Group>
          )}
        </Stack>
      </Card>
      <ErrorBox error={error} />
      {a.fit.adherence?.largest &&
        a.fit.adherence.missed + a.fit.adherence.late + a.fit.adherence.extra > 0 && (
          <Text size="sm" maw={900} data-testid="diary-adherence-effect">
            {t('diaryEffect', {
              missed: a.fit.adherence.missed,
              late: a.fit.adherence.late,
              extra: a.fit.adherence.extra,
              name: a.fit.adherence.largest.name,
              change: change(a.fit.adherence.largest.change),
            })}
          </Text>
        )}
      {result && advice && (
        <>
          <SegmentedControl
            value={view}
            onChange={(v) => setView(v as 'patient' | 'clinician')}
            data={[
              { value: 'patient', label: t('diaryPatientView') },
              { value: 'clinician', label: t('diaryClinicianView') },
            ]}
            maw={480}
          />
          {view === 'patient' ? (
            <Card withBorder padding="sm" maw={480} w="100%" data-testid="diary-sheet">
              <Title order={3} size="h4" mb="xs">
                {t('diaryAdvice')}
              </Title>
              {missedAt && (
                <Alert color="blue" mb="xs" data-testid="diary-missed-recorded">
                  {t('diaryMissedRecorded', { at: missedAt })}
                </Alert>
              )}
              <List spacing="xs" size="md">
                {result.sheet[lang].map((line) => (
                  <List.Item key={line}>{line}</List.Item>
                ))}
              </List>
              {advised?.doseNow &&
                (recorded ? (
                  <Alert color="green" mt="sm" data-testid="diary-recorded">
                    {t('diaryRecorded', recorded)}
                  </Alert>
                ) : (
                  <Button
                    mt="sm"
                    size="md"
                    variant="light"
                    onClick={() => void recordTaken(advised.doseNow!)}
                  >
                    {t('diaryRecordTaken', {
                      amount: `${fmt(advised.doseNow.amount.value, lang, { decimals: 2 }, true)} ${unitLabel(advised.doseNow.amount.unit, lang)}`,
                    })}
                  </Button>
                ))}
              <Text size="xs" c="dimmed" mt="xs">
                {t('diaryCallTeam')}
              </Text>
            </Card>
          ) : (
            <Card withBorder padding="sm" data-testid="diary-clinician">
              <Title order={3} size="h4" mb="xs">
                {t('diaryDetail')}
              </Title>
              <Table.ScrollContainer minWidth={720}>
                <Table striped withTableBorder fz="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('diaryRank')}</Table.Th>
                      <Table.Th>{t('diaryOption')}</Table.Th>
                      <Table.Th>{t('diaryDoses')}</Table.Th>
                      <Table.Th>
                        {t('diaryWithin', { h: fmt(advice.horizon.value, lang, { decimals: 0 }, true) })}
                      </Table.Th>
                      <Table.Th>{t('diaryBelow')}</Table.Th>
                      <Table.Th>{t('diaryAbove')}</Table.Th>
                      <Table.Th>{t('diaryTrough')}</Table.Th>
                      <Table.Th>{t('diaryAuc')}</Table.Th>
                      <Table.Th>{t('diaryLabelCol')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {[...advice.options, advice.reference].map((o) => (
                      <Table.Tr key={o.id} data-option={o.id}>
                        <Table.Td>{o.rank || '—'}</Table.Td>
                        <Table.Td>{t(OPTION_KEY[o.id])}</Table.Td>
                        <Table.Td>
                          {o.doses
                            .slice(0, 2)
                            .map(
                              (d) =>
                                `${fmt(d.amount.value, lang, { decimals: 2 }, true)} ${unitLabel(d.amount.unit, lang)} ${showDateTime(d.at, lang)}`,
                            )
                            .join(', ')}
                        </Table.Td>
                        <Table.Td>{o.pWithin === null ? '—' : pct(o.pWithin)}</Table.Td>
                        <Table.Td>{fmt(o.hoursBelow, lang, { decimals: 1 }, true)}</Table.Td>
                        <Table.Td>{fmt(o.hoursAbove, lang, { decimals: 1 }, true)}</Table.Td>
                        <Table.Td>
                          {fmt(o.trough.value, lang, { decimals: 2 }, true)} {unitLabel(o.trough.unit, lang)}{' '}
                          ({change(o.troughChange)})
                        </Table.Td>
                        <Table.Td>{change(o.aucChange)}</Table.Td>
                        <Table.Td>
                          {o.label ? (
                            <Badge size="sm">✓</Badge>
                          ) : advice.labelRule?.forbids.some((f) => f === o.id) ? (
                            <Badge size="sm" color="red">
                              ✗
                            </Badge>
                          ) : (
                            ''
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Stack gap={4} mt="xs">
                {/* The drug file's reasons and the label's source are quoted as written (English). */}
                <Text size="sm">
                  {t('diaryWindow', {
                    lo: `${fmt(advice.window.efficacy.value, lang, { decimals: 1 }, true)} ${unitLabel(advice.window.efficacy.unit, lang)}`,
                    hi: `${fmt(advice.window.toxicity.value, lang, { decimals: 1 }, true)} ${unitLabel(advice.window.toxicity.unit, lang)}`,
                    reads: t(
                      advice.window.reads === 'troughs' ? 'diaryReadsTroughs' : 'diaryReadsConcentration',
                    ),
                  })}
                  <span lang="en">{advice.window.source}</span>
                </Text>
                {advice.labelRule && (
                  <>
                    <Text size="sm">
                      {t('diaryRule', {
                        option: t(OPTION_KEY[advice.labelRule.option]),
                        rule: advice.labelRule.rule[lang],
                      })}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t('diaryCitation')}
                      <span lang="en">{advice.labelRule.citation}</span>
                    </Text>
                  </>
                )}
                <Text size="xs" c="dimmed">
                  {t('diaryMethod', {
                    method: advice.method,
                    draws: fmt(advice.draws, lang, { decimals: 0 }, true),
                    delay: `${fmt(advice.delay.value, lang, { decimals: 1 }, true)} h`,
                  })}
                </Text>
              </Stack>
            </Card>
          )}
          {view === 'clinician' && (
            <Card withBorder padding="sm" data-testid="diary-adherence">
              <Title order={3} size="h4" mb="xs">
                {t('diaryAdherenceTitle')}
              </Title>
              <Text size="sm" mb="xs">
                {t('diaryAdherenceNote')}
              </Text>
              {!adherence ? (
                <Group gap="xs">
                  <Loader size="sm" />
                  <Text size="sm">{t('diaryAdherenceComputing')}</Text>
                </Group>
              ) : (
                <>
                  <AdherenceChart
                    bands={adherence.bands}
                    labels={adherence.bands.map((b) => t(PATTERN_KEY[b.id] ?? 'diaryPattern'))}
                    concUnit={advice.reference.trough.unit}
                    below={
                      adherence.below
                        ? convertUnit(
                            adherence.below.value,
                            adherence.below.unit,
                            advice.reference.trough.unit,
                          )
                        : null
                    }
                    belowLabel={
                      adherence.below
                        ? t('diaryEfficacy', {
                            lo: `${fmt(adherence.below.value, lang, { decimals: 1 }, true)} ${unitLabel(adherence.below.unit, lang)}`,
                          })
                        : ''
                    }
                  />
                  <Table withTableBorder fz="sm" mt="xs">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('diaryPattern')}</Table.Th>
                        <Table.Th>{t('diaryAtEnd')}</Table.Th>
                        {adherence.below && (
                          <Table.Th>
                            {t('diaryTimeBelow', {
                              lo: `${fmt(adherence.below.value, lang, { decimals: 1 }, true)} ${unitLabel(adherence.below.unit, lang)}`,
                            })}
                          </Table.Th>
                        )}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {adherence.bands.map((b) => {
                        const i = b.ms.length - 1;
                        return (
                          <Table.Tr key={b.id} data-pattern={b.id}>
                            <Table.Td>{t(PATTERN_KEY[b.id] ?? 'diaryPattern')}</Table.Td>
                            <Table.Td>
                              {fmt(b.p5[i], lang, { decimals: 2 }, true)} /{' '}
                              {fmt(b.p50[i], lang, { decimals: 2 }, true)} /{' '}
                              {fmt(b.p95[i], lang, { decimals: 2 }, true)}{' '}
                              {unitLabel(advice.reference.trough.unit, lang)}
                            </Table.Td>
                            {adherence.below && <Table.Td>{pct(b.fractionBelow ?? 0)}</Table.Td>}
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </>
              )}
            </Card>
          )}
        </>
      )}
    </Stack>
  );
}
