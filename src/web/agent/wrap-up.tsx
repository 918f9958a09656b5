// Wrap-up: disposition and notes. Notes can be typed during the call; saving is possible once it
// ended. Nothing typed is lost: the draft survives a reload, a send without a connection waits and
// goes out when the connection is back, and "saved" is only shown on the server's acknowledgement.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentStateView } from '../../realtime/events.ts';
import { useI18n } from '../shared/i18n.ts';
import { clock } from '../shared/format.ts';
import { useNow } from '../shared/use-now.ts';
import { ErrorNote, type ShownError } from '../shared/error-note.tsx';
import { loadDraft, saveDraft } from '../shared/session.ts';
import type { DeskCall, DeskState } from './desk-store.ts';
import { NOTES_MAX } from './limits.ts';
import type { DeskActions } from './use-desk.ts';


type Status =
  | { kind: 'editing' }
  | { kind: 'sending' }
  | { kind: 'waiting' }
  | { kind: 'failed'; error: ShownError }
  | { kind: 'saved' }
  | { kind: 'already' };

interface Draft {
  disposition: string;
  notes: string;
}

/** Seconds left of the queue's automatic wrap-up for this call, or null. */
function autoLeft(state: AgentStateView | null, callId: string, now: number): number | null {
  if (state?.status !== 'wrap_up' || state.callId !== callId || !state.until) return null;
  return Math.max(0, Math.ceil((Date.parse(state.until) - now) / 1000));
}

export function WrapUp({ call, desk, actions, connections }: { call: DeskCall; desk: DeskState; actions: DeskActions; connections: number }) {
  const { t, code } = useI18n();
  const now = useNow();
  const draftId = `wrap.${call.id}`;
  const [draft, setDraft] = useState<Draft>(() => loadDraft<Draft>(draftId) ?? { disposition: '', notes: '' });
  const [status, setStatus] = useState<Status>(call.wrapped ? { kind: 'saved' } : { kind: 'editing' });
  const [invalid, setInvalid] = useState<ShownError | null>(null);
  const waitingSince = useRef(0);

  const notesLength = draft.notes.trim().length;
  const over = notesLength - NOTES_MAX;
  const ended = call.phase === 'ended';
  const dispositions = desk.hello?.dispositions ?? [];
  const left = autoLeft(desk.state, call.id, now);

  const change = (next: Draft) => {
    setDraft(next);
    saveDraft(draftId, next);
    setInvalid(null);
    if (status.kind === 'failed') setStatus({ kind: 'editing' });
  };

  const send = async () => {
    setStatus({ kind: 'sending' });
    const res = await actions.wrapUp(call.id, draft.disposition, draft.notes.trim());
    if (res.ok) {
      setStatus({ kind: 'saved' }); // the draft stays until the call is closed: the saved notes stay readable
    } else if (res.error.code === 'OFFLINE') {
      waitingSince.current = connections;
      setStatus({ kind: 'waiting' });
    } else if (res.error.code === 'CONFLICT' && /wrapped up already/i.test(res.error.message)) {
      // An earlier send did arrive (its answer was lost with the connection), or another desk saved it.
      setStatus({ kind: 'already' });
    } else {
      setStatus({ kind: 'failed', error: res.error });
    }
  };

  // Back online after a send that could not go out: send it now.
  useEffect(() => {
    if (status.kind === 'waiting' && connections > waitingSince.current) void send();
  }, [connections]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!draft.disposition) return setInvalid({ code: 'VALIDATION_FAILED', message: t('wrap.needDisposition') });
    if (over > 0) return setInvalid({ code: 'VALIDATION_FAILED', message: t('wrap.tooLong', { max: NOTES_MAX, over }) });
    if (!ended) return setInvalid({ code: 'INVALID_STATE', message: t('wrap.notEnded') });
    void send();
  };

  if (status.kind === 'saved' || status.kind === 'already') {
    return (
      <section class="card wrap saved" aria-labelledby="wrap-title">
        <h3 id="wrap-title">{t('wrap.title')}</h3>
        <p class="ok" role="status">
          {status.kind === 'saved' ? t('wrap.saved', { disposition: code('disposition', draft.disposition) }) : t('wrap.already')}
        </p>
        {draft.notes.trim() ? <p class="notes-text">{draft.notes.trim()}</p> : null}
      </section>
    );
  }

  const locked = status.kind === 'sending' || status.kind === 'waiting';
  return (
    <form class="card wrap" aria-labelledby="wrap-title" onSubmit={submit} noValidate>
      <h3 id="wrap-title">{t('wrap.title')}</h3>
      {left !== null ? <p class="muted">{t('wrap.autoLeft', { time: clock(left) })}</p> : null}
      <div class="field">
        <label for="wrap-disposition">{t('wrap.disposition')}</label>
        <select id="wrap-disposition" value={draft.disposition} required disabled={locked} onChange={(e) => change({ ...draft, disposition: e.currentTarget.value })}>
          <option value="">{t('wrap.choose')}</option>
          {dispositions.map((d) => (
            <option value={d} key={d}>
              {code('disposition', d)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="wrap-notes">
          {t('wrap.notes')} <kbd>Alt+N</kbd>
        </label>
        <textarea
          id="wrap-notes"
          rows={5}
          value={draft.notes}
          readOnly={locked}
          aria-keyshortcuts="Alt+N"
          aria-invalid={over > 0 ? true : undefined}
          aria-describedby="wrap-notes-count"
          onInput={(e) => change({ ...draft, notes: e.currentTarget.value })}
        />
        <span id="wrap-notes-count" class={over > 0 ? 'count error' : 'count muted'}>
          {t('wrap.count', { n: notesLength, max: NOTES_MAX })}
        </span>
        {over > 0 ? (
          <p class="error" role="alert">
            {t('wrap.tooLong', { max: NOTES_MAX, over })}
          </p>
        ) : null}
      </div>
      <ErrorNote error={invalid} />
      {status.kind === 'waiting' ? (
        <p class="banner warn" role="alert">
          {t('wrap.waiting')}
        </p>
      ) : null}
      {status.kind === 'failed' ? <ErrorNote error={status.error} /> : null}
      <div class="row">
        <button type="submit" class="primary" disabled={locked || !ended}>
          {status.kind === 'sending' ? t('common.sending') : status.kind === 'failed' ? t('wrap.retry') : t('wrap.save')}
        </button>
        {!ended ? <span class="muted">{t('wrap.notEnded')}</span> : null}
      </div>
    </form>
  );
}
