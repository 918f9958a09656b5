// The agent page: sign in with the agent's API key, then the desktop. The language follows the
// agent (stored on the server) once signed in; before that, this browser's last choice.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { guessLocale, I18nContext, makeI18n, type Locale } from '../shared/i18n.ts';
import { clearKey, loadKey, loadSetting, saveKey, saveSetting } from '../shared/session.ts';
import { SignIn } from '../shared/sign-in.tsx';
import { Header } from '../shared/header.tsx';
import type { ShownError } from '../shared/error-note.tsx';
import { Desktop } from './desktop.tsx';

export function AgentApp() {
  const [token, setToken] = useState<string | null>(() => loadKey('agent'));
  const [refused, setRefused] = useState<ShownError | null>(null);
  const [locale, setLocaleState] = useState<Locale>(() => guessLocale(loadSetting('locale'), navigator.languages ?? [navigator.language]));
  const i18n = useMemo(() => makeI18n(locale), [locale]);

  const setLocale = (l: Locale) => {
    setLocaleState(l);
    saveSetting('locale', l);
  };
  useEffect(() => {
    document.documentElement.lang = locale;
    // Signed in, the desktop owns the title (it flashes when a call rings).
    if (!token) document.title = i18n.t('agent.pageTitle');
  }, [i18n, token]);

  const signOut = (why: ShownError | null) => {
    clearKey('agent');
    setRefused(why);
    setToken(null);
  };

  return (
    <I18nContext.Provider value={i18n}>
      {token ? (
        <Desktop key={token} token={token} onLocale={setLocale} onSignOut={signOut} />
      ) : (
        <>
          <Header title={i18n.t('agent.title')} onLocale={setLocale} />
          <SignIn
            title={i18n.t('agent.signInTitle')}
            hint={i18n.t('agent.signInHint')}
            refused={refused}
            onSignIn={(key, remember) => {
              saveKey('agent', key, remember);
              setRefused(null);
              setToken(key);
            }}
          />
        </>
      )}
    </I18nContext.Provider>
  );
}
