/**
 * Two versions of a request's analysis side by side: what each was computed from (doses, levels,
 * covariates, targets, corrections), its estimate (individual parameters, observed vs predicted),
 * its top candidates and its decision with the regimen retained. A line that differs between the
 * two is marked. Every number is the stored analysis's; nothing is recomputed here.
 */
import { Badge, Card, Group, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import type { Analysis, RequestDetail } from '@dosetwin/server/contract';
import { type ReactNode, useEffect, useState } from 'react';
import { colon, metMark, ptaMark, regimenLine } from '../cards/format.ts';
import { ErrorBox } from '../components/Issues.tsx';
import { type Key, useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import type { PageProps } from '../lib/nav.ts';
import { showDateTime } from '../lib/time.ts';
import { fmt, unitLabel } from '../lib/units.ts';

type Lines = { key: string; text: string }[];

/** The lines of one version, section by section (a key per line to pair it with the other version's). */
function linesOf(a: Analysis, lang: 'en' | 'fr', t: (k: Key, v?: Record<string, string | number>) => string) {
  const i = a.inputs;
  const at = (x: string): string => showDateTime(x, lang);
  // The colon after a label (a space before it in French: « Dose 05 déc., 02:59 : 1 g »).
  const sep = colon(lang);
  const inputs: Lines = [
    ...i.administrations.map((d) => ({
      key: `dose ${Date.parse(d.at)}`,
      text: `${t('dose')} ${at(d.at)}${sep}${fmt(d.amount, lang)} ${unitLabel(d.unit)} ${t(`route_${d.route}`)}${d.duration ? ` ${t('over')} ${fmt(d.duration.value, lang)} ${d.duration.unit}` : ''}`,
    })),
    ...i.samples.map((s) => ({
      key: `level ${Date.parse(s.at)} ${s.matrix}`,
      text: `${t('level')} ${at(s.at)}${sep}${fmt(s.value, lang)} ${unitLabel(s.unit)}`,
    })),
    ...i.covariates.map((c) => ({
      key: `cov ${c.name} ${Date.parse(c.at)}`,
      text: `${c.name} ${at(c.at)}${sep}${fmt(c.value, lang)} ${c.unit === '-' ? '' : unitLabel(c.unit, lang)}`,
    })),
    { key: 'targets', text: `${t('targetsOfSubject')}${sep}${a.targets.map((x) => x.text).join('; ')}` },
    { key: 'start', text: `${t('firstDose')}${sep}${i.start ? at(i.start) : '—'}` },
  ];
  const units = a.fit.model.units;
  const fit: Lines = [
    {
      key: 'kind',
      text: `${a.modelId} · ${a.fit.kind === 'map' ? t('fitMap') : t('fitPrior')}${a.fit.kind === 'map' ? ` · ${a.fit.converged ? t('converged') : t('notConverged')}` : ''}`,
    },
    ...Object.entries(a.fit.parameters).map(([k, v]) => ({ key: `p ${k}`, text: `${k} = ${fmt(v, lang)}` })),
    ...a.fit.observations.map((o) => ({
      key: `o ${Date.parse(o.at)}`,
      text: `${t('chartObserved')} ${at(o.at)}${sep}${fmt(o.observed, lang)} / ${t('predicted')} ${fmt(o.predicted, lang)} ${unitLabel(units.conc)}`,
    })),
  ];
  const candidates: Lines = a.candidates.slice(0, 3).map((c) => ({
    key: `c ${c.rank}`,
    text: `#${c.rank} ${regimenLine(c.regimen, lang, t)} · ${c.metrics.map((m) => `${m.metric} ${fmt(m.value, lang)} ${metMark(m.met, c.pta)}`).join(' · ')}${c.pta ? ` · ${t('pta')} ${ptaMark(c.pta)}` : ''}`,
  }));
  const v = a.validation;
  const retained: Lines = v
    ? [
        {
          key: 'decision',
          text: `${t(`decided_${v.decision}`)} · ${showDateTime(v.signedAt, lang)}`,
        },
        ...(v.regimen
          ? [{ key: 'regimen', text: `${t('retainedRegimen')}${sep}${regimenLine(v.regimen, lang, t)}` }]
          : []),
        ...(v.evaluation
          ? [
              {
                key: 'evaluation',
                text: `${t('predictedAsSigned')}${colon(lang)}${v.evaluation.metrics.map((m) => `${m.metric} ${fmt(m.value, lang)} ${metMark(m.met, v.evaluation!.pta)}`).join(' · ')}${v.evaluation.pta ? ` · ${t('pta')} ${ptaMark(v.evaluation.pta)}` : ''}`,
              },
            ]
          : []),
      ]
    : [{ key: 'decision', text: t('notSigned') }];
  return { inputs, fit, candidates, retained };
}

/** One section: each line key of either version in a row, the two texts side by side, a differing row marked. */
function Section({ title, a, b, testId }: { title: string; a: Lines; b: Lines; testId: string }): ReactNode {
  const { t } = useT();
  const keys = [...new Set([...a.map((x) => x.key), ...b.map((x) => x.key)])];
  const text = (l: Lines, k: string): string => l.find((x) => x.key === k)?.text ?? '—';
  return (
    <Card withBorder padding="sm" component="section">
      <Title order={3} size="h5" mb={4}>
        {title}
      </Title>
      <Table data-testid={testId} layout="fixed">
        <Table.Tbody>
          {keys.map((k) => {
            const [x, y] = [text(a, k), text(b, k)];
            const differs = x !== y;
            return (
              <Table.Tr key={k} data-differs={differs || undefined} bg={differs ? 'yellow.0' : undefined}>
                <Table.Td>
                  <Text size="sm">{x}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap" justify="space-between">
                    <Text size="sm">{y}</Text>
                    {differs && (
                      <Badge size="xs" color="yellow" variant="light">
                        {t('differs')}
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

export function ComparePage({ id }: PageProps) {
  const { t, lang } = useT();
  const [r, setR] = useState<RequestDetail | null>(null);
  const [pick, setPick] = useState<[number, number] | null>(null);
  const [pair, setPair] = useState<[Analysis, Analysis] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<RequestDetail>('GET', `/requests/${id}`).then((d) => {
      setR(d);
      // By default: the decision in force (else the one before the latest) against the latest.
      const latest = d.analyses.at(-1)?.version ?? 1;
      const inForce = d.inForce && d.inForce.version !== latest ? d.inForce.version : null;
      setPick([inForce ?? Math.max(1, latest - 1), latest]);
    }, setError);
  }, [id]);
  useEffect(() => {
    if (!r || !pick) return;
    const idOf = (v: number) => r.analyses.find((x) => x.version === v)?.id;
    const [x, y] = pick.map(idOf);
    if (!x || !y) return;
    Promise.all([api<Analysis>('GET', `/analyses/${x}`), api<Analysis>('GET', `/analyses/${y}`)]).then(
      (p) => setPair(p as [Analysis, Analysis]),
      setError,
    );
  }, [r, pick]);
  if (!r || !pick) return <ErrorBox error={error} />;
  const versions = r.analyses.map((a) => ({
    value: String(a.version),
    label: `${t('versionN', { v: a.version })} · ${a.decision ? t(`decided_${a.decision}`) : t('notSigned')}`,
  }));
  const [la, lb] = pair ? [linesOf(pair[0], lang, t), linesOf(pair[1], lang, t)] : [null, null];
  return (
    <Stack gap="sm" data-testid="compare">
      <Group justify="space-between">
        <Title order={2} size="h3">
          {t('compareTitle')}
        </Title>
        <a href={`#/requests/${r.id}`}>{t('request')}</a>
      </Group>
      <ErrorBox error={error} />
      <Group grow>
        {[0, 1].map((k) => (
          <NativeSelect
            key={k}
            label={t('versionN', { v: k === 0 ? 'A' : 'B' })}
            value={String(pick[k])}
            data={versions}
            onChange={(e) => {
              const v = Number(e.currentTarget.value);
              setPick((p) => (p ? (k === 0 ? [v, p[1]] : [p[0], v]) : p));
            }}
            data-testid={`compare-${k === 0 ? 'a' : 'b'}`}
          />
        ))}
      </Group>
      {la && lb && (
        <>
          <Section title={t('compareRetained')} a={la.retained} b={lb.retained} testId="compare-retained" />
          <Section title={t('compareInputs')} a={la.inputs} b={lb.inputs} testId="compare-inputs" />
          <Section title={t('compareFit')} a={la.fit} b={lb.fit} testId="compare-fit" />
          <Section
            title={t('compareCandidates')}
            a={la.candidates}
            b={lb.candidates}
            testId="compare-candidates"
          />
        </>
      )}
    </Stack>
  );
}
