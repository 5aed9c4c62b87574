/**
 * The instructor's view: the class's results without names (this browser's, and those imported
 * from students' downloaded files), the truth of the loaded case on request, and a series of cases
 * generated from it (each truth drawn from the model's prior) to hand out.
 */
import { Alert, Button, FileButton, Group, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import type { TeachingCase } from '@dosetwin/models';
import { useEffect, useState } from 'react';
import { useT } from '../../i18n/index.ts';
import { EngineError } from '../../lib/engine-client.ts';
import { issueText } from '../../lib/issue-text.ts';
import type { PlaygroundClient } from '../../lib/playground-client.ts';
import {
  addResults,
  clearResults,
  downloadText,
  loadResults,
  type PlayResult,
  readResultFile,
} from '../../lib/playground-results.ts';
import { fmt } from '../../lib/units.ts';

const keyOf = (r: PlayResult) => `${r.who}|${r.caseId}|${r.at}`;

export function Instructor({ client, c }: { client: PlaygroundClient; c: TeachingCase | null }) {
  const { t, lang } = useT();
  const [results, setResults] = useState<PlayResult[]>(() => loadResults(localStorage));
  const [truth, setTruth] = useState<Record<string, number> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState<number | string>(5);
  const [seed, setSeed] = useState<number | string>(1);
  const [series, setSeries] = useState<TeachingCase[]>([]);
  // Each result of the loaded case scored again from its truth: a file edited by hand shows.
  const [checked, setChecked] = useState<Record<string, number>>({});
  useEffect(() => {
    if (!c) return;
    let live = true;
    const mine = results.filter((r) => r.caseId === c.id);
    void Promise.all(
      mine.map((r) => client.score(c, r.doseMg, r.timesH.length).then((s) => [keyOf(r), s.score] as const)),
    )
      .then((pairs) => live && setChecked(Object.fromEntries(pairs)))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [client, c, results]);
  const fail = (e: unknown) =>
    setError(e instanceof EngineError ? e.issues.map((i) => issueText(i, lang)).join('\n') : String(e));
  const importFiles = async (files: File[]) => {
    const read = await Promise.all(files.map(async (f) => readResultFile(await f.text())));
    setResults(
      addResults(
        localStorage,
        read.flatMap((r) => r ?? []),
      ),
    );
  };
  return (
    <Stack gap="sm">
      <Text size="sm">{t('pg_instructor_text')}</Text>
      <Group>
        <FileButton multiple accept="application/json,.json" onChange={(f) => void importFiles(f)}>
          {(p) => (
            <Button {...p} variant="default">
              {t('pg_instructor_import')}
            </Button>
          )}
        </FileButton>
        <Button
          variant="subtle"
          color="red"
          disabled={!results.length}
          onClick={() => {
            clearResults(localStorage);
            setResults([]);
          }}
        >
          {t('pg_instructor_clear')}
        </Button>
      </Group>
      {!results.length ? (
        <Text c="dimmed">{t('pg_instructor_none')}</Text>
      ) : (
        <Table data-testid="pg-results" striped withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('pg_col_who')}</Table.Th>
              <Table.Th>{t('pg_col_case')}</Table.Th>
              <Table.Th>{t('pg_col_times')}</Table.Th>
              <Table.Th>{t('pg_col_dose')}</Table.Th>
              <Table.Th>{t('pg_col_metric')}</Table.Th>
              <Table.Th>{t('pg_col_score')}</Table.Th>
              <Table.Th>{t('pg_col_check')}</Table.Th>
              <Table.Th>{t('pg_col_when')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {results.map((r) => (
              <Table.Tr key={keyOf(r)}>
                <Table.Td>{r.who}</Table.Td>
                <Table.Td>{r.caseId}</Table.Td>
                <Table.Td>{r.timesH.map((h) => fmt(h, lang)).join(', ')}</Table.Td>
                <Table.Td>{fmt(r.doseMg, lang)}</Table.Td>
                <Table.Td>
                  {r.target.split('=')[0]} {fmt(r.metric, lang, 4)}
                </Table.Td>
                <Table.Td>{fmt(r.score, lang, { decimals: 1 })}</Table.Td>
                <Table.Td>
                  {checked[keyOf(r)] === undefined
                    ? '–'
                    : Math.abs(checked[keyOf(r)] - r.score) < 1e-9
                      ? t('pg_check_ok')
                      : t('pg_check_bad', { score: fmt(checked[keyOf(r)], lang, { decimals: 1 }) })}
                </Table.Td>
                <Table.Td>{new Date(r.at).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB')}</Table.Td>
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
      {!c ? (
        <Text c="dimmed">{t('pg_no_case')}</Text>
      ) : (
        <>
          <Group>
            <Button onClick={() => client.truth(c).then(setTruth, fail)}>{t('pg_show_truth')}</Button>
          </Group>
          {truth && (
            <Stack gap={4} data-testid="pg-truth">
              <Title order={4}>{t('pg_truth', { id: c.id })}</Title>
              <Text size="sm">
                {Object.entries(truth)
                  .map(([k, v]) => `${k} = ${fmt(v, lang, 4)}`)
                  .join(' · ')}
              </Text>
              <Text size="sm">
                {t('pg_truth_etas')}:{' '}
                {Object.entries(c.truth.etas)
                  .map(([k, v]) => `${k} = ${fmt(v, lang, 3)}`)
                  .join(' · ')}
              </Text>
            </Stack>
          )}
          <Title order={4}>{t('pg_series')}</Title>
          <Group align="end">
            <NumberInput
              label={t('pg_series_n')}
              min={1}
              max={50}
              value={n}
              onChange={setN}
              style={{ width: 140 }}
            />
            <NumberInput
              label={t('pg_series_seed')}
              min={0}
              value={seed}
              onChange={setSeed}
              style={{ width: 140 }}
            />
            <Button
              variant="default"
              onClick={() => client.series(c, Number(n), Number(seed)).then(setSeries, fail)}
            >
              {t('pg_series_go')}
            </Button>
          </Group>
          <Group gap="xs">
            {series.map((s) => (
              <Button
                key={s.id}
                size="xs"
                variant="subtle"
                onClick={() => downloadText(`${s.id}.json`, JSON.stringify(s, null, 2))}
              >
                {t('pg_series_download', { id: s.id })}
              </Button>
            ))}
          </Group>
        </>
      )}
    </Stack>
  );
}
