import { useI18n, type MessageKey } from './i18n.ts';
import { en } from './messages.en.ts';

export interface ShownError {
  code: string;
  message: string;
}

/** What went wrong, in the agent's language, with the server's own words after it. */
export function errorText(t: (k: MessageKey) => string, e: ShownError): string {
  const key = `error.${e.code}`;
  const head = key in en ? t(key as MessageKey) : t('error.generic');
  // The server's message adds the specifics (which field, which limit); local codes have none.
  const local = ['OFFLINE', 'TIMEOUT', 'NETWORK'].includes(e.code);
  return local || !e.message || e.message.toLowerCase() === head.toLowerCase() ? head : `${head} — ${e.message}`;
}

export function ErrorNote({ error, id }: { error: ShownError | null; id?: string }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p class="error" role="alert" id={id}>
      {errorText(t, error)}
    </p>
  );
}
