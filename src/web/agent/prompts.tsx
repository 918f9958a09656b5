// Cross-sell offers for this customer, each answered accept / decline / later (stored per call).
import { useState } from 'preact/hooks';
import type { PromptOutcome } from '../../db/schema.ts';
import { useI18n } from '../shared/i18n.ts';
import { ErrorNote, type ShownError } from '../shared/error-note.tsx';
import type { DeskCall } from './desk-store.ts';
import type { DeskActions } from './use-desk.ts';

const OUTCOMES: readonly PromptOutcome[] = ['accepted', 'declined', 'later'];

export function Prompts({ call, actions }: { call: DeskCall; actions: DeskActions }) {
  const { t } = useI18n();
  return (
    <section class="card prompts" aria-labelledby="prompts-title">
      <h3 id="prompts-title">{t('prompts.title')}</h3>
      {call.pop.prompts.map((p) => (
        <Prompt key={p.ruleId} call={call} ruleId={p.ruleId} name={p.productName} script={p.script} actions={actions} />
      ))}
    </section>
  );
}

function Prompt({ call, ruleId, name, script, actions }: { call: DeskCall; ruleId: number; name: string; script: string; actions: DeskActions }) {
  const { t } = useI18n();
  const [sending, setSending] = useState<PromptOutcome | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const outcome = call.outcomes[ruleId];
  const send = async (o: PromptOutcome) => {
    setSending(o);
    setError(null);
    const res = await actions.promptOutcome(call.id, ruleId, o);
    setSending(null);
    if (!res.ok) setError(res.error);
  };
  const headingId = `prompt-${ruleId}`;
  return (
    <div class="prompt" role="group" aria-labelledby={headingId}>
      <h4 id={headingId}>{name}</h4>
      <p class="script">{script}</p>
      <div class="row">
        {OUTCOMES.map((o) => (
          <button type="button" key={o} aria-pressed={outcome === o} disabled={sending !== null} class={outcome === o ? 'chosen' : undefined} onClick={() => void send(o)}>
            {sending === o ? t('common.sending') : t(`prompt.${o}`)}
          </button>
        ))}
      </div>
      {outcome ? (
        <p class="ok" role="status">
          {t('prompts.saved', { outcome: t(`prompt.${outcome}`) })}
        </p>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}
