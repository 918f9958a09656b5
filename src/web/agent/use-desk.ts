// The agent's live connection: the socket, the desk state it feeds, and the actions the desktop
// sends (each one answered by the server's acknowledgement, never assumed).
import { useEffect, useMemo, useReducer, useState } from 'preact/hooks';
import type { Socket } from 'socket.io-client';
import type { AgentClientEvents, AgentServerEvents, AgentStateView, FollowUpInput, SetStateInput, TicketInput } from '../../realtime/events.ts';
import type { PopCustomer, PopPrompt } from '../../pop/pop.types.ts';
import type { PromptOutcome } from '../../db/schema.ts';
import { openSocket, request, useLink, type AckLike, type LinkStatus, type Refusal } from '../shared/socket.ts';
import { deskReducer, emptyDesk, type DeskAction, type DeskState } from './desk-store.ts';

type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;

export interface DeskActions {
  setState(input: SetStateInput): Promise<AckLike<AgentStateView>>;
  linkCustomer(callId: string, customerId: number): Promise<AckLike<{ customer: PopCustomer | null; prompts: readonly PopPrompt[] }>>;
  wrapUp(callId: string, disposition: string, notes: string): Promise<AckLike<{ callId: string; disposition: string }>>;
  promptOutcome(callId: string, ruleId: number, outcome: PromptOutcome): Promise<AckLike<unknown>>;
  createTicket(input: TicketInput): Promise<AckLike<{ id: number }>>;
  createFollowUp(input: FollowUpInput): Promise<AckLike<{ id: number }>>;
  dispatch(action: DeskAction): void;
}

export interface Desk {
  desk: DeskState;
  link: LinkStatus;
  refusal: Refusal | null;
  /** Bumped on every (re)connection: work waiting for the connection resends then. */
  connections: number;
  actions: DeskActions;
}

export function useDesk(token: string): Desk {
  const socket = useMemo(() => openSocket<AgentServerEvents, AgentClientEvents>('/agent', token), [token]);
  const [desk, dispatch] = useReducer(deskReducer, emptyDesk);
  const [connections, setConnections] = useState(0);
  const { status, refusal } = useLink(socket as unknown as Socket);

  useEffect(() => {
    socket.on('agent:hello', (hello) => {
      dispatch({ type: 'hello', hello });
      setConnections((n) => n + 1);
    });
    socket.on('agent:state', (state) => dispatch({ type: 'state', state }));
    socket.on('call:offered', (pop, ack) => {
      dispatch({ type: 'offered', pop });
      // The server counts a pop as shown once a desktop acknowledges it.
      if (typeof ack === 'function') ack();
    });
    socket.on('call:withdrawn', (e) => dispatch({ type: 'withdrawn', callId: e.callId, reason: e.reason }));
    socket.on('call:answered', (e) => dispatch({ type: 'answered', callId: e.callId, at: e.at }));
    socket.on('call:ended', (e) => dispatch({ type: 'ended', callId: e.callId, at: e.at, wrapUpUntil: e.wrapUpUntil }));
    socket.on('call:customer', (e) => dispatch({ type: 'customer', callId: e.callId, customer: e.customer, prompts: e.prompts }));
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [socket]);

  const actions = useMemo<DeskActions>(() => {
    const s = socket as unknown as Socket;
    return {
      setState: (input) => request(s, 'agent:set-state', input),
      linkCustomer: async (callId, customerId) => {
        const res = await request<{ customer: PopCustomer | null; prompts: readonly PopPrompt[] }>(s, 'call:link-customer', { callId, customerId });
        if (res.ok) dispatch({ type: 'customer', callId, customer: res.data.customer, prompts: res.data.prompts });
        return res;
      },
      wrapUp: async (callId, disposition, notes) => {
        const res = await request<{ callId: string; disposition: string }>(s, 'call:wrap-up', { callId, disposition, ...(notes ? { notes } : {}) });
        if (res.ok) dispatch({ type: 'wrapped', callId });
        return res;
      },
      promptOutcome: async (callId, ruleId, outcome) => {
        const res = await request(s, 'prompt:outcome', { callId, ruleId, outcome });
        if (res.ok) dispatch({ type: 'outcome', callId, ruleId, outcome });
        return res;
      },
      createTicket: (input) => request(s, 'ticket:create', input),
      createFollowUp: (input) => request(s, 'follow-up:create', input),
      dispatch,
    };
  }, [socket]);

  return { desk, link: status, refusal, connections, actions };
}
