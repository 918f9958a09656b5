// What the agent does about the match: pick one of several customers sharing the number, complete
// the provisional contact made for an unknown number, or hear that the number was withheld.
import { useState } from 'preact/hooks';
import { useI18n } from '../shared/i18n.ts';
import { ErrorNote, type ShownError } from '../shared/error-note.tsx';
import type { Api } from '../shared/api.ts';
import type { DeskCall } from './desk-store.ts';
import type { DeskActions } from './use-desk.ts';
import { Badges } from './identity.tsx';
import { ProvisionalForm } from './provisional-form.tsx';

export function MatchPanel({ call, actions, api }: { call: DeskCall; actions: DeskActions; api: Api }) {
  const { t } = useI18n();
  const pop = call.pop;
  const notices = [];
  if (pop.call.withheld) notices.push(<p class="notice" key="withheld">{t('match.withheldNotice')}</p>);
  if (!pop.historyAvailable) notices.push(<p class="notice warn" key="unavailable" role="alert">{t('match.unavailableNotice')}</p>);
  return (
    <>
      {notices}
      {pop.match.outcome === 'multiple' ? <Picker call={call} actions={actions} /> : null}
      {pop.customer?.provisional ? <ProvisionalForm call={call} customer={pop.customer} actions={actions} api={api} /> : null}
      {pop.match.outcome === 'none' && !pop.customer ? <ProvisionalForm call={call} customer={null} actions={actions} api={api} /> : null}
    </>
  );
}

function Picker({ call, actions }: { call: DeskCall; actions: DeskActions }) {
  const { t } = useI18n();
  const chosen = call.pop.customer?.id ?? null;
  const [open, setOpen] = useState(chosen === null);
  const [sending, setSending] = useState<number | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const candidates = call.pop.match.candidates;

  const pick = async (id: number) => {
    setSending(id);
    setError(null);
    const res = await actions.linkCustomer(call.id, id);
    setSending(null);
    if (res.ok) setOpen(false);
    else setError(res.error);
  };

  if (!open) {
    return (
      <p class="notice">
        {t('picker.chosen', { n: candidates.length })}{' '}
        <button type="button" class="link" onClick={() => setOpen(true)}>
          {t('picker.change')}
        </button>
      </p>
    );
  }
  return (
    <section class="picker" aria-labelledby="picker-title">
      <h3 id="picker-title">{t('picker.title', { n: candidates.length })}</h3>
      <p class="muted">{t('picker.hint')}</p>
      <ul class="candidates">
        {candidates.map((c) => (
          <li key={c.id} class={c.id === chosen ? 'chosen' : undefined}>
            <div>
              <strong>{c.displayName}</strong>
              {c.companyName && c.companyName !== c.displayName ? <span class="muted"> · {c.companyName}</span> : null}
              <div class="muted">
                {c.customerNumber} · {t('picker.phoneLabel', { label: c.phoneLabel })}
              </div>
              <Badges customer={{ valueSegment: c.valueSegment, kind: 'person', provisional: false }} />
            </div>
            <button
              type="button"
              class="primary"
              disabled={sending !== null}
              aria-label={t('picker.pickLabel', { name: c.displayName, number: c.customerNumber })}
              onClick={() => void pick(c.id)}
            >
              {sending === c.id ? t('common.sending') : c.id === chosen ? t('picker.isChosen') : t('picker.pick')}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote error={error} />
    </section>
  );
}
