// Where the browser keeps what it remembers: the API key (this tab only, unless the user asks to be
// remembered on this computer), the language before sign-in, the sound and TV-mode switches.
export type Seat = 'agent' | 'supervisor';

const keyName = (seat: Seat) => `screenpop.${seat}.key`;

function store(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // storage disabled by policy: the user signs in every time
  }
}

export function loadKey(seat: Seat): string | null {
  return store('session')?.getItem(keyName(seat)) ?? store('local')?.getItem(keyName(seat)) ?? null;
}

export function saveKey(seat: Seat, key: string, remember: boolean): void {
  clearKey(seat);
  store(remember ? 'local' : 'session')?.setItem(keyName(seat), key);
}

export function clearKey(seat: Seat): void {
  store('session')?.removeItem(keyName(seat));
  store('local')?.removeItem(keyName(seat));
}

export function loadSetting(name: string): string | null {
  return store('local')?.getItem(`screenpop.${name}`) ?? null;
}

export function saveSetting(name: string, value: string): void {
  store('local')?.setItem(`screenpop.${name}`, value);
}

/** Drafts (wrap-up notes, forms) survive a reload of the tab: nothing typed is lost to F5. */
export function loadDraft<T>(id: string): T | null {
  const raw = store('session')?.getItem(`screenpop.draft.${id}`);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

export function saveDraft(id: string, value: unknown): void {
  try {
    store('session')?.setItem(`screenpop.draft.${id}`, JSON.stringify(value));
  } catch {
    // quota full: the draft still lives in memory
  }
}

export function clearDraft(id: string): void {
  store('session')?.removeItem(`screenpop.draft.${id}`);
}
