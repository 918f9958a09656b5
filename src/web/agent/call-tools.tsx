// From the call: open a ticket, schedule a follow-up. Both are stored with the call's id.
import { useState } from 'preact/hooks';
import type { TicketCategory, TicketPriority } from '../../db/schema.ts';
import { useI18n } from '../shared/i18n.ts';
import { ErrorNote, type ShownError } from '../shared/error-note.tsx';
import { loadDraft, saveDraft, clearDraft } from '../shared/session.ts';
import type { DeskCall } from './desk-store.ts';
import type { DeskActions } from './use-desk.ts';
import { FOLLOW_UP_NOTE_MAX, TICKET_DESCRIPTION_MAX, TICKET_SUBJECT_MAX } from './limits.ts';

const CATEGORIES: readonly TicketCategory[] = ['question', 'request', 'fault', 'billing', 'complaint', 'other'];
const PRIORITIES: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

function tomorrow(): string {
  const d = new Date(Date.now() + 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A small form whose fields survive a reload, with the server's answer shown under it. */
function useForm<T extends object>(id: string, initial: T) {
  const [values, setValues] = useState<T>(() => ({ ...initial, ...(loadDraft<T>(id) ?? {}) }));
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = <K extends keyof T>(k: K, v: T[K]) => {
    const next = { ...values, [k]: v };
    setValues(next);
    saveDraft(id, next);
    setDone(null);
  };
  const run = async (fn: () => Promise<{ ok: true; data: unknown } | { ok: false; error: ShownError }>, success: (data: never) => string) => {
    setSending(true);
    setError(null);
    const res = await fn();
    setSending(false);
    if (!res.ok) return setError(res.error);
    clearDraft(id);
    setValues(initial);
    setDone(success(res.data as never));
  };
  return { values, set, sending, error, setError, done, run };
}

/** How every form here ends: the server's refusal or the success message, then the submit button. */
function FormFooter({ form, label }: { form: { error: ShownError | null; done: string | null; sending: boolean }; label: string }) {
  const { t } = useI18n();
  return (
    <>
      <ErrorNote error={form.error} />
      {form.done ? (
        <p class="ok" role="status">
          {form.done}
        </p>
      ) : null}
      <button type="submit" disabled={form.sending}>
        {form.sending ? t('common.sending') : label}
      </button>
    </>
  );
}

export function CallTools({ call, customerId, actions, onFollowUp }: { call: DeskCall; customerId: number; actions: DeskActions; onFollowUp: () => void }) {
  return (
    <>
      <TicketForm call={call} customerId={customerId} actions={actions} />
      <FollowUpForm call={call} customerId={customerId} actions={actions} onFollowUp={onFollowUp} />
    </>
  );
}

function TicketForm({ call, customerId, actions }: { call: DeskCall; customerId: number; actions: DeskActions }) {
  const { t } = useI18n();
  const f = useForm(`ticket.${call.id}`, { subject: '', category: 'question' as TicketCategory, priority: 'normal' as TicketPriority, description: '' });
  const submit = (e: Event) => {
    e.preventDefault();
    const v = f.values;
    if (!v.subject.trim()) return f.setError({ code: 'VALIDATION_FAILED', message: t('ticket.subjectRequired') });
    if (v.subject.trim().length > TICKET_SUBJECT_MAX || v.description.trim().length > TICKET_DESCRIPTION_MAX) return f.setError({ code: 'VALIDATION_FAILED', message: t('ticket.tooLong') });
    void f.run(
      () => actions.createTicket({ customerId, callId: call.id, subject: v.subject.trim(), category: v.category, priority: v.priority, ...(v.description.trim() ? { description: v.description.trim() } : {}) }),
      (d: { id: number }) => t('ticket.created', { id: d.id }),
    );
  };
  return (
    <details class="card">
      <summary>{t('ticket.title')}</summary>
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="ticket-subject">{t('ticket.subject')}</label>
          <input id="ticket-subject" value={f.values.subject} onInput={(e) => f.set('subject', e.currentTarget.value)} />
        </div>
        <div class="form-grid">
          <div class="field">
            <label for="ticket-category">{t('ticket.category')}</label>
            <select id="ticket-category" value={f.values.category} onChange={(e) => f.set('category', e.currentTarget.value as TicketCategory)}>
              {CATEGORIES.map((c) => (
                <option value={c} key={c}>
                  {t(`category.${c}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="ticket-priority">{t('ticket.priority')}</label>
            <select id="ticket-priority" value={f.values.priority} onChange={(e) => f.set('priority', e.currentTarget.value as TicketPriority)}>
              {PRIORITIES.map((p) => (
                <option value={p} key={p}>
                  {t(`priority.${p}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="field">
          <label for="ticket-description">{t('ticket.description')}</label>
          <textarea id="ticket-description" rows={3} value={f.values.description} onInput={(e) => f.set('description', e.currentTarget.value)} />
        </div>
        <FormFooter form={f} label={t('ticket.create')} />
      </form>
    </details>
  );
}

function FollowUpForm({ call, customerId, actions, onFollowUp }: { call: DeskCall; customerId: number; actions: DeskActions; onFollowUp: () => void }) {
  const { t, fmt } = useI18n();
  const f = useForm(`follow-up.${call.id}`, { dueDate: tomorrow(), note: '' });
  const submit = (e: Event) => {
    e.preventDefault();
    const v = f.values;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.dueDate)) return f.setError({ code: 'VALIDATION_FAILED', message: t('followUp.dateRequired') });
    if (!v.note.trim()) return f.setError({ code: 'VALIDATION_FAILED', message: t('followUp.noteRequired') });
    if (v.note.trim().length > FOLLOW_UP_NOTE_MAX) return f.setError({ code: 'VALIDATION_FAILED', message: t('followUp.tooLong') });
    void f.run(
      async () => {
        const res = await actions.createFollowUp({ customerId, callId: call.id, dueDate: v.dueDate, note: v.note.trim() });
        if (res.ok) onFollowUp();
        return res;
      },
      () => t('followUp.created', { date: fmt.date(v.dueDate) }),
    );
  };
  return (
    <details class="card">
      <summary>{t('followUp.title')}</summary>
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="follow-up-date">{t('followUp.date')}</label>
          <input id="follow-up-date" type="date" value={f.values.dueDate} onInput={(e) => f.set('dueDate', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="follow-up-note">{t('followUp.note')}</label>
          <textarea id="follow-up-note" rows={2} value={f.values.note} onInput={(e) => f.set('note', e.currentTarget.value)} />
        </div>
        <FormFooter form={f} label={t('followUp.create')} />
      </form>
    </details>
  );
}
