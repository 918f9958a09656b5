import { describe, expect, it } from 'vitest';
import { FOLLOW_UP_NOTE_MAX, NOTES_MAX, TICKET_DESCRIPTION_MAX, TICKET_SUBJECT_MAX } from './limits.ts';
import { NOTES_MAX as SERVER_NOTES_MAX } from '../../calls/call-writeback.service.ts';
import { FollowUpBody, TicketBody, WrapUpBody } from '../../calls/writeback.schemas.ts';
import { searchQuery } from './search-query.ts';

describe('the desktop checks what the server checks', () => {
  it('uses the same limits as the server', () => {
    expect(NOTES_MAX).toBe(SERVER_NOTES_MAX);
    expect(NOTES_MAX).toBe(WrapUpBody.properties.notes.maxLength);
    expect(TICKET_SUBJECT_MAX).toBe(TicketBody.properties.subject.maxLength);
    expect(TICKET_DESCRIPTION_MAX).toBe(TicketBody.properties.description.maxLength);
    expect(FOLLOW_UP_NOTE_MAX).toBe(FollowUpBody.properties.note.maxLength);
  });

  it('searches by customer number, e-mail, phone or name from what was typed', () => {
    expect(searchQuery('c100001')).toBe('number=C100001&limit=10');
    expect(searchQuery('ada@example.com')).toBe('email=ada%40example.com&limit=10');
    expect(searchQuery('(415) 555-0123')).toBe('phone=%28415%29+555-0123&limit=10');
    expect(searchQuery('王小明')).toBe('q=%E7%8E%8B%E5%B0%8F%E6%98%8E&match=contains&limit=10');
  });
});
