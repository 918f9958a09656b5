import { describe, expect, it } from 'vitest';
import { en } from './messages.en.ts';
import { zhCN } from './messages.zh-CN.ts';
import { codeLabel, guessLocale, translate } from './i18n.ts';
import { clock, formatters } from './format.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('interface text', () => {
  it('has every English text in Simplified Chinese, with the same placeholders', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const zh = zhCN[key as keyof typeof en];
      expect(zh.trim(), key).not.toBe('');
      expect(placeholders(zh), key).toEqual(placeholders(text));
    }
  });

  it('is written in Chinese characters, not left in English', () => {
    const untranslated = Object.entries(zhCN).filter(([, v]) => !/[\u4e00-\u9fff]/.test(v) && !/^(VIP|☎)/.test(v));
    expect(untranslated).toEqual([]);
  });

  it('fills placeholders and names server codes, showing unknown codes as they are', () => {
    expect(translate('en', 'wrap.count', { n: 12, max: 5000 })).toBe('12 / 5000 characters');
    expect(codeLabel('zh-CN', 'disposition', 'resolved')).toBe('已解决');
    expect(codeLabel('en', 'disposition', 'escalated-to-legal')).toBe('escalated-to-legal');
  });

  it('starts in the language chosen here before, else the browser language', () => {
    expect(guessLocale('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(guessLocale(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(guessLocale('fr', ['de-DE'])).toBe('en');
  });
});

describe('formatting in the chosen locale', () => {
  it('shows money, dates and clocks the way each locale writes them', () => {
    expect(formatters('en').money('850000', 'USD')).toBe('$850,000.00');
    expect(formatters('zh-CN').money('850000', 'CNY')).toBe('¥850,000.00');
    expect(formatters('en').money(12.5, 'XYZ1')).toBe('12.50 XYZ1');
    expect(formatters('zh-CN').date('2025-03-01')).toBe('2025年3月1日');
    expect(formatters('en').date('2025-03-01')).toBe('Mar 1, 2025');
    expect(clock(65)).toBe('1:05');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(-3)).toBe('0:00');
  });
});
