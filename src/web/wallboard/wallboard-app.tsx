// The supervisor wallboard page: sign in with a supervisor (or admin) key, then the live board.
// Large mode (?tv=1 or the button) is for a TV across the room; both choices are remembered here.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Socket } from 'socket.io-client';
import type { SupervisorClientEvents, SupervisorServerEvents } from '../../realtime/events.ts';
import type { Wallboard } from '../../wallboard/wallboard.types.ts';
import { guessLocale, I18nContext, makeI18n, useI18n, type Locale } from '../shared/i18n.ts';
import { clearKey, loadKey, loadSetting, saveKey, saveSetting } from '../shared/session.ts';
import { SignIn } from '../shared/sign-in.tsx';
import { Header } from '../shared/header.tsx';
import type { ShownError } from '../shared/error-note.tsx';
import { openSocket, useLink } from '../shared/socket.ts';
import { Board } from './board.tsx';

export function WallboardApp() {
  const [token, setToken] = useState<string | null>(() => loadKey('supervisor'));
  const [refused, setRefused] = useState<ShownError | null>(null);
  const [locale, setLocale] = useState<Locale>(() => guessLocale(loadSetting('locale'), navigator.languages ?? [navigator.language]));
  const [large, setLarge] = useState(() => new URLSearchParams(location.search).get('tv') === '1' || loadSetting('tv') === '1');
  const i18n = useMemo(() => makeI18n(locale), [locale]);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = i18n.t('board.pageTitle');
  }, [i18n]);
  useEffect(() => {
    document.body.classList.toggle('tv', large);
  }, [large]);

  const changeLocale = (l: Locale) => {
    setLocale(l);
    saveSetting('locale', l);
  };
  const toggleLarge = () => {
    setLarge(!large);
    saveSetting('tv', large ? '0' : '1');
  };
  const signOut = (why: ShownError | null) => {
    clearKey('supervisor');
    setRefused(why);
    setToken(null);
  };

  return (
    <I18nContext.Provider value={i18n}>
      {token ? (
        <Live key={token} token={token} large={large} onLarge={toggleLarge} onLocale={changeLocale} onSignOut={signOut} />
      ) : (
        <>
          <Header title={i18n.t('board.title')} onLocale={changeLocale} />
          <SignIn
            title={i18n.t('board.signInTitle')}
            hint={i18n.t('board.signInHint')}
            refused={refused}
            onSignIn={(key, remember) => {
              saveKey('supervisor', key, remember);
              setRefused(null);
              setToken(key);
            }}
          />
        </>
      )}
    </I18nContext.Provider>
  );
}

interface LiveProps {
  token: string;
  large: boolean;
  onLarge: () => void;
  onLocale: (l: Locale) => void;
  onSignOut: (why: ShownError | null) => void;
}

function Live({ token, large, onLarge, onLocale, onSignOut }: LiveProps) {
  const { t } = useI18n();
  const socket = useMemo(() => openSocket<SupervisorServerEvents, SupervisorClientEvents>('/supervisor', token), [token]);
  const [board, setBoard] = useState<Wallboard | null>(null);
  const { status, refusal } = useLink(socket as unknown as Socket);
  useEffect(() => {
    socket.on('wallboard', setBoard);
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [socket]);
  useEffect(() => {
    if (refusal) onSignOut(refusal);
  }, [refusal]);

  return (
    <>
      <Header title={t('board.title')} link={status} onLocale={onLocale} onSignOut={() => onSignOut(null)}>
        <button type="button" aria-pressed={large} onClick={onLarge}>
          {t('board.large')}
        </button>
      </Header>
      {status === 'reconnecting' ? (
        <p class="banner warn" role="alert">
          {t('board.stale')}
        </p>
      ) : null}
      {board ? <Board board={board} /> : <p class="muted pad">{t('desk.connecting')}</p>}
    </>
  );
}

