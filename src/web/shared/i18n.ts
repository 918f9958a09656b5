// The interface language: English or Simplified Chinese. Every visible string goes through t().
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type MessageKey } from './messages.en.ts';
import { zhCN } from './messages.zh-CN.ts';
import { formatters, type Formatters } from './format.ts';

export type Locale = 'en' | 'zh-CN';
export type { MessageKey };
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

const dictionaries: Record<Locale, Readonly<Record<MessageKey, string>>> = { en, 'zh-CN': zhCN };

export function isLocale(x: unknown): x is Locale {
  return x === 'en' || x === 'zh-CN';
}

/** The language before anyone signed in: the last one chosen here, else the browser's. */
export function guessLocale(saved: string | null, browser: readonly string[]): Locale {
  if (isLocale(saved)) return saved;
  return browser.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export type Params = Readonly<Record<string, string | number>>;

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const text = dictionaries[locale][key] ?? en[key];
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
}

/**
 * A code from the server (disposition, reason, status, ...) in words: the dictionary's
 * `group.code` when it has one, otherwise the code itself (codes are configurable).
 */
export function codeLabel(locale: Locale, group: string, code: string): string {
  const key = `${group}.${code}`;
  return key in en ? translate(locale, key as MessageKey) : code;
}

export interface I18n {
  locale: Locale;
  t: (key: MessageKey, params?: Params) => string;
  code: (group: string, code: string) => string;
  fmt: Formatters;
}

export function makeI18n(locale: Locale): I18n {
  return {
    locale,
    t: (key, params) => translate(locale, key, params),
    code: (group, code) => codeLabel(locale, group, code),
    fmt: formatters(locale),
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en'));
export const useI18n = () => useContext(I18nContext);
