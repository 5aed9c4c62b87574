/**
 * The lessons: a short text with its sources, the parameters as sliders, and the curve the engine
 * computes for them (its closed forms, `lessonCurve`; sub-millisecond, so on the page's thread and
 * redrawn within the frame of the slider's move).
 */
import { Grid, Select, Slider, Stack, Text, Title } from '@mantine/core';
import {
  LESSON_IDS,
  LESSON_PARAMS,
  lessonCurve,
  type LessonId,
  type LessonParamSpec,
  type LessonParams,
} from '@dosetwin/engine';
import { memo, useCallback, useMemo, useRef, useState } from 'react';
import { type Key, useT } from '../../i18n/index.ts';
import { fmt } from '../../lib/units.ts';
import { PlayChart, type PlaySeries } from './PlayChart.tsx';

declare global {
  interface Window {
    /** Slider move to painted chart, ms, one entry per move (read by the bench). */
    __pgPaint?: number[];
  }
}

const defaults = (id: LessonId): LessonParams =>
  Object.fromEntries(LESSON_PARAMS[id].map((s) => [s.name, s.value]));

/** One parameter's slider; memoised, so a move re-renders its own slider only. */
const ParamSlider = memo(function ParamSlider(props: {
  spec: LessonParamSpec;
  value: number;
  onMove: (name: string, v: number) => void;
}) {
  const { t, lang } = useT();
  const { spec } = props;
  return (
    <div>
      <Text size="sm">
        {t(`param_${spec.name}` as Key)}:{' '}
        <b data-testid={`pg-value-${spec.name}`}>{fmt(props.value, lang, 15, true)}</b>
      </Text>
      <Slider
        thumbLabel={t(`param_${spec.name}` as Key)}
        min={spec.min}
        max={spec.max}
        step={spec.step}
        value={props.value}
        label={null}
        onChange={(v) => props.onMove(spec.name, v)}
      />
    </div>
  );
});

export function Lessons() {
  const { t } = useT();
  const [id, setId] = useState<LessonId>('one-cmt');
  const [params, setParams] = useState<LessonParams>(() => defaults('one-cmt'));
  const moved = useRef<number | null>(null);
  const curve = useMemo(() => lessonCurve(id, params), [id, params]);
  const series = useMemo((): PlaySeries[] => {
    const s: PlaySeries[] = [];
    if (curve.lo && curve.hi)
      s.push({
        name: t('pg_band'),
        kind: 'band',
        x: curve.timesH,
        y: curve.lo,
        hi: curve.hi,
        color: '#4c6ef5',
      });
    if (curve.reference)
      s.push({
        name: t('pg_reference'),
        kind: 'dashed',
        x: curve.timesH,
        y: curve.reference,
        color: '#868e96',
      });
    s.push({ name: t('pg_curve'), kind: 'line', x: curve.timesH, y: curve.conc, color: '#364fc7' });
    return s;
  }, [curve, t]);
  const move = useCallback((name: string, v: number) => {
    moved.current = performance.now();
    setParams((p) => ({ ...p, [name]: v }));
  }, []);
  const choose = (next: LessonId) => {
    setId(next);
    setParams(defaults(next));
  };
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Stack gap="sm">
          <Select
            label={t('pg_lesson')}
            value={id}
            allowDeselect={false}
            onChange={(v) => v && choose(v as LessonId)}
            data={LESSON_IDS.map((l) => ({ value: l, label: t(`pg_lesson_${l}` as Key) }))}
            data-testid="pg-lesson"
          />
          {LESSON_PARAMS[id].map((spec) => (
            <ParamSlider key={`${id}-${spec.name}`} spec={spec} value={params[spec.name]} onMove={move} />
          ))}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Stack gap="sm">
          <Title order={3}>{t(`pg_lesson_${id}` as Key)}</Title>
          <Text size="sm" data-testid="pg-lesson-text">
            {t(`pg_text_${id}` as Key)}
          </Text>
          <PlayChart
            testId="pg-lesson-chart"
            series={series}
            xName={t('pg_time_h')}
            yName={t('pg_conc')}
            onRendered={() => {
              if (moved.current === null) return;
              (window.__pgPaint ??= []).push(performance.now() - moved.current);
              moved.current = null;
            }}
          />
          <Text size="xs" c="dimmed">
            {t('pg_source')}: {t(`pg_source_${id}` as Key)}
          </Text>
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
