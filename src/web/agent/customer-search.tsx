// Customer search by name, phone (any format), e-mail or customer number; during a call a result
// can be linked as the caller.
import { useState } from 'preact/hooks';
import type { CustomerSummary } from '../../customers/customer.repository.ts';
import { useI18n } from '../shared/i18n.ts';
import type { Api } from '../shared/api.ts';
import { ErrorNote, type ShownError } from '../shared/error-note.tsx';
import type { DeskCall } from './desk-store.ts';
import type { DeskActions } from './use-desk.ts';
import { DialButton } from './dial-button.tsx';
import { Badges } from './identity.tsx';
import { searchQuery } from './search-query.ts';

/** A search hit as the API sends it (its last contact is not shown here). */
type Found = Omit<CustomerSummary, 'lastContactAt'>;

export function CustomerSearch({ api, call, actions }: { api: Api; call: DeskCall | null; actions: DeskActions }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [found, setFound] = useState<Found[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);
  const [linked, setLinked] = useState<number | null>(null);

  const search = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ items: Found[] }>('GET', `/v1/customers?${searchQuery(text)}`);
      setFound(r.items);
    } catch (err) {
      setError(err as ShownError);
    } finally {
      setBusy(false);
    }
  };

  const link = async (id: number) => {
    if (!call) return;
    setError(null);
    const res = await actions.linkCustomer(call.id, id);
    if (res.ok) setLinked(id);
    else setError(res.error);
  };

  return (
    <section class="card" aria-labelledby="search-title">
      <h2 id="search-title">{t('search.title')}</h2>
      <form class="row" role="search" onSubmit={(e) => void search(e)}>
        <label for="search-input" class="sr-only">
          {t('search.label')}
        </label>
        <input id="search-input" type="search" placeholder={t('search.placeholder')} value={text} aria-keyshortcuts="Alt+F" onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {t('search.submit')}
        </button>
      </form>
      <ErrorNote error={error} />
      {found === null ? null : found.length === 0 ? (
        <p class="muted" role="status">
          {t('search.none')}
        </p>
      ) : (
        <ul class="plain results" aria-label={t('search.results')}>
          {found.map((c) => (
            <li key={c.id}>
              <div>
                <strong>{c.displayName}</strong> <span class="muted">{c.customerNumber}</span>
                {c.companyName && c.companyName !== c.displayName ? <div class="muted">{c.companyName}</div> : null}
                <Badges customer={c} />
              </div>
              <div class="row">
                <DialButton api={api} target={{ customerId: c.id }} label={t('dial.customer', { name: c.displayName })} />
                {call ? (
                  <button type="button" onClick={() => void link(c.id)} disabled={call.pop.customer?.id === c.id} aria-label={t('search.linkLabel', { name: c.displayName })}>
                    {call.pop.customer?.id === c.id ? (linked === c.id ? t('search.linked') : t('search.isCaller')) : t('search.link')}
                  </button>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
