/**
 * The what-if card: the next regimen (dose, unit, interval, infusion, first dose), each edit sent
 * to the twin at once; the steady-state exposure per target and its probability of attainment —
 * for a drug-level analysis the twin's model's beside the average over the drug's models.
 */
import { Card, Group, NativeSelect, NumberInput, Table, Text, TextInput, Title } from '@mantine/core';
import { PTA_THRESHOLD } from '@dosetwin/engine';
import { type Attainment, ptaBelowThreshold, type Regimen } from '@dosetwin/models';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { fromDateTimeLocal, toDateTimeLocal } from '../lib/time.ts';
import { fmt, MASS_UNITS, unitLabel } from '../lib/units.ts';
import type { AverageResult } from '../hooks/useTwin.ts';
import type { ForecastMsg, ReadyInfo } from '../lib/worker-protocol.ts';
import { clinicalDose, hours, metMark, pct, ptaMark } from './format.ts';

export function WhatIfCard({
  info,
  regimen,
  forecast: f,
  pta,
  error,
  edit,
  drugModel,
  average,
}: {
  info: ReadyInfo | null;
  regimen: Regimen | null;
  forecast: ForecastMsg | null;
  pta: Attainment | null;
  error: unknown;
  edit: (patch: Partial<Regimen>) => void;
  /** A drug-level analysis: the model the twin is (the largest weight); null for one model. */
  drugModel: string | null;
  /** The regimen under every model of the drug (drug-level analyses). */
  average: AverageResult | null;
}) {
  const { t, lang } = useT();
  const conc = unitLabel(info?.units.conc ?? 'mg/L');
  // The dose in the unit clinicians prescribe it in (a tacrolimus candidate in mg, not the model's µg).
  const shownDose = regimen ? clinicalDose(regimen.dose) : null;
  return (
    <Card withBorder padding="sm" mt="sm" component="section" aria-labelledby="whatif-title">
      <Title order={3} size="h5" id="whatif-title" mb={4}>
        {t('whatIf')}
      </Title>
      {info && !regimen && <Text size="sm">{t('noRegimen')}</Text>}
      {regimen && info && (
        <Group grow align="flex-end" wrap="wrap">
          <NumberInput
            label={t('dose')}
            min={0}
            step={250}
            decimalScale={4}
            value={shownDose!.value}
            onChange={(v) =>
              typeof v === 'number' && v > 0 && edit({ dose: { value: v, unit: shownDose!.unit } })
            }
            data-testid="whatif-dose"
          />
          <NativeSelect
            label={t('unit')}
            value={shownDose!.unit}
            onChange={(e) => edit({ dose: { value: shownDose!.value, unit: e.currentTarget.value } })}
            data={MASS_UNITS.map((x) => ({ value: x, label: unitLabel(x) }))}
          />
          <NumberInput
            label={t('intervalH')}
            min={1}
            step={1}
            value={hours(regimen.interval)}
            onChange={(v) => typeof v === 'number' && v > 0 && edit({ interval: { value: v, unit: 'h' } })}
          />
          {!info.oral && (
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
      )}
      <ErrorBox error={error} />
      {f && (
        <Table mt="xs" aria-label={t('exposure')} data-testid="whatif-exposure">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('target')}</Table.Th>
              <Table.Th>
                {drugModel ? t('predictedSSModel', { model: drugModel }) : t('predictedSS')}
              </Table.Th>
              <Table.Th>{t('pta')}</Table.Th>
              {drugModel && <Table.Th>{t('averagedSS')}</Table.Th>}
              {drugModel && <Table.Th>{t('ptaMixture')}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {f.metrics.map((m, k) => {
              // The same target averaged over the drug's models (matched by its text).
              const am = average?.averaged.metrics.find((x) => x.target === m.target);
              // A target met at the individual prediction but more likely missed than met: ⚠.
              const low = !!pta && ptaBelowThreshold({ all: pta.each[k] });
              return (
                <Table.Tr key={k}>
                  <Table.Td>{m.target}</Table.Td>
                  <Table.Td>
                    <Text
                      span
                      fw={700}
                      c={m.met ? (low ? 'orange.9' : 'green.9') : 'red.9'}
                      title={m.met && low ? t('metButLowPta', { p: pct(PTA_THRESHOLD) }) : undefined}
                    >
                      {fmt(m.value, lang)} {metMark(m.met, pta ? { all: pta.each[k] } : null)}
                    </Text>
                  </Table.Td>
                  <Table.Td c={low ? 'orange.9' : undefined}>
                    {pta ? ptaMark({ all: pta.each[k] }) : '…'}
                  </Table.Td>
                  {drugModel && (
                    <Table.Td data-testid="whatif-averaged">
                      {am ? (
                        <Text span fw={700} c={am.met ? 'green.9' : 'red.9'}>
                          {fmt(am.value, lang)} {am.met ? '✓' : '✗'}
                        </Text>
                      ) : average ? (
                        '—'
                      ) : (
                        '…'
                      )}
                    </Table.Td>
                  )}
                  {drugModel && (
                    <Table.Td>
                      {am && average?.averaged.pta
                        ? pct(average.averaged.pta.each[average.averaged.metrics.indexOf(am)])
                        : average
                          ? '—'
                          : '…'}
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
            <Table.Tr>
              <Table.Td colSpan={drugModel ? 5 : 3}>
                <Text size="sm">
                  AUC24 {fmt(f.exposure.auc24, lang)} {conc}·h · Cmin {fmt(f.exposure.cmin, lang)} · Cmax{' '}
                  {fmt(f.exposure.cmax, lang)} {conc}
                </Text>
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
