import { Button, Card, Group, NativeSelect, SimpleGrid, Stack, Table, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import type { PatientCreated, PatientSummary } from '@dosetwin/server/contract';
import { api } from '../lib/api.ts';
import { go, type PageProps } from '../lib/nav.ts';
import { showDateTime } from '../lib/time.ts';

export function PatientsPage({ user }: PageProps) {
  const { t, lang } = useT();
  const [rows, setRows] = useState<PatientSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [form, setForm] = useState({
    familyName: '',
    givenName: '',
    birthDate: '',
    hospitalNumber: '',
    sex: 'male',
  });
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<PatientSummary[]>('GET', '/patients').then(setRows, setError);
  }, []);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { sex, ...identity } = form;
      const r = await api<PatientCreated>('POST', '/patients', { identity, sex });
      go(`#/patients/${r.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack>
      <Title order={2}>{t('patients')}</Title>
      <ErrorBox error={error} />
      <Card withBorder>
        <Table striped highlightOnHover aria-label={t('patients')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('pseudonym')}</Table.Th>
              <Table.Th>{t('service')}</Table.Th>
              <Table.Th>{t('sex')}</Table.Th>
              <Table.Th>{t('created')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(rows ?? []).map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <a href={`#/patients/${p.id}`}>{p.pseudonym}</a>
                </Table.Td>
                <Table.Td>{p.service}</Table.Td>
                <Table.Td>{t(p.sex === 'female' ? 'female' : 'male')}</Table.Td>
                <Table.Td>{showDateTime(p.createdAt, lang)}</Table.Td>
              </Table.Tr>
            ))}
            {rows && !rows.length && (
              <Table.Tr>
                <Table.Td colSpan={4}>{t('noPatients')}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder component="section" aria-labelledby="new-patient">
        <form onSubmit={create}>
          <Stack>
            <Title order={3} size="h4" id="new-patient">
              {t('newPatient')} ({t('service')}: {user.service})
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput
                label={t('familyName')}
                required
                value={form.familyName}
                onChange={(e) => set('familyName')(e.currentTarget.value)}
              />
              <TextInput
                label={t('givenName')}
                required
                value={form.givenName}
                onChange={(e) => set('givenName')(e.currentTarget.value)}
              />
              <TextInput
                label={t('birthDate')}
                type="date"
                required
                value={form.birthDate}
                onChange={(e) => set('birthDate')(e.currentTarget.value)}
              />
              <TextInput
                label={t('hospitalNumber')}
                required
                value={form.hospitalNumber}
                onChange={(e) => set('hospitalNumber')(e.currentTarget.value)}
              />
              <NativeSelect
                label={t('sex')}
                value={form.sex}
                onChange={(e) => set('sex')(e.currentTarget.value)}
                data={[
                  { value: 'male', label: t('male') },
                  { value: 'female', label: t('female') },
                ]}
              />
            </SimpleGrid>
            <Group>
              <Button type="submit" loading={busy}>
                {t('createPatient')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}
