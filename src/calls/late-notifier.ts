import type { CallNotifier } from './call.types.ts';

/**
 * The call service is made before the HTTP server that socket.io attaches to; until then (and in
 * command-line tools) there are no desktops to tell, so notifications go nowhere.
 */
export function lateNotifier(): CallNotifier & { target: CallNotifier | null } {
  const n = {
    target: null as CallNotifier | null,
    pop: (agentId: string, pop: Parameters<CallNotifier['pop']>[1]) => n.target?.pop(agentId, pop) ?? Promise.resolve(false),
    withdraw: (...a: Parameters<CallNotifier['withdraw']>) => n.target?.withdraw(...a),
    answered: (...a: Parameters<CallNotifier['answered']>) => n.target?.answered(...a),
    ended: (...a: Parameters<CallNotifier['ended']>) => n.target?.ended(...a),
    customerLinked: (...a: Parameters<CallNotifier['customerLinked']>) => n.target?.customerLinked(...a),
    agentState: (...a: Parameters<CallNotifier['agentState']>) => n.target?.agentState(...a),
    boardChanged: () => n.target?.boardChanged(),
  };
  return n;
}
