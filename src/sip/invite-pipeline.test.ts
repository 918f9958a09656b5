import { describe, expect, it } from 'vitest';
import { reusedCallIdKey } from './invite-pipeline.ts';

describe('reusedCallIdKey', () => {
  it('keys a new call on a reused Call-ID by the caller\'s From tag', () => {
    expect(reusedCallIdKey('abc@pbx', '"Ada" <sip:+1@pbx>;tag=f6')).toBe('abc@pbx;from-tag=f6');
    expect(reusedCallIdKey('abc@pbx', '<sip:+1@pbx> ; TAG = x1;foo=bar')).toBe('abc@pbx;from-tag=x1');
    expect(reusedCallIdKey('abc@pbx', '<sip:+1@pbx>')).toBe('abc@pbx;from-tag=none');
    expect(reusedCallIdKey('abc@pbx', undefined)).toBe('abc@pbx;from-tag=none');
  });
});
