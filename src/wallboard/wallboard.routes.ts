import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import type { WallboardService } from './wallboard.service.ts';

export const METRIC_DEFINITIONS = `
Figures are for **today**: since local midnight in each queue's time zone (\`dayStartedAt\`).

| figure | formula |
|---|---|
| offered | calls that entered the queue (a call that never reached the queue is not offered to it) |
| answered | offered calls an agent answered |
| abandoned | offered calls the caller ended while queued or while an agent's phone rang; listed in \`abandonedCalls\` |
| shortAbandoned | abandoned within the queue's \`shortAbandonSeconds\`; **still counted** in abandoned and in the abandonment rate |
| serviceLevel | answered within \`slThresholdSeconds\` ÷ answered (wait = queue entry → answer, ringing included). Abandoned calls, short or not, are not in it |
| abandonmentRate | abandoned ÷ offered |
| longestWaitSeconds | age of the caller waiting longest right now |
| asaSeconds | mean wait of answered calls |
| ahtSeconds | mean of talk + after-call work (wrap-up) per handled call; screenpop has no hold time yet |
| agentsByState | agents in each state right now; \`secondsInState\` per agent |
`;

export const wallboardRoutes: FastifyPluginAsyncTypebox<{ wallboard: WallboardService }> = async (app, { wallboard }) => {
  app.get(
    '/wallboard',
    {
      preHandler: requireRole('supervisor', 'integrator'),
      schema: {
        tags: ['wallboard'],
        summary: 'The supervisor figures per queue and per agent (the same as the /supervisor socket)',
        description: `${METRIC_DEFINITIONS}\nCaller numbers are masked except for admin keys.`,
      },
    },
    async (req) => wallboard.snapshot(req.actor.role === 'admin'),
  );
};
