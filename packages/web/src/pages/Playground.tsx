/**
 * The teaching playground, open without an account: lessons with live curves, Bayesian updating,
 * a case with a hidden truth, and the instructor's view. Its worker is started with the page, so
 * once it is open nothing more is fetched: it works with the network cut.
 */
import { Stack, Tabs, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useT } from '../i18n/index.ts';
import { PlaygroundClient } from '../lib/playground-client.ts';
import { Bayes } from './playground/Bayes.tsx';
import { type CaseState, CaseTab, NO_CASE } from './playground/CaseTab.tsx';
import { Instructor } from './playground/Instructor.tsx';
import { Lessons } from './playground/Lessons.tsx';

export function PlaygroundPage() {
  const { t } = useT();
  const [client, setClient] = useState<PlaygroundClient | null>(null);
  const [tab, setTab] = useState<string | null>('lessons');
  const [caseState, setCaseState] = useState<CaseState>(NO_CASE);
  useEffect(() => {
    const c = new PlaygroundClient();
    setClient(c);
    return () => c.terminate();
  }, []);
  return (
    <Stack gap="sm" maw={1400} mx="auto">
      <Title order={2}>{t('pg_title')}</Title>
      <Text size="sm" c="dimmed">
        {t('pg_intro')}
      </Text>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="lessons">{t('pg_tab_lessons')}</Tabs.Tab>
          <Tabs.Tab value="bayes">{t('pg_tab_bayes')}</Tabs.Tab>
          <Tabs.Tab value="case">{t('pg_tab_case')}</Tabs.Tab>
          <Tabs.Tab value="instructor">{t('pg_tab_instructor')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="lessons" pt="md">
          <Lessons />
        </Tabs.Panel>
        <Tabs.Panel value="bayes" pt="md">
          {client && <Bayes client={client} />}
        </Tabs.Panel>
        <Tabs.Panel value="case" pt="md">
          {client && <CaseTab client={client} state={caseState} setState={setCaseState} />}
        </Tabs.Panel>
        <Tabs.Panel value="instructor" pt="md">
          {client && <Instructor client={client} c={caseState.c} />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
