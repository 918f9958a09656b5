// Click-to-dial: asks the server to place the call (POST /v1/calls/dial) and shows what it said.
import { useState } from 'preact/hooks';
import { useI18n } from '../shared/i18n.ts';
import { ApiError, type Api } from '../shared/api.ts';
import { errorText } from '../shared/error-note.tsx';

export function DialButton({ api, target, label }: { api: Api; target: { customerId: number } | { number: string }; label: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<{ kind: 'idle' | 'dialling' | 'placed' } | { kind: 'failed'; text: string }>({ kind: 'idle' });
  const dial = async () => {
    setState({ kind: 'dialling' });
    try {
      await api('POST', '/v1/calls/dial', target);
      setState({ kind: 'placed' });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('NETWORK', String(err), 0);
      // A server without the dial route (no telephony side yet) says so plainly.
      const text = e.status === 404 && e.code === 'NOT_FOUND' ? t('dial.notAvailable') : errorText(t, e);
      setState({ kind: 'failed', text });
    }
  };
  return (
    <span class="dial">
      <button type="button" onClick={() => void dial()} disabled={state.kind === 'dialling'} aria-label={label}>
        {t('dial.button')}
      </button>
      <span role="status" class={state.kind === 'failed' ? 'error' : 'muted'}>
        {state.kind === 'dialling' ? t('dial.dialling') : state.kind === 'placed' ? t('dial.placed') : state.kind === 'failed' ? state.text : ''}
      </span>
    </span>
  );
}
