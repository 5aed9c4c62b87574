/**
 * A case with a hidden truth, as the student plays it: load the case file, choose when to draw
 * levels within the budget, receive them (the true patient's, with residual error), try doses on
 * one's own twin (fitted to those levels), submit one, and get the score the true patient gives it.
 * The result is kept in this browser under a pseudonym, for the instructor's view.
 */
import {
  Alert,
  Button,
  Chip,
  FileButton,
  Group,
  NumberInput,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { type CaseLevel, type CaseScore, EXAMPLE_CASE, type TeachingCase } from '@dosetwin/models';
import { useEffect, useMemo, useState } from 'react';
import { useT } from '../../i18n/index.ts';
import { EngineError } from '../../lib/engine-client.ts';
import { issueText } from '../../lib/issue-text.ts';
import type { PlaygroundClient } from '../../lib/playground-client.ts';
import {
  addResults,
  downloadText,
  type PlayResult,
  pseudonym,
  RESULT_FORMAT,
} from '../../lib/playground-results.ts';
import type { TwinView } from '../../lib/playground-session.ts';
import { fmt, unitLabel } from '../../lib/units.ts';
import { PlayChart, type PlaySeries } from './PlayChart.tsx';

const q = (x: { value: number; unit: string }, lang: 'en' | 'fr') =>
  `${fmt(x.value, lang)} ${unitLabel(x.unit, lang)}`;

export interface CaseState {
  c: TeachingCase | null;
  picked: string[];
  levels: CaseLevel[] | null;
  score: CaseScore | null;
  result: PlayResult | null;
}

export const NO_CASE: CaseState = { c: null, picked: [], levels: null, score: null, result: null };

export function CaseTab(props: {
  client: PlaygroundClient;
  state: CaseState;
  setState: (f: (s: CaseState) => CaseState) => void;
}) {
  const { client, state, setState } = props;
  const { t, lang } = useT();
  const [error, setError] = useState<string | null>(null);
  const [dose, setDose] = useState<number | string>('');
  const [view, setView] = useState<TwinView | null>(null);
  const fail = (e: unknown) =>
    setError(e instanceof EngineError ? e.issues.map((i) => issueText(i, lang)).join('\n') : String(e));
  const c = state.c;
  const start = (next: TeachingCase) => {
    setError(null);
    setView(null);
    setDose(next.given.dose.value);
    setState(() => ({ ...NO_CASE, c: next }));
  };
  const load = async (file: File | null) => {
    if (!file) return;
    try {
      start(await client.parse(await file.text()));
    } catch (e) {
      setState(() => NO_CASE);
      fail(e);
    }
  };
  const doseMg = typeof dose === 'number' ? dose : Number(dose);
  useEffect(() => {
    if (!c || !state.levels || !(doseMg > 0)) return;
    let live = true;
    client
      .twin(c, state.levels, doseMg, c.sampling.timesH)
      .then((v) => live && setView(v))
      .catch((e: unknown) => live && fail(e));
    return () => {
      live = false;
    };
  }, [client, c, state.levels, doseMg]);
  const draw = async () => {
    if (!c) return;
    try {
      const levels = await client.levels(c, state.picked.map(Number));
      setState((s) => ({ ...s, levels }));
      setError(null);
    } catch (e) {
      fail(e);
    }
  };
  const submit = async () => {
    if (!c || !state.levels) return;
    try {
      const score = await client.score(c, doseMg, state.levels.length);
      const result: PlayResult = {
        format: RESULT_FORMAT,
        who: pseudonym(localStorage),
        caseId: c.id,
        timesH: state.levels.map((l) => l.tH).sort((a, b) => a - b),
        doseMg,
        target: c.target,
        metric: score.metric,
        score: score.score,
        at: new Date().toISOString(),
      };
      addResults(localStorage, [result]);
      setState((s) => ({ ...s, score, result }));
    } catch (e) {
      fail(e);
    }
  };
  const series = useMemo((): PlaySeries[] => {
    if (!view || !state.levels) return [];
    return [
      {
        name: t('pg_prior_band'),
        kind: 'band',
        x: view.prior.tH,
        y: view.prior.lo,
        hi: view.prior.hi,
        color: '#868e96',
      },
      ...(view.kind === 'map'
        ? [
            {
              name: t('pg_posterior_band'),
              kind: 'band' as const,
              x: view.band.tH,
              y: view.band.lo,
              hi: view.band.hi,
              color: '#4c6ef5',
            },
          ]
        : []),
      { name: t('pg_ipred'), kind: 'line', x: view.tH, y: view.ipred, color: '#364fc7' },
      {
        name: t('pg_levels'),
        kind: 'points',
        x: state.levels.map((l) => l.tH),
        y: state.levels.map((l) => l.value),
        color: '#c92a2a',
      },
    ];
  }, [view, state.levels, t]);
  const metricName = c ? c.target.split('=')[0] : '';
  return (
    <Stack gap="sm">
      <Group>
        <FileButton onChange={(f) => void load(f)} accept="application/json,.json">
          {(p) => (
            <Button {...p} data-testid="pg-case-load">
              {t('pg_case_load')}
            </Button>
          )}
        </FileButton>
        <Button variant="default" onClick={() => start(EXAMPLE_CASE)}>
          {t('pg_case_example')}
        </Button>
        <Button
          variant="subtle"
          onClick={() => downloadText(`${EXAMPLE_CASE.id}.json`, JSON.stringify(EXAMPLE_CASE, null, 2))}
        >
          {t('pg_case_download_example')}
        </Button>
      </Group>
      {error && (
        <Alert color="red" data-testid="pg-case-error" style={{ whiteSpace: 'pre-line' }}>
          {error}
        </Alert>
      )}
      {!c ? (
        <Text c="dimmed">{t('pg_case_none')}</Text>
      ) : (
        <>
          <Title order={3} data-testid="pg-case-title">
            {c.title}
          </Title>
          <Text size="sm">
            {t('pg_case_patient')}:{' '}
            {c.covariates.map((x) => `${x.name} ${fmt(x.value, lang)} ${unitLabel(x.unit, lang)}`).join(', ')}
            {' · '}
            {c.modelId}
          </Text>
          <Text size="sm">
            {t('pg_case_given', {
              dose: q(c.given.dose, lang),
              interval: q(c.given.interval, lang),
              count: c.given.count,
            })}
            {' · '}
            {t('pg_case_target', { target: c.target })}
          </Text>
          <Text size="sm" fw={600}>
            {t('pg_case_choose_times', { budget: c.sampling.budget, points: c.scoring.pointsPerSample })}
          </Text>
          <Chip.Group
            multiple
            value={state.picked}
            onChange={(v) =>
              !state.levels && v.length <= c.sampling.budget && setState((s) => ({ ...s, picked: v }))
            }
          >
            <Group gap="xs" data-testid="pg-case-times">
              {c.sampling.timesH.map((h, k) => (
                <Chip key={k} value={String(k)} disabled={state.levels !== null}>
                  {fmt(h, lang)} h
                </Chip>
              ))}
            </Group>
          </Chip.Group>
          {!state.levels && (
            <Group>
              <Button disabled={!state.picked.length} onClick={() => void draw()}>
                {t('pg_case_draw')}
              </Button>
            </Group>
          )}
          {state.levels && (
            <>
              <Table data-testid="pg-case-levels" withTableBorder style={{ maxWidth: 360 }}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('pg_time_h')}</Table.Th>
                    <Table.Th>{t('pg_case_levels_drawn')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {state.levels.map((l) => (
                    <Table.Tr key={l.index}>
                      <Table.Td>{fmt(l.tH, lang)}</Table.Td>
                      <Table.Td>
                        {fmt(l.value, lang, 3)} {unitLabel(l.unit, lang)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Group align="end">
                <NumberInput
                  label={t('pg_case_dose', { interval: q(c.given.interval, lang) })}
                  min={1}
                  step={50}
                  value={dose}
                  onChange={setDose}
                  disabled={state.score !== null}
                  data-testid="pg-case-dose"
                  style={{ width: 320 }}
                />
                <Button disabled={!(doseMg > 0) || state.score !== null} onClick={() => void submit()}>
                  {t('pg_case_submit')}
                </Button>
              </Group>
              {view && (
                <Text size="sm" data-testid="pg-case-predicted">
                  {t('pg_case_predicted', {
                    metric: metricName,
                    value: fmt(view.metric.value, lang, 3),
                    pta: view.metric.pta === null ? '–' : `${fmt(100 * view.metric.pta, lang, 3)} %`,
                  })}
                </Text>
              )}
              {state.score && state.result && (
                <Alert
                  color={state.score.attainment === 100 ? 'green' : 'orange'}
                  data-testid="pg-case-score"
                >
                  <Text fw={700}>
                    {t('pg_case_score', { score: fmt(state.score.score, lang, { decimals: 1 }) })}
                  </Text>
                  <Text size="sm">
                    {t('pg_case_score_detail', {
                      metric: metricName,
                      dose: fmt(state.result.doseMg, lang),
                      value: fmt(state.score.metric, lang, 4),
                      target: c.target,
                      attainment: fmt(state.score.attainment, lang, { decimals: 1 }),
                      penalty: fmt(state.score.penalty, lang),
                      n: state.levels.length,
                    })}
                  </Text>
                  <Text size="sm">{t('pg_case_saved', { who: state.result.who })}</Text>
                  <Button
                    mt="xs"
                    size="xs"
                    variant="default"
                    onClick={() =>
                      downloadText(
                        `${state.result!.caseId}-${state.result!.who}.json`,
                        JSON.stringify(state.result, null, 2),
                      )
                    }
                  >
                    {t('pg_case_download_result')}
                  </Button>
                </Alert>
              )}
              <PlayChart testId="pg-case-chart" series={series} xName={t('pg_time_h')} yName={t('pg_conc')} />
            </>
          )}
        </>
      )}
    </Stack>
  );
}
