import { Alert, Button, Card, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useT } from '../i18n/index.ts';
import type { Login, Session, SessionUser } from '@dosetwin/server/contract';
import { api, ApiError } from '../lib/api.ts';

/**
 * Sign-in: user name and password, then, for a user with a second factor (the service answers
 * DT_AUTH_CODE), the authenticator's code. The session is the HttpOnly cookie the service sets.
 */
export function LoginPage({
  onSignedIn,
  ended = false,
}: {
  onSignedIn: (u: SessionUser) => void;
  /** The previous session was ended by the service (idle, expired, revoked): say so. */
  ended?: boolean;
}) {
  const { t } = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [askCode, setAskCode] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Login = { username, password, ...(askCode ? { code: code.trim() } : {}) };
      const r = await api<Session>('POST', '/auth/login', body);
      onSignedIn(r.user);
    } catch (err) {
      const issue = err instanceof ApiError ? err.issues[0] : undefined;
      if (issue?.code === 'DT_AUTH_CODE') {
        // The password was right: the code is asked (or was wrong).
        if (askCode) setError(issue.message);
        setAskCode(true);
        setCode('');
      } else
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
          {ended && (
            <Alert color="orange" role="status" data-testid="session-ended">
              {t('sessionEnded')}
            </Alert>
          )}
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
          {askCode && (
            <TextInput
              label={t('totpCode')}
              description={t('totpCodeHint')}
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
              required
              autoFocus
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
            />
          )}
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
