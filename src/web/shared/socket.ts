// One socket.io connection per page. It reconnects by itself after a network drop; the page
// watches `status` and shows it. A refused key (or a key revoked while connected) ends it.
import { io, type Socket } from 'socket.io-client';
import { useEffect, useState } from 'preact/hooks';

export type LinkStatus = 'connecting' | 'connected' | 'reconnecting' | 'refused';

export interface Refusal {
  code: string;
  message: string;
}

export function openSocket<S extends object, C extends object>(namespace: '/agent' | '/supervisor', token: string): Socket<S, C> {
  // WebSocket only: same origin, no long-polling fallback to fail noisily behind a dropping network.
  return io(namespace, { auth: { token }, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 4000 }) as unknown as Socket<S, C>;
}

/** The link's state for the header, and the reason when the server refused the key. */
export function useLink(socket: Socket | null): { status: LinkStatus; refusal: Refusal | null } {
  const [status, setStatus] = useState<LinkStatus>('connecting');
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  useEffect(() => {
    if (!socket) return;
    const onConnect = () => setStatus('connected');
    const onDisconnect = (reason: string) => {
      // The server closed this socket on purpose (key revoked, server restarting): try again once;
      // a refused key then ends in connect_error below.
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1000);
      setStatus('reconnecting');
    };
    const onError = (err: Error & { data?: { code?: string; retryAfter?: number } }) => {
      if (socket.active) {
        setStatus('reconnecting'); // a network problem: socket.io keeps trying
        return;
      }
      // Too many wrong keys from this address (a shared office address, say): not this key's
      // fault, so try again once the address may, instead of staying refused until a reload.
      if (err.data?.code === 'RATE_LIMITED') {
        setStatus('reconnecting');
        setTimeout(() => socket.connect(), Math.max(1, err.data.retryAfter ?? 5) * 1000);
        return;
      }
      setRefusal({ code: err.data?.code ?? 'UNAUTHENTICATED', message: err.message });
      setStatus('refused');
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onError);
    if (socket.connected) setStatus('connected');
    return () => {
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onError);
    };
  }, [socket]);
  return { status, refusal };
}

export type AckLike<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: unknown } };

/**
 * Sends an event and waits for its acknowledgement. Never resolves ok without the server's ack:
 * OFFLINE when there is no connection to send on, TIMEOUT when no answer came in time (the
 * server may or may not have it; resending is safe, the server refuses doubles with CONFLICT).
 */
export function request<T>(socket: Socket, event: string, payload: unknown, timeoutMs = 10_000): Promise<AckLike<T>> {
  if (!socket.connected) return Promise.resolve({ ok: false, error: { code: 'OFFLINE', message: 'not connected' } });
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, res: AckLike<T>) => {
      resolve(err ? { ok: false, error: { code: socket.connected ? 'TIMEOUT' : 'OFFLINE', message: err.message } } : res);
    });
  });
}
