/**
 * The administrator's page: the accounts and their roles. Create an account (the service makes
 * its one-time password, shown here once), change a role, deactivate or reactivate, reset a
 * password (a new one-time password; the user must change it and is told of the reset). The last
 * active administrator cannot be deactivated (the service refuses, and says so).
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import type { NewUser, PasswordReset, Role, User, UserCreated } from '@dosetwin/server/contract';
import { useCallback, useEffect, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import type { PageProps } from '../lib/nav.ts';

const ROLES = ['prescriber', 'pharmacologist', 'admin'] as const;

function OneTime({ user, password }: { user: string; password: string }) {
  const { t } = useT();
  return (
    <Alert color="blue" role="status" data-testid="one-time-password">
      <Text size="sm">
        {t('oneTimePassword', { user, password: '' })}
        <Code data-testid="one-time-value">{password}</Code>
      </Text>
      <Text size="xs">{t('oneTimePasswordHint')}</Text>
    </Alert>
  );
}

function NewUserForm({ onCreated }: { onCreated: (u: UserCreated) => void }) {
  const { t } = useT();
  const [form, setForm] = useState<Omit<NewUser, 'password'>>({
    username: '',
    displayName: '',
    role: 'prescriber',
    service: '',
  });
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      onCreated(await api<UserCreated>('POST', '/users', form));
      setForm({ username: '', displayName: '', role: form.role, service: form.service });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} data-testid="new-user">
      <Stack gap="xs">
        <Group grow align="flex-start">
          <TextInput label={t('username')} value={form.username} onChange={set('username')} required />
          <TextInput
            label={t('displayName')}
            value={form.displayName}
            onChange={set('displayName')}
            required
          />
        </Group>
        <Group grow align="flex-start">
          <NativeSelect
            label={t('role')}
            value={form.role}
            onChange={set('role')}
            data={ROLES.map((r) => ({ value: r, label: t(`role_${r}`) }))}
          />
          <TextInput label={t('service')} value={form.service} onChange={set('service')} required />
        </Group>
        <ErrorBox error={error} />
        <Button type="submit">{t('createUser')}</Button>
      </Stack>
    </form>
  );
}

export function UsersPage({ user: me }: PageProps) {
  const { t } = useT();
  const [rows, setRows] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [shown, setShown] = useState<{ user: string; password: string } | null>(null);
  const load = useCallback(() => {
    api<User[]>('GET', '/users').then(setRows, setError);
  }, []);
  useEffect(load, [load]);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      load();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Stack>
      <Title order={2} size="h3">
        {t('users')}
      </Title>
      {shown && <OneTime user={shown.user} password={shown.password} />}
      <ErrorBox error={error} />
      <Card withBorder padding="sm">
        <Table data-testid="users">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('username')}</Table.Th>
              <Table.Th>{t('displayName')}</Table.Th>
              <Table.Th>{t('role')}</Table.Th>
              <Table.Th>{t('service')}</Table.Th>
              <Table.Th />
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((u) => (
              <Table.Tr key={u.id} data-testid={`user-${u.username}`}>
                <Table.Td>{u.username}</Table.Td>
                <Table.Td>{u.displayName}</Table.Td>
                <Table.Td>
                  <NativeSelect
                    aria-label={`${t('role')} ${u.username}`}
                    size="xs"
                    value={u.role}
                    onChange={(e) => {
                      const role = e.currentTarget.value as Role;
                      void act(() => api('PATCH', `/users/${u.id}`, { role }));
                    }}
                    data={ROLES.map((r) => ({ value: r, label: t(`role_${r}`) }))}
                  />
                </Table.Td>
                <Table.Td>{u.service}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge color={u.active ? 'green' : 'gray'} variant="light">
                      {u.active ? t('active') : t('inactive')}
                    </Badge>
                    {u.mustChangePassword && <Badge variant="light">{t('mustChange')}</Badge>}
                    {u.totpEnabled && <Badge variant="outline">{t('twoFactor')}</Badge>}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => act(() => api('PATCH', `/users/${u.id}`, { active: !u.active }))}
                    >
                      {u.active ? t('deactivate') : t('reactivate')}
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      disabled={u.id === me.id}
                      onClick={() =>
                        act(async () => {
                          const r = await api<PasswordReset>('POST', `/users/${u.id}/password-reset`);
                          setShown({ user: u.username, password: r.oneTimePassword });
                        })
                      }
                    >
                      {t('resetPassword')}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder padding="sm" component="section" aria-labelledby="new-user-title">
        <Title order={3} size="h5" id="new-user-title" mb="xs">
          {t('newUser')}
        </Title>
        <NewUserForm
          onCreated={(u) => {
            if (u.oneTimePassword) setShown({ user: u.username, password: u.oneTimePassword });
            load();
          }}
        />
      </Card>
    </Stack>
  );
}
