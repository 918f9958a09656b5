// An unknown number: screenpop made a provisional contact with the caller's number; the agent asks
// who is calling and completes it (or creates one when even that was not possible).
import { useState } from 'preact/hooks';
import type { PopCustomer } from '../../pop/pop.types.ts';
import { useI18n } from '../shared/i18n.ts';
import { ApiError, type Api } from '../shared/api.ts';
import { ErrorNote, type ShownError } from '../shared/error-note.tsx';
import { clearDraft, loadDraft, saveDraft } from '../shared/session.ts';
import type { DeskCall } from './desk-store.ts';
import type { DeskActions } from './use-desk.ts';

interface Fields {
  displayName: string;
  firstName: string;
  lastName: string;
  companyName: string;
  language: string;
  notes: string;
}

const LIMITS: Record<keyof Fields, number> = { displayName: 200, firstName: 100, lastName: 100, companyName: 200, language: 35, notes: 4000 };

export function ProvisionalForm({ call, customer, actions, api }: { call: DeskCall; customer: PopCustomer | null; actions: DeskActions; api: Api }) {
  const { t } = useI18n();
  const draftId = `customer.${call.id}`;
  const [f, setF] = useState<Fields>(
    () =>
      loadDraft<Fields>(draftId) ?? {
        displayName: customer?.displayName ?? call.pop.call.callerName ?? '',
        firstName: customer?.firstName ?? '',
        lastName: customer?.lastName ?? '',
        companyName: customer?.companyName ?? '',
        language: customer?.language ?? '',
        notes: customer?.notes ?? '',
      },
  );
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [duplicate, setDuplicate] = useState(false);

  const set = (k: keyof Fields, v: string) => {
    const next = { ...f, [k]: v };
    setF(next);
    saveDraft(draftId, next);
  };
  const tooLong = (Object.keys(LIMITS) as (keyof Fields)[]).find((k) => f[k].length > LIMITS[k]);

  const submit = async (e: Event, force = false) => {
    e.preventDefault();
    if (!f.displayName.trim()) return setError({ code: 'VALIDATION_FAILED', message: t('customer.nameRequired') });
    if (tooLong) return setError({ code: 'VALIDATION_FAILED', message: t('customer.tooLong', { field: t(`customer.${tooLong}`), max: LIMITS[tooLong] }) });
    setSending(true);
    setError(null);
    const fields: Record<string, string> = { displayName: f.displayName.trim() };
    for (const k of ['firstName', 'lastName', 'companyName', 'language', 'notes'] as const) if (f[k].trim()) fields[k] = f[k].trim();
    try {
      let id: number;
      if (customer) {
        await api('PATCH', `/v1/customers/${customer.id}`, { ...fields, provisional: false });
        id = customer.id;
      } else {
        const number = call.pop.call.from.e164 ?? call.pop.call.from.raw;
        const created = await api<{ id: number }>('POST', `/v1/customers${force ? '?force=true' : ''}`, { ...fields, ...(number ? { phones: [{ number, label: 'caller id' }] } : {}) });
        id = created.id;
      }
      clearDraft(draftId);
      // Linking re-reads the customer for the pop (now complete) and any offers that now apply.
      const linked = await actions.linkCustomer(call.id, id);
      if (!linked.ok) setError(linked.error);
    } catch (err) {
      const e2 = err instanceof ApiError ? err : new ApiError('NETWORK', String(err), 0);
      setDuplicate(e2.code === 'DUPLICATE_CUSTOMER');
      setError(e2);
    } finally {
      setSending(false);
    }
  };

  const field = (k: keyof Fields, multiline = false) => (
    <div class="field">
      <label for={`cust-${k}`}>{t(`customer.${k}`)}</label>
      {multiline ? (
        <textarea id={`cust-${k}`} rows={2} value={f[k]} onInput={(e) => set(k, e.currentTarget.value)} />
      ) : (
        <input id={`cust-${k}`} value={f[k]} required={k === 'displayName'} onInput={(e) => set(k, e.currentTarget.value)} />
      )}
    </div>
  );

  return (
    <form class="card provisional" aria-labelledby="prov-title" onSubmit={(e) => void submit(e)}>
      <h3 id="prov-title">{customer ? t('customer.completeTitle') : t('customer.createTitle')}</h3>
      <p class="muted">{customer ? t('customer.completeHint') : t('customer.createHint')}</p>
      <div class="form-grid">
        {field('displayName')}
        {field('firstName')}
        {field('lastName')}
        {field('companyName')}
        {field('language')}
      </div>
      {field('notes', true)}
      <ErrorNote error={error} />
      <div class="row">
        <button type="submit" class="primary" disabled={sending}>
          {sending ? t('common.sending') : customer ? t('customer.complete') : t('customer.create')}
        </button>
        {duplicate ? (
          <button type="button" disabled={sending} onClick={(e) => void submit(e, true)}>
            {t('customer.createAnyway')}
          </button>
        ) : null}
      </div>
    </form>
  );
}
