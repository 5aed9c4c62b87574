/**
 * The signed-in user's own account: change the password (with the current one), set up or replace
 * the TOTP second factor (the key shown in base32, confirmed by a code), the open sessions with
 * sign-out of each. The first two also serve the steps a user must take before anything else
 * (PendingPage): a one-time password to change, a second factor to set up.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import type { PasswordChange, SessionInfo, SessionUser, TotpEnrolment } from '@dosetwin/server/contract';
import { useCallback, useEffect, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import type { PageProps } from '../lib/nav.ts';
import { showDateTime } from '../lib/time.ts';

export function ChangePasswordForm({ onDone }: { onDone: () => void }) {
  const { t } = useT();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    if (password !== repeat) return setError(new Error(t('passwordsDiffer')));
    setBusy(true);
    try {
      await api('POST', '/auth/password', { current, password } satisfies PasswordChange);
      setDone(true);
      setCurrent('');
      setPassword('');
      setRepeat('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} data-testid="password-form">
      <Stack gap="xs">
        <PasswordInput
          label={t('currentPassword')}
          value={current}
          onChange={(e) => setCurrent(e.currentTarget.value)}
          required
          autoComplete="current-password"
        />
        <PasswordInput
          label={t('newPassword')}
          description={t('passwordRules')}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          required
          minLength={12}
          autoComplete="new-password"
        />
        <PasswordInput
          label={t('repeatPassword')}
          value={repeat}
          onChange={(e) => setRepeat(e.currentTarget.value)}
          required
          autoComplete="new-password"
        />
        <ErrorBox error={error} />
        {done && (
          <Alert color="green" role="status">
            {t('passwordChanged')}
          </Alert>
        )}
        <Button type="submit" loading={busy}>
          {t('changePassword')}
        </Button>
      </Stack>
    </form>
  );
}

/** Set up (or replace) the second factor: the key in base32, then a code from it. */
export function TotpSetup({ enabled, onDone }: { enabled: boolean; onDone: () => void }) {
  const { t } = useT();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const start = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setEnrolment(await api<TotpEnrolment>('POST', '/auth/totp', enabled ? { password } : {}));
    } catch (err) {
      setError(err);
    }
  };
  const confirm = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/auth/totp/confirm', { code: code.trim() });
      setEnrolment(null);
      setDone(true);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  if (enrolment)
    return (
      <form onSubmit={confirm} data-testid="totp-confirm">
        <Stack gap="xs">
          <Text size="sm">{t('totpSecret')}</Text>
          <Code block data-testid="totp-secret">
            {enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}
          </Code>
          <Text size="sm">{t('totpUri')}</Text>
          <Code block style={{ wordBreak: 'break-all' }}>
            {enrolment.uri}
          </Code>
          <TextInput
            label={t('totpCode')}
            description={t('totpCodeHint')}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            required
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
          />
          <ErrorBox error={error} />
          <Button type="submit">{t('totpConfirm')}</Button>
        </Stack>
      </form>
    );
  return (
    <form onSubmit={start}>
      <Stack gap="xs">
        <Text size="sm" data-testid="totp-status">
          {enabled || done ? t('totpOn') : t('totpOff')}
        </Text>
        {enabled && (
          <PasswordInput
            label={t('currentPassword')}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            required
            autoComplete="current-password"
          />
        )}
        <ErrorBox error={error} />
        <Button type="submit" variant={enabled ? 'default' : 'filled'}>
          {enabled ? t('totpReplace') : t('totpStart')}
        </Button>
      </Stack>
    </form>
  );
}

function SessionsCard() {
  const { t, lang } = useT();
  const [rows, setRows] = useState<SessionInfo[]>([]);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    api<SessionInfo[]>('GET', '/auth/sessions').then(setRows, setError);
  }, []);
  useEffect(load, [load]);
  const revoke = async (s: SessionInfo) => {
    try {
      await api('DELETE', `/auth/sessions/${s.id}`);
      if (s.current) window.location.reload();
      else load();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="sessions-title">
      <Title order={3} size="h5" id="sessions-title" mb="xs">
        {t('sessions')}
      </Title>
      <ErrorBox error={error} />
      <Table data-testid="sessions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('sessionStarted')}</Table.Th>
            <Table.Th>{t('sessionLastSeen')}</Table.Th>
            <Table.Th>{t('sessionEnds')}</Table.Th>
            <Table.Th>{t('sessionAddress')}</Table.Th>
            <Table.Th>{t('sessionAgent')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td>
                {showDateTime(s.createdAt, lang)}{' '}
                {s.current && <Badge variant="light">{t('sessionCurrent')}</Badge>}
              </Table.Td>
              <Table.Td>{showDateTime(s.lastSeenAt, lang)}</Table.Td>
              <Table.Td>{showDateTime(s.expiresAt, lang)}</Table.Td>
              <Table.Td>{s.address}</Table.Td>
              <Table.Td>
                {/* The browser's own identification string: shown as sent, not a text to translate. */}
                <Text size="xs" lineClamp={1} maw={260} translate="no">
                  {s.agent}
                </Text>
              </Table.Td>
              <Table.Td>
                <Button size="xs" variant="default" onClick={() => revoke(s)}>
                  {t('revoke')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

export function AccountPage({ user }: PageProps) {
  const { t } = useT();
  const [me, setMe] = useState<SessionUser>(user);
  const refresh = useCallback(() => {
    api<SessionUser>('GET', '/auth/me').then(setMe, () => {});
  }, []);
  return (
    <Stack maw={900}>
      <Title order={2} size="h3">
        {t('account')} · {me.displayName} ({me.username})
      </Title>
      <Card withBorder padding="sm" component="section" aria-labelledby="pw-title">
        <Title order={3} size="h5" id="pw-title" mb="xs">
          {t('changePassword')}
        </Title>
        <ChangePasswordForm onDone={refresh} />
      </Card>
      <Card withBorder padding="sm" component="section" aria-labelledby="totp-title">
        <Title order={3} size="h5" id="totp-title" mb="xs">
          {t('totpTitle')}
        </Title>
        <TotpSetup enabled={me.totpEnabled} onDone={refresh} />
      </Card>
      <SessionsCard />
    </Stack>
  );
}

/**
 * What a user must do before anything else: change a one-time password (told who reset it, if an
 * administrator did), then set up the second factor when the role requires one.
 */
export function PendingPage({ user, onDone }: { user: SessionUser; onDone: () => void }) {
  const { t, lang } = useT();
  return (
    <Card withBorder maw={560} mx="auto" mt="xl" padding="lg" data-testid={`pending-${user.pending}`}>
      <Stack>
        {user.pending === 'password' ? (
          <>
            <Title order={2} size="h3">
              {t('mustChangeTitle')}
            </Title>
            {user.passwordReset && (
              <Alert color="orange" role="alert" data-testid="reset-notice">
                {t('resetNotice', {
                  by: user.passwordReset.by,
                  at: showDateTime(user.passwordReset.at, lang),
                })}
              </Alert>
            )}
            <Text size="sm">{t('mustChangeBody')}</Text>
            <ChangePasswordForm onDone={onDone} />
          </>
        ) : (
          <>
            <Title order={2} size="h3">
              {t('totpTitle')}
            </Title>
            <Text size="sm">{t('totpRequired')}</Text>
            <TotpSetup enabled={false} onDone={onDone} />
          </>
        )}
      </Stack>
    </Card>
  );
}
