// A ringing call is heard and seen: a short two-tone ring (Web Audio, no sound file) and the tab
// title flashing, until the agent takes the pop or the call stops ringing.
import { useEffect } from 'preact/hooks';

let audio: AudioContext | null = null;

/** Browsers only let a page make sound after a click or key press: open the audio then. */
function unlock() {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    audio = null; // no Web Audio: the title still flashes
  }
}
if (typeof document !== 'undefined') {
  document.addEventListener('pointerdown', unlock, { capture: true });
  document.addEventListener('keydown', unlock, { capture: true });
}

function ring() {
  if (!audio || audio.state !== 'running') return;
  const start = audio.currentTime;
  for (const [i, freq] of [440, 480, 440, 480].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start + i * 0.2);
    gain.gain.exponentialRampToValueAtTime(0.15, start + i * 0.2 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.2 + 0.18);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + i * 0.2);
    osc.stop(start + i * 0.2 + 0.2);
  }
}

/** While `flashTitle` is set the title alternates with it, and the ring sounds every 3 s unless muted. */
export function useRinger(flashTitle: string | null, baseTitle: string, muted: boolean): void {
  useEffect(() => {
    document.title = baseTitle;
    if (!flashTitle) return;
    let tick = 0;
    if (!muted) ring();
    const id = window.setInterval(() => {
      tick++;
      document.title = tick % 2 ? flashTitle : baseTitle;
      if (!muted && tick % 3 === 0) ring();
    }, 1000);
    document.title = flashTitle;
    return () => {
      window.clearInterval(id);
      document.title = baseTitle;
    };
  }, [flashTitle, baseTitle, muted]);
}
