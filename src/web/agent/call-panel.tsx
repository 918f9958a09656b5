// The call area: the current call's pop, tabs for earlier calls whose wrap-up is not saved yet,
// or what the agent can expect when no call is on screen.
import type { Api } from '../shared/api.ts';
import { clearDraft } from '../shared/session.ts';
import { useI18n } from '../shared/i18n.ts';
import { clock } from '../shared/format.ts';
import { secondsSince, useNow } from '../shared/use-now.ts';
import type { DeskCall, DeskState } from './desk-store.ts';
import type { DeskActions } from './use-desk.ts';
import { callerTitle, Identity } from './identity.tsx';
import { MatchPanel } from './match-panel.tsx';
import { Prompts } from './prompts.tsx';
import { WrapUp } from './wrap-up.tsx';
import { CallTools } from './call-tools.tsx';
import { CustomerSections } from './customer-sections.tsx';

export interface CallPanelProps {
  desk: DeskState;
  actions: DeskActions;
  api: Api;
  connections: number;
  onFollowUp: () => void;
}

export function CallPanel({ desk, actions, api, connections, onFollowUp }: CallPanelProps) {
  const { t } = useI18n();
  const active = desk.calls.find((c) => c.id === desk.activeId) ?? null;
  if (!active) {
    const status = desk.state?.status ?? 'logged_out';
    return (
      <section class="call-panel idle" aria-label={t('call.region')}>
        <p class="idle-text">{t(status === 'ready' ? 'call.idleReady' : status === 'not_ready' ? 'call.idleNotReady' : 'call.idleLoggedOut')}</p>
      </section>
    );
  }
  return (
    <section class="call-panel" aria-label={t('call.region')}>
      {desk.calls.length > 1 ? (
        <div role="tablist" class="tabs" aria-label={t('call.tabs')}>
          {desk.calls.map((c) => (
            <button
              type="button"
              role="tab"
              key={c.id}
              aria-selected={c.id === active.id}
              onClick={() => actions.dispatch({ type: 'show', callId: c.id })}
            >
              {callerTitle(c.pop, t)} · {t(`phase.${c.phase}`)}
              {c.phase === 'ended' && !c.wrapped ? ` · ${t('call.unsaved')}` : ''}
            </button>
          ))}
        </div>
      ) : null}
      <CallView key={active.id} call={active} desk={desk} actions={actions} api={api} connections={connections} onFollowUp={onFollowUp} />
    </section>
  );
}

function CallBanner({ call, actions }: { call: DeskCall; actions: DeskActions }) {
  const { t, code } = useI18n();
  const now = useNow();
  let text: string;
  if (call.phase === 'ringing') text = t('phase.ringingLong');
  else if (call.phase === 'on_call') text = t('phase.onCallLong', { time: clock(call.answeredAt ? secondsSince(call.answeredAt, now) : 0) });
  else if (call.phase === 'ended') text = call.wrapped ? t('phase.wrappedLong') : t('phase.endedLong');
  else text = t('phase.goneLong', { reason: call.goneReason ? code('withdrawn', call.goneReason) : t('withdrawn.unknown') });
  return (
    <div class={`call-banner phase-${call.phase}`} role="status" aria-live="assertive">
      <strong>{text}</strong>
      {call.phase === 'ringing' && !call.accepted ? (
        <button type="button" class="primary" aria-keyshortcuts="Alt+A" onClick={() => actions.dispatch({ type: 'accepted', callId: call.id })}>
          {t('call.accept')} <kbd>Alt+A</kbd>
        </button>
      ) : null}
      {call.phase === 'gone' || call.wrapped ? (
        <button
          type="button"
          onClick={() => {
            for (const d of ['wrap', 'customer', 'ticket', 'follow-up']) clearDraft(`${d}.${call.id}`);
            actions.dispatch({ type: 'close', callId: call.id });
          }}
        >
          {t('call.close')}
        </button>
      ) : null}
    </div>
  );
}

function CallView({ call, desk, actions, api, connections, onFollowUp }: { call: DeskCall; desk: DeskState } & Omit<CallPanelProps, 'desk'>) {
  const pop = call.pop;
  const live = call.phase !== 'gone';
  return (
    <article class="pop" aria-labelledby="pop-title" data-call-id={call.id}>
      <CallBanner call={call} actions={actions} />
      <div class="pop-grid">
        <div class="pop-main">
          <Identity pop={pop} api={api} />
          {live ? <MatchPanel call={call} actions={actions} api={api} /> : null}
          {pop.customer ? <CustomerSections customer={pop.customer} /> : null}
        </div>
        <div class="pop-work">
          {live && pop.customer && pop.prompts.length > 0 ? <Prompts call={call} actions={actions} /> : null}
          {live ? <WrapUp call={call} desk={desk} actions={actions} connections={connections} /> : null}
          {live && pop.customer ? <CallTools call={call} customerId={pop.customer.id} actions={actions} onFollowUp={onFollowUp} /> : null}
        </div>
      </div>
    </article>
  );
}
