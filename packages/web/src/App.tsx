import {
  Anchor,
  AppShell,
  Button,
  Group,
  MantineProvider,
  SegmentedControl,
  Text,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { LangContext, type Lang, translate } from './i18n/index.ts';
import type { SessionUser } from '@dosetwin/server/contract';
import { api, SESSION_ENDED } from './lib/api.ts';
import { go } from './lib/nav.ts';
import { PendingPage } from './pages/Account.tsx';
import { LoginPage } from './pages/Login.tsx';
import { resolvePublicRoute, resolveRoute, sectionsFor } from './routes.tsx';
import { THEMES } from './theme.ts';

/**
 * The language chosen in the header before, else the browser's first language the app speaks
 * (a French browser opens in French), else English.
 */
function initialLang(): Lang {
  const saved = localStorage.getItem('dosetwin.lang');
  if (saved === 'en' || saved === 'fr') return saved;
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = l.slice(0, 2).toLowerCase();
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('dosetwin.lang', l);
    document.documentElement.lang = l;
    setLangState(l);
  }, []);
  const [user, setUser] = useState<SessionUser | null>(null);
  const [checked, setChecked] = useState(false);
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    document.documentElement.lang = lang;
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, [lang]);
  // The session is the service's HttpOnly cookie: ask who is signed in (401: nobody).
  const refreshUser = useCallback(() => {
    api<SessionUser>('GET', '/auth/me')
      .then(setUser)
      .catch(() => setUser(null))
      .finally(() => setChecked(true));
  }, []);
  useEffect(refreshUser, [refreshUser]);
  // A session the service ended (idle, expired, revoked): back to the sign-in page, saying why.
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    const on = () => {
      setUser((u) => {
        if (u) setEnded(true);
        return null;
      });
    };
    window.addEventListener(SESSION_ENDED, on);
    return () => window.removeEventListener(SESSION_ENDED, on);
  }, []);
  const t = (k: Parameters<typeof translate>[1]) => translate(lang, k);
  const { route, id } = resolveRoute(hash, user?.role);
  const Page = route.page;
  const Public = resolvePublicRoute(hash)?.page ?? null;
  const ctx = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  const signOut = async () => {
    await api('POST', '/auth/logout').catch(() => {});
    setUser(null);
    go('#/');
  };
  const langSwitch = (
    <SegmentedControl
      aria-label={t('language')}
      size="xs"
      value={lang}
      onChange={(v) => setLang(v as Lang)}
      data={[
        { value: 'en', label: 'EN' },
        { value: 'fr', label: 'FR' },
      ]}
    />
  );
  return (
    <MantineProvider theme={THEMES[lang]}>
      <LangContext.Provider value={ctx}>
        <AppShell header={{ height: 56 }} padding="md">
          <AppShell.Header>
            <Group h="100%" px="md" justify="space-between" wrap="nowrap">
              <Group gap="lg" wrap="nowrap">
                <Title order={1} size="h3">
                  dosetwin
                </Title>
                {user && !user.pending && (
                  <nav aria-label={t('navigation')}>
                    {/* One line down to a tablet's 768 px: no wrapping inside a link or between them. */}
                    <Group gap="sm" wrap="nowrap">
                      {sectionsFor(user.role).map((s) => (
                        <Anchor
                          key={s.section}
                          href={s.href}
                          fw={route.section === s.section ? 700 : 400}
                          style={{ whiteSpace: 'nowrap' }}
                        >
                          {s.short ? (
                            <>
                              <Text span inherit visibleFrom="lg">
                                {t(s.label)}
                              </Text>
                              <Text span inherit hiddenFrom="lg">
                                {t(s.short)}
                              </Text>
                            </>
                          ) : (
                            t(s.label)
                          )}
                        </Anchor>
                      ))}
                    </Group>
                  </nav>
                )}
              </Group>
              <Group gap="sm" wrap="nowrap">
                {langSwitch}
                {user && (
                  <>
                    <Text size="sm" data-testid="whoami" style={{ whiteSpace: 'nowrap' }}>
                      {user.displayName}
                      {/* The role where there is room for it (its name is in the account page). */}
                      <Text span inherit visibleFrom="md">
                        {' '}
                        · {t(`role_${user.role}`)}
                      </Text>
                    </Text>
                    <Button size="xs" variant="default" onClick={signOut}>
                      {t('signOut')}
                    </Button>
                  </>
                )}
              </Group>
            </Group>
          </AppShell.Header>
          <AppShell.Main>
            {Public ? (
              <Public />
            ) : !checked ? null : !user ? (
              <>
                <LoginPage
                  ended={ended}
                  onSignedIn={(u) => {
                    setEnded(false);
                    setUser(u);
                  }}
                />
                <Group justify="center" mt="lg">
                  <Anchor href="#/playground">{t('pg_open')}</Anchor>
                </Group>
              </>
            ) : user.pending ? (
              <PendingPage user={user} onDone={refreshUser} />
            ) : (
              <Page key={`${route.path}|${id}`} id={id} user={user} />
            )}
          </AppShell.Main>
        </AppShell>
      </LangContext.Provider>
    </MantineProvider>
  );
}
