// Today's follow-ups (and overdue ones): who to call back, with a dial button and "done".
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../shared/i18n.ts';
import type { Api } from '../shared/api.ts';
import { ErrorNote, type ShownError } from '../shared/error-note.tsx';
import { DialButton } from './dial-button.tsx';

interface Due {
  id: number;
  customerId: number;
  customerName: string;
  customerNumber: string;
  dueDate: string;
  note: string;
  overdue: boolean;
}

const REFRESH_MS = 5 * 60_000;

export function FollowUpsToday({ api, version }: { api: Api; version: number }) {
  const { t, fmt } = useI18n();
  const [items, setItems] = useState<Due[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    api<{ date: string; items: Due[] }>('GET', '/v1/follow-ups/today')
      .then((r) => {
        if (!live) return;
        setItems(r.items);
        setError(null);
      })
      .catch((err: ShownError) => live && setError(err));
    const id = window.setInterval(() => setReload((n) => n + 1), REFRESH_MS);
    return () => {
      live = false;
      window.clearInterval(id);
    };
  }, [api, version, reload]);

  const done = async (id: number) => {
    try {
      await api('POST', `/v1/follow-ups/${id}/done`);
      setItems((list) => (list ?? []).filter((f) => f.id !== id));
    } catch (err) {
      setError(err as ShownError);
    }
  };

  return (
    <section class="card" aria-labelledby="today-title">
      <h2 id="today-title">{t('today.title')}</h2>
      <ErrorNote error={error} />
      {items === null ? (
        <p class="muted">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p class="muted">{t('today.none')}</p>
      ) : (
        <ul class="plain follow-ups">
          {items.map((f) => (
            <li key={f.id}>
              <div>
                <strong>{f.customerName}</strong> <span class="muted">{f.customerNumber}</span>
                {f.overdue ? <span class="badge warn">{t('today.overdue')}</span> : null}
              </div>
              <div class="muted">{fmt.date(f.dueDate)}</div>
              <p class="notes-text">{f.note}</p>
              <div class="row">
                <DialButton api={api} target={{ customerId: f.customerId }} label={t('dial.customer', { name: f.customerName })} />
                <button type="button" onClick={() => void done(f.id)} aria-label={t('today.doneLabel', { name: f.customerName })}>
                  {t('today.done')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
