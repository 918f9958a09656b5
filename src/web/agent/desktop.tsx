// The agent desktop once signed in: state bar, the call (pop), today's follow-ups and search.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { isLocale, useI18n, type Locale } from '../shared/i18n.ts';
import { Header } from '../shared/header.tsx';
import { makeApi } from '../shared/api.ts';
import { loadSetting, saveSetting } from '../shared/session.ts';
import { ErrorNote, type ShownError } from '../shared/error-note.tsx';
import { useDesk } from './use-desk.ts';
import { ringingCall } from './desk-store.ts';
import { StateBar, readyShortcut } from './state-bar.tsx';
import { CallPanel } from './call-panel.tsx';
import { FollowUpsToday } from './follow-ups-today.tsx';
import { CustomerSearch } from './customer-search.tsx';
import { useRinger } from './ringer.ts';
import { focusById, useShortcuts } from './shortcuts.ts';
import { callerTitle } from './identity.tsx';

export interface DesktopProps {
  token: string;
  onLocale: (l: Locale) => void;
  onSignOut: (why: ShownError | null) => void;
}

export function Desktop({ token, onLocale, onSignOut }: DesktopProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const { desk, link, refusal, connections, actions } = useDesk(token);
  const api = useMemo(() => makeApi(token), [token]);
  const [muted, setMuted] = useState(() => loadSetting('muted') === '1');
  const [notice, setNotice] = useState<ShownError | null>(null);
  const [followUpsVersion, setFollowUpsVersion] = useState(0);

  useEffect(() => {
    if (refusal) onSignOut(refusal);
  }, [refusal]);
  // The language is the agent's own, kept on the server: it follows them to any computer.
  const savedLocale = desk.hello?.agent.locale;
  useEffect(() => {
    if (isLocale(savedLocale)) onLocale(savedLocale);
  }, [savedLocale]);

  const changeLocale = async (l: Locale) => {
    onLocale(l);
    try {
      await api('PUT', '/v1/agents/me/locale', { locale: l });
      setNotice(null);
    } catch (err) {
      setNotice(err as ShownError);
    }
  };

  const ringing = ringingCall(desk);
  useRinger(ringing ? t('ring.title', { caller: callerTitle(ringing.pop, t) }) : null, t('agent.pageTitle'), muted);

  const active = desk.calls.find((c) => c.id === desk.activeId) ?? null;
  useShortcuts({
    accept: () => {
      if (ringing) actions.dispatch({ type: 'accepted', callId: ringing.id });
      if (ringing || active) focusById('pop-title');
    },
    ready: () => {
      if (readyShortcut(desk.state)) void actions.setState({ status: 'ready' });
      else if (desk.state?.status === 'wrap_up') focusById('wrap-disposition');
    },
    notes: () => focusById('wrap-notes'),
    find: () => focusById('search-input'),
  });

  const signOut = async () => {
    // Logged out on the server too, so no call is offered to a desk nobody watches (refused on a call).
    await actions.setState({ status: 'logged_out' });
    onSignOut(null);
  };

  return (
    <>
      <Header title={t('agent.title')} who={desk.hello?.agent.name ?? null} link={link} onLocale={(l) => void changeLocale(l)} onSignOut={() => void signOut()}>
        <button
          type="button"
          aria-pressed={!muted}
          onClick={() => {
            setMuted(!muted);
            saveSetting('muted', muted ? '0' : '1');
          }}
        >
          {muted ? t('sound.off') : t('sound.on')}
        </button>
      </Header>
      {link === 'reconnecting' ? (
        <p class="banner warn" role="alert">
          {t('link.lostBanner')}
        </p>
      ) : null}
      <ErrorNote error={notice} />
      {!desk.hello || !desk.state ? (
        <main class="desk">
          <p class="muted">{t('desk.connecting')}</p>
        </main>
      ) : (
        <main class="desk">
          <StateBar hello={desk.hello} state={desk.state} actions={actions} />
          <div class="desk-grid">
            <CallPanel desk={desk} actions={actions} api={api} connections={connections} onFollowUp={() => setFollowUpsVersion((v) => v + 1)} />
            <aside class="side">
              <FollowUpsToday api={api} version={followUpsVersion} />
              <CustomerSearch api={api} call={active && active.phase !== 'gone' ? active : null} actions={actions} />
            </aside>
          </div>
          <p class="shortcuts muted">{t('desk.shortcuts')}</p>
        </main>
      )}
    </>
  );
}
