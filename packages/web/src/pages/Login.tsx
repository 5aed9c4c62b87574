import { Alert, Button, Card, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useT } from '../i18n/index.ts';
import type { Login, Session, SessionUser } from '@dosetwin/server/contract';
import { api, ApiError, setToken } from '../lib/api.ts';

export function LoginPage({ onSignedIn }: { onSignedIn: (u: SessionUser) => void }) {
  const { t } = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<Session>('POST', '/auth/login', { username, password } satisfies Login);
      setToken(r.token);
      onSignedIn(r.user);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401 ? t('loginFailed') : String((err as Error).message),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder maw={420} mx="auto" mt="xl" padding="lg">
      <form onSubmit={submit}>
        <Stack>
          <Title order={2} size="h3">
            {t('signIn')}
          </Title>
          <TextInput
            label={t('username')}
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            required
            autoComplete="username"
          />
          <PasswordInput
            label={t('password')}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            required
            autoComplete="current-password"
          />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={busy}>
            {t('signIn')}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}
