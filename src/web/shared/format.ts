// Dates, times, money and durations in the chosen locale (Intl only; no locale data shipped).
import type { Locale } from './i18n.ts';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Seconds as m:ss, or h:mm:ss from an hour on (a wallboard clock reads the same in any language). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export interface Formatters {
  dateTime(iso: string): string;
  time(iso: string): string;
  /** A date (YYYY-MM-DD or ISO); date-only values are not shifted by the time zone. */
  date(value: string): string;
  money(amount: string | number, currency: string): string;
  number(n: number): string;
  percent(ratio: number): string;
}

export function formatters(locale: Locale): Formatters {
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'medium' });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const dateUtc = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const money = new Map<string, (n: number) => string>();
  const valid = (d: Date) => !Number.isNaN(d.getTime());
  return {
    dateTime: (iso) => (valid(new Date(iso)) ? dateTime.format(new Date(iso)) : iso),
    time: (iso) => (valid(new Date(iso)) ? time.format(new Date(iso)) : iso),
    date: (value) => {
      if (DATE_ONLY.test(value)) return dateUtc.format(new Date(`${value}T00:00:00Z`));
      return valid(new Date(value)) ? date.format(new Date(value)) : value;
    },
    money: (amount, currency) => {
      const n = typeof amount === 'number' ? amount : Number(amount);
      if (!Number.isFinite(n)) return String(amount);
      let f = money.get(currency);
      if (!f) {
        try {
          const nf = new Intl.NumberFormat(locale, { style: 'currency', currency });
          f = (x) => nf.format(x);
        } catch {
          // A currency code Intl does not know: the amount, then the code as stored.
          const nf = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
          f = (x) => `${nf.format(x)} ${currency}`;
        }
        money.set(currency, f);
      }
      return f(n);
    },
    number: (n) => number.format(n),
    percent: (r) => percent.format(r),
  };
}
