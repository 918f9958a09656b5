// Ready / not ready (with a reason), the time in the current state, and the queues served.
import { useState } from 'preact/hooks';
import type { AgentHello, AgentStateView } from '../../realtime/events.ts';
import { useI18n } from '../shared/i18n.ts';
import { clock } from '../shared/format.ts';
import { secondsSince, useNow } from '../shared/use-now.ts';
import { ErrorNote, type ShownError } from '../shared/error-note.tsx';
import type { DeskActions } from './use-desk.ts';

export function StateBar({ hello, state, actions }: { hello: AgentHello; state: AgentStateView; actions: DeskActions }) {
  const { t, code } = useI18n();
  const now = useNow();
  const [reason, setReason] = useState(hello.notReadyReasons[0] ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);

  const send = async (input: { status: 'ready' | 'not_ready' | 'logged_out'; reason?: string }) => {
    setBusy(true);
    setError(null);
    const res = await actions.setState(input);
    setBusy(false);
    if (!res.ok) setError(res.error);
  };
  const canReady = state.status === 'logged_out' || state.status === 'not_ready';
  const canNotReady = state.status !== 'ringing' && state.status !== 'on_call';
  const autoLeft = state.status === 'wrap_up' && state.until ? Math.max(0, Math.ceil((Date.parse(state.until) - now) / 1000)) : null;

  return (
    <section class="state-bar" aria-label={t('state.region')}>
      <div class={`state state-${state.status}`} role="status" aria-live="polite" data-testid="agent-state">
        <span class="state-name">{t(`status.${state.status}`)}</span>
        {state.reason ? <span class="state-reason"> · {code('reason', state.reason)}</span> : null}
        <span class="state-time" title={t('state.timeInState')}>
          {' '}
          {clock(secondsSince(state.since, now))}
        </span>
      </div>
      {autoLeft !== null ? <span class="muted">{t('state.autoReady', { time: clock(autoLeft) })}</span> : null}
      {state.status === 'wrap_up' && autoLeft === null ? <span class="muted">{t('state.wrapFirst')}</span> : null}
      <button type="button" class="primary" disabled={!canReady || busy} aria-keyshortcuts="Alt+R" onClick={() => void send({ status: 'ready' })}>
        {t('state.ready')} <kbd>Alt+R</kbd>
      </button>
      <label class="inline">
        <span>{t('state.reason')}</span>
        <select value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
          {hello.notReadyReasons.map((r) => (
            <option value={r} key={r}>
              {code('reason', r)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" disabled={!canNotReady || busy || !reason} onClick={() => void send({ status: 'not_ready', reason })}>
        {t('state.notReady')}
      </button>
      <span class="queues">
        {t('state.queues')}{' '}
        {hello.queues.length === 0 ? (
          <em>{t('state.noQueues')}</em>
        ) : (
          hello.queues.map((q) => (
            <span class="chip" key={q.id} title={q.wrapUpSeconds > 0 ? t('state.autoWrap', { seconds: q.wrapUpSeconds }) : t('state.manualWrap')}>
              {q.name}
            </span>
          ))
        )}
      </span>
      <ErrorNote error={error} />
    </section>
  );
}

/** Alt+R from anywhere: the same as pressing Ready. */
export function readyShortcut(state: AgentStateView | null): boolean {
  return state?.status === 'logged_out' || state?.status === 'not_ready';
}
