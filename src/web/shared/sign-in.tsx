// Sign-in with an API key. The key is checked by connecting: a refused key comes back here with
// the server's reason.
import { useState } from 'preact/hooks';
import { useI18n } from './i18n.ts';
import { errorText, type ShownError } from './error-note.tsx';

export interface SignInProps {
  title: string;
  hint: string;
  refused: ShownError | null;
  onSignIn: (key: string, remember: boolean) => void;
}

export function SignIn({ title, hint, refused, onSignIn }: SignInProps) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [remember, setRemember] = useState(false);
  const [missing, setMissing] = useState(false);
  const submit = (e: Event) => {
    e.preventDefault();
    const k = key.trim();
    if (!k) {
      setMissing(true);
      return;
    }
    onSignIn(k, remember);
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">{title}</h1>
        <p class="muted">{hint}</p>
        <label for="api-key">{t('signIn.key')}</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={key}
          aria-invalid={missing || refused ? true : undefined}
          aria-describedby={missing || refused ? 'sign-in-error' : undefined}
          onInput={(e) => {
            setKey(e.currentTarget.value);
            setMissing(false);
          }}
        />
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          {t('signIn.remember')}
        </label>
        {missing ? (
          <p class="error" role="alert" id="sign-in-error">
            {t('signIn.missing')}
          </p>
        ) : refused ? (
          <p class="error" role="alert" id="sign-in-error">
            {errorText(t, refused)}
          </p>
        ) : null}
        <button type="submit" class="primary">
          {t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
