/**
 * Bayesian updating made visible, on the example case's patient (vancomycin, Thomson 2009): the
 * population's prior band, then the posterior band and individual parameters after each level the
 * student adds; and how much one more level would teach by its sampling time. The worker fits the
 * library's twin; the page draws.
 */
import { Alert, Button, Grid, Group, NumberInput, Slider, Stack, Table, Text } from '@mantine/core';
import { type CaseLevel, EXAMPLE_CASE } from '@dosetwin/models';
import { useEffect, useMemo, useState } from 'react';
import { useT } from '../../i18n/index.ts';
import { issueText } from '../../lib/issue-text.ts';
import { EngineError } from '../../lib/engine-client.ts';
import type { PlaygroundClient } from '../../lib/playground-client.ts';
import type { TwinView } from '../../lib/playground-session.ts';
import { fmt } from '../../lib/units.ts';
import { PlayChart, type PlaySeries } from './PlayChart.tsx';

/** Candidate sampling times: every half hour over the two days of doses given. */
const INFO_TIMES = Array.from({ length: 95 }, (_, k) => 0.5 + k * 0.5);
const SHOWN = ['CL', 'V1', 'V2', 'Q'];
const COLORS = ['#364fc7', '#2b8a3e', '#e67700', '#c2255c'];

export function Bayes({ client }: { client: PlaygroundClient }) {
  const { t, lang } = useT();
  const [levels, setLevels] = useState<CaseLevel[]>([]);
  const [time, setTime] = useState(11.5);
  const [value, setValue] = useState<number | string>(12);
  const [view, setView] = useState<TwinView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setView(null);
    client
      .twin(EXAMPLE_CASE, levels, EXAMPLE_CASE.given.dose.value, INFO_TIMES)
      .then((v) => live && (setView(v), setError(null)))
      .catch(
        (e: unknown) =>
          live &&
          setError(e instanceof EngineError ? e.issues.map((i) => issueText(i, lang)).join('\n') : String(e)),
      );
    return () => {
      live = false;
    };
  }, [client, levels, lang]);
  const series = useMemo((): PlaySeries[] => {
    if (!view) return [];
    const s: PlaySeries[] = [
      {
        name: t('pg_prior_band'),
        kind: 'band',
        x: view.prior.tH,
        y: view.prior.lo,
        hi: view.prior.hi,
        color: '#868e96',
      },
    ];
    if (view.kind === 'map')
      s.push({
        name: t('pg_posterior_band'),
        kind: 'band',
        x: view.band.tH,
        y: view.band.lo,
        hi: view.band.hi,
        color: '#4c6ef5',
      });
    s.push({ name: t('pg_ipred'), kind: 'line', x: view.tH, y: view.ipred, color: '#364fc7' });
    if (levels.length)
      s.push({
        name: t('pg_levels'),
        kind: 'points',
        x: levels.map((l) => l.tH),
        y: levels.map((l) => l.value),
        color: '#c92a2a',
      });
    return s;
  }, [view, levels, t]);
  const info = useMemo((): PlaySeries[] => {
    if (!view) return [];
    return view.information.etas.map((eta, i) => ({
      name: eta,
      kind: 'line' as const,
      x: view.information.tH,
      y: view.information.reduction.map((r) => r[i]),
      color: COLORS[i % COLORS.length],
    }));
  }, [view]);
  const atTime = view ? view.information.tH.indexOf(time) : -1;
  const v = typeof value === 'number' ? value : Number(value);
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Stack gap="sm">
          <Text size="sm">{t('pg_bayes_text')}</Text>
          <Text size="sm">
            {t('pg_level_time')}: <b data-testid="pg-level-time">{time}</b>
          </Text>
          <Slider
            thumbLabel={t('pg_level_time')}
            min={0.5}
            max={47.5}
            step={0.5}
            value={time}
            label={null}
            onChange={setTime}
          />
          <NumberInput
            label={t('pg_level_value')}
            min={0.1}
            step={0.5}
            decimalScale={2}
            value={value}
            onChange={setValue}
          />
          <Group>
            <Button
              disabled={!(v > 0) || levels.some((l) => l.tH === time)}
              onClick={() => setLevels((ls) => [...ls, { index: -1, tH: time, value: v, unit: 'mg/L' }])}
            >
              {t('pg_add_level')}
            </Button>
            <Button variant="default" disabled={!levels.length} onClick={() => setLevels([])}>
              {t('pg_clear_levels')}
            </Button>
          </Group>
          {view && atTime >= 0 && (
            <Text size="sm" data-testid="pg-information-at">
              {t('pg_information_at', {
                t: fmt(time, lang),
                eta: view.information.etas[0],
                pct: fmt(view.information.reduction[atTime][0], lang, 2),
              })}
            </Text>
          )}
          {view && (
            <Table data-testid="pg-parameters" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('pg_parameter')}</Table.Th>
                  <Table.Th>{t('pg_prior_value')}</Table.Th>
                  <Table.Th>{t('pg_posterior_value')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {SHOWN.map((p) => (
                  <Table.Tr key={p}>
                    <Table.Td>{p}</Table.Td>
                    <Table.Td>{fmt(view.priorParameters[p], lang, 3)}</Table.Td>
                    <Table.Td>{fmt(view.parameters[p], lang, 3)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {error && (
            <Alert color="red" style={{ whiteSpace: 'pre-line' }}>
              {error}
            </Alert>
          )}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Stack gap="sm">
          {!view && !error && <Text c="dimmed">{t('pg_computing')}</Text>}
          <PlayChart
            testId="pg-bayes-chart"
            series={series}
            xName={t('pg_time_h')}
            yName={t('pg_conc')}
            markX={time}
          />
          <Text size="sm">{t('pg_information')}</Text>
          <PlayChart
            testId="pg-info-chart"
            series={info}
            xName={t('pg_time_h')}
            yName="%"
            markX={time}
            height={220}
          />
          <Text size="xs" c="dimmed">
            {t('pg_source')}: {t('pg_bayes_source')}
          </Text>
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
