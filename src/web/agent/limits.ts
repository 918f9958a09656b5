// Limits the server enforces, checked here first so the agent hears at once and nothing is cut
// silently (a unit test keeps them equal to src/calls/writeback.schemas.ts and the wrap-up service).
export const NOTES_MAX = 5000;
export const TICKET_SUBJECT_MAX = 200;
export const TICKET_DESCRIPTION_MAX = 5000;
export const FOLLOW_UP_NOTE_MAX = 2000;
