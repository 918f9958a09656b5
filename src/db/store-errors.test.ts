import { describe, expect, it } from 'vitest';
import { isTransient } from './store-errors.ts';

describe('isTransient: which store errors the call log retries', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, true],
    [{ code: '08006' }, true], // connection failure
    [{ code: '57P01' }, true], // admin shutdown
    [{ code: '53300' }, true], // too many connections
    [{ code: '57014' }, true], // statement timeout
    [{ code: 'ETIMEDOUT' }, true], // a silent server (StoreTimeoutError)
    [new Error('Connection terminated unexpectedly'), true],
    [new Error('timeout exceeded when trying to connect'), true],
    [{ code: '08P01' }, false], // protocol violation (e.g. too many parameters): the same again fails again
    [{ code: '23505' }, false], // unique violation: retrying cannot help
    [{ code: '23503' }, false], // foreign key
    [{ code: '22P02' }, false], // bad input
    [new Error('something else'), false],
    [null, false],
  ])('%o → %s', (err, transient) => expect(isTransient(err)).toBe(transient));
});
