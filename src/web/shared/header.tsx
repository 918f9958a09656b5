import type { ComponentChildren } from 'preact';
import { LOCALES, useI18n, type Locale } from './i18n.ts';
import type { LinkStatus } from './socket.ts';

export interface HeaderProps {
  title: string;
  who?: string | null;
  link?: LinkStatus | null;
  onLocale: (l: Locale) => void;
  onSignOut?: () => void;
  children?: ComponentChildren;
}

const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

export function Header({ title, who, link, onLocale, onSignOut, children }: HeaderProps) {
  const { t, locale } = useI18n();
  return (
    <header class="top">
      <span class="brand">{title}</span>
      {who ? <span class="who">{who}</span> : null}
      {link ? (
        <span class={`link link-${link}`} role="status" aria-live="polite">
          {t(`link.${link}`)}
        </span>
      ) : null}
      <span class="spacer" />
      {children}
      <label class="inline">
        <span>{t('header.language')}</span>
        <select value={locale} onChange={(e) => onLocale(e.currentTarget.value as Locale)}>
          {LOCALES.map((l) => (
            <option value={l} lang={l} key={l}>
              {LOCALE_NAMES[l]}
            </option>
          ))}
        </select>
      </label>
      {onSignOut ? (
        <button type="button" onClick={onSignOut}>
          {t('header.signOut')}
        </button>
      ) : null}
    </header>
  );
}
