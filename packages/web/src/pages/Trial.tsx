/**
 * The virtual-trial page, open without an account: candidate regimens of a library model over the
 * drug file's virtual population, PTA of all targets by day with its Monte Carlo SE, and the PTA
 * versus MIC curve (ECharts). The trial runs in a Web Worker (lib/trial.worker.ts) with the
 * engine's chunks, the same numbers as `dosetwin trial run` for the same file.
 */
import {
  Button,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import type { TrialReport } from '@dosetwin/engine';
import { listModels, presetFor, type ResolvedTrial, type TrialFile } from '@dosetwin/models';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { type ChartOption, useChart } from '../hooks/useChart.ts';
import { useT } from '../i18n/index.ts';
import { EngineError } from '../lib/engine-client.ts';
import { fmt } from '../lib/units.ts';
import type { FromTrial } from '../lib/trial-protocol.ts';

/** PTAs and their Monte Carlo SEs: percentages with one decimal. */
const PCT = { decimals: 1, fixed: true };

/** Library models whose drug file has a virtual population. */
const MODELS = listModels()
  .filter((m) => presetFor(m.ir.drug ?? '') !== undefined)
  .map((m) => m.id);

function PtaCurve({ report, mics, day }: { report: TrialReport; mics: number[]; day: number }) {
  const { t, lang } = useT();
  const option = useMemo(
    (): ChartOption => ({
      animation: false,
      grid: { left: 56, right: 24, top: 36, bottom: 48 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'log', name: t('tr_curveX'), nameLocation: 'middle', nameGap: 28, logBase: 2 },
      yAxis: { type: 'value', name: t('tr_curveY'), min: 0, max: 1 },
      series: report.arms.map((a) => ({
        name: a.name,
        type: 'line',
        symbolSize: 6,
        data: mics.map((m, i) => [m, a.days[day - 1].mic[i].p]),
      })),
    }),
    // `t` is a new function at each render; the language is what it depends on.
    [report, mics, day, lang],
  );
  const { ref } = useChart(lang, option);
  return <div ref={ref} data-testid="trial-pta-curve" style={{ width: '100%', height: 320 }} />;
}

/** Arms' colours: each arm's median and its 5–95 % band share one. */
const COLOURS = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599'];

/** A finite quantile, or null (an empty or open-ended histogram bin) for ECharts to leave out. */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The first target's metric by day: each arm's median (solid) between its 5th and 95th percentiles (dashed). */
function ExposureBands({ report }: { report: TrialReport }) {
  const { t, lang } = useT();
  const option = useMemo((): ChartOption => {
    const days = report.arms[0].exposure.map((_, d) => t('tr_day', { day: d + 1 }));
    return {
      animation: false,
      grid: { left: 64, right: 24, top: 36, bottom: 36 },
      legend: { top: 0, data: report.arms.map((a) => a.name) },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', name: t('tr_exposureY') },
      series: report.arms.flatMap((a, i) => {
        const color = COLOURS[i % COLOURS.length];
        const line = (name: string, q: 'p5' | 'p50' | 'p95', dashed: boolean) => ({
          name,
          type: 'line',
          color,
          symbolSize: dashed ? 0 : 6,
          lineStyle: { color, type: dashed ? 'dashed' : 'solid', width: dashed ? 1 : 2 },
          data: a.exposure.map((e) => finite(e[0][q])),
        });
        return [
          line(a.name, 'p50', false),
          line(`${a.name} 5 %`, 'p5', true),
          line(`${a.name} 95 %`, 'p95', true),
        ];
      }),
    };
    // `t` is a new function at each render; the language is what it depends on.
  }, [report, lang]);
  const { ref } = useChart(lang, option);
  return <div ref={ref} data-testid="trial-exposure-chart" style={{ width: '100%', height: 300 }} />;
}

/** One row per arm, one column per day; `cell` gives the text of an arm's day (0-based). */
function ArmsByDay({
  report,
  testId,
  cell,
}: {
  report: TrialReport;
  testId: string;
  cell: (arm: TrialReport['arms'][number], day: number) => string;
}) {
  const { t } = useT();
  return (
    <Table striped withTableBorder data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('tr_arm')}</Table.Th>
          {report.arms[0].days.map((d) => (
            <Table.Th key={d.day}>{t('tr_day', { day: d.day })}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {report.arms.map((a) => (
          <Table.Tr key={a.name}>
            <Table.Td>{a.name}</Table.Td>
            {a.days.map((_, d) => (
              <Table.Td key={d}>{cell(a, d)}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function TrialPage() {
  const { t, lang } = useT();
  const [model, setModel] = useState<string>(
    MODELS.includes('vancomycin/goti2018') ? 'vancomycin/goti2018' : MODELS[0],
  );
  const [regimens, setRegimens] = useState('1000 mg q12h over 1 h\n1500 mg q12h over 1.5 h');
  const [target, setTarget] = useState('fauc_mic>=400');
  const [mics, setMics] = useState('0.25, 0.5, 1, 2, 4');
  const [mic, setMic] = useState<number | string>(1);
  const [days, setDays] = useState<number | string>(4);
  const [n, setN] = useState<number | string>(1000);
  const [seed, setSeed] = useState<number | string>(1);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<{
    report: TrialReport;
    meta: ResolvedTrial['meta'];
    file: TrialFile;
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const worker = useRef<Worker | null>(null);
  useEffect(() => () => worker.current?.terminate(), []);

  const run = (): void => {
    worker.current?.terminate();
    const w = new Worker(new URL('../lib/trial.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    const micList = mics
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .map(Number);
    const file: TrialFile = {
      model,
      arms: regimens
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean)
        .map((r) => ({ regimen: r })),
      days: Number(days),
      targets: [target],
      mics: micList,
      mic: Number(mic),
      n: Number(n),
      chunkSize: Math.max(100, Math.ceil(Number(n) / 20)),
      seed: Number(seed),
    };
    setError(null);
    setResult(null);
    setProgress({ done: 0, total: 1 });
    w.onmessage = (ev: MessageEvent<FromTrial>) => {
      const m = ev.data;
      if (m.type === 'progress') setProgress({ done: m.done, total: m.total });
      else {
        setProgress(null);
        if (m.type === 'done') setResult({ report: m.report, meta: m.meta, file });
        else setError(new EngineError([...m.issues]));
        w.terminate();
      }
    };
    w.postMessage({ id: 1, file });
  };

  const lastDay = result ? result.file.days : 0;
  const micTarget = result ? /mic/.test(result.meta.targets.join(' ')) && result.meta.mics.length > 0 : false;
  return (
    <Stack gap="sm" maw={1100} mx="auto">
      <Title order={2}>{t('tr_title')}</Title>
      <Text size="sm" c="dimmed">
        {t('tr_intro')}
      </Text>
      <Group align="flex-end" wrap="wrap">
        <Select
          label={t('tr_model')}
          data={MODELS}
          value={model}
          onChange={(v) => v && setModel(v)}
          w={240}
        />
        <TextInput
          label={t('tr_target')}
          value={target}
          onChange={(e) => setTarget(e.currentTarget.value)}
          w={220}
        />
        <TextInput
          label={t('tr_mics')}
          value={mics}
          onChange={(e) => setMics(e.currentTarget.value)}
          w={280}
        />
        <NumberInput label={t('tr_mic')} value={mic} onChange={setMic} w={150} />
      </Group>
      <Group align="flex-end" wrap="wrap">
        <Textarea
          label={t('tr_regimens')}
          value={regimens}
          onChange={(e) => setRegimens(e.currentTarget.value)}
          autosize
          minRows={2}
          w={360}
          data-testid="trial-regimens"
        />
        <NumberInput label={t('tr_days')} value={days} onChange={setDays} min={1} max={28} w={90} />
        <NumberInput label={t('tr_patients')} value={n} onChange={setN} min={1} max={100000} w={140} />
        <NumberInput label={t('tr_seed')} value={seed} onChange={setSeed} w={100} />
        <Button onClick={run} loading={progress !== null} data-testid="trial-run">
          {t('tr_run')}
        </Button>
      </Group>
      {progress && <Text size="sm">{t('tr_running', progress)}</Text>}
      {error !== null && <ErrorBox error={error} />}
      {result && (
        <Stack gap="xs">
          <Text size="sm" c="dimmed">
            {t('tr_summary', {
              n: fmt(result.report.patients, lang, { decimals: 0 }, true),
              model: result.meta.model,
              seed: result.file.seed,
            })}{' '}
            {result.meta.targets.join(', ')}
          </Text>
          <Title order={4}>{t('tr_byDay')}</Title>
          <ArmsByDay
            report={result.report}
            testId="trial-table"
            cell={(a, d) => {
              // In percent with one decimal, 95.0 kept.
              const { p, se } = a.days[d].all;
              return `${fmt(100 * p, lang, PCT)} % ± ${fmt(100 * se, lang, PCT)}`;
            }}
          />
          <Title order={4}>{t('tr_exposure', { target: result.meta.targets[0] })}</Title>
          <ExposureBands report={result.report} />
          <ArmsByDay
            report={result.report}
            testId="trial-exposure-table"
            cell={(a, d) => {
              // 3 significant digits, thousands grouped as on the chart's axis; – when undefined.
              const e = a.exposure[d][0];
              return `${fmt(e.p50, lang, 3, true)} (${fmt(e.p5, lang, 3, true)}–${fmt(e.p95, lang, 3, true)})`;
            }}
          />
          <Title order={4}>{t('tr_curve', { day: lastDay })}</Title>
          {micTarget ? (
            <PtaCurve report={result.report} mics={result.meta.mics} day={lastDay} />
          ) : (
            <Text size="sm">{t('tr_noCurve')}</Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}
