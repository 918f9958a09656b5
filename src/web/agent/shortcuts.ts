// Keys that work anywhere on the desktop (Alt + a letter, by physical key so any keyboard layout
// and an input method still reach them): accept, ready, notes, find.
import { useEffect, useRef } from 'preact/hooks';

export interface Shortcuts {
  accept: () => void;
  ready: () => void;
  notes: () => void;
  find: () => void;
}

const KEYS: Record<string, keyof Shortcuts> = { KeyA: 'accept', KeyR: 'ready', KeyN: 'notes', KeyF: 'find' };

export function useShortcuts(handlers: Shortcuts): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const name = KEYS[e.code];
      if (!name) return;
      e.preventDefault();
      ref.current[name]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** Moves focus to an element by id (or after the next paint, when it is only about to appear). */
export function focusById(id: string): void {
  const focus = () => {
    const el = document.getElementById(id);
    if (!el) return false;
    el.focus();
    el.scrollIntoView({ block: 'nearest' });
    return true;
  };
  // At once when it is on screen, so the keys typed right after land in it.
  if (!focus()) requestAnimationFrame(() => void focus());
}
