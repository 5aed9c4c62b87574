/**
 * The concentration–time card: the plot (observed levels, individual curve with its credible
 * band, population curve, the current regimen continued, targets, LLOQ, doses given and to be
 * given), a linear/log switch, and what the band is made of.
 */
import { Card, Group, SegmentedControl, Text, Title } from '@mantine/core';
import { memo, useState } from 'react';
import { ConcChart } from '../components/ConcChart.tsx';
import { useT } from '../i18n/index.ts';
import type { ForecastMsg, ReadyInfo } from '../lib/worker-protocol.ts';
import { pct } from './format.ts';

const NONE: never[] = [];

export const ChartCard = memo(function ChartCard({
  info,
  forecast,
  failed,
  drawRef,
  onRendered,
}: {
  info: ReadyInfo | null;
  forecast: ForecastMsg | null;
  /** The twin could not be built (the error is shown by the what-if card). */
  failed: boolean;
  drawRef: { current: ((f: ForecastMsg) => void) | null };
  onRendered: () => void;
}) {
  const { t } = useT();
  const [log, setLog] = useState(false);
  return (
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
      {!info && !failed && <Text size="sm">{t('fitting')}</Text>}
      <ConcChart
        forecast={forecast}
        doseMs={info?.doseMs ?? NONE}
        current={info?.current ?? null}
        observed={info?.observed ?? NONE}
        targets={info?.targets ?? NONE}
        lloq={info?.lloq ?? null}
        concUnit={info?.units.conc ?? 'mg/L'}
        log={log}
        onRendered={onRendered}
        drawRef={drawRef}
      />
      {info && (
        <Text size="xs" c="gray.7">
          {info.kind === 'map'
            ? t('bandNote', { n: forecast?.draws ?? 0, acc: pct(info.fit?.acceptance ?? 0) })
            : t('bandNotePrior', { n: forecast?.draws ?? 0 })}
        </Text>
      )}
    </Card>
  );
});
