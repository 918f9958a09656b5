// The demo call center: two queues, two agents, a supervisor, an integrator and a few cross-sell
// rules — made through the services, so every piece has its audit row like real set-up would.
import type { Actor } from '../auth/actor.ts';
import type { ApiKeyService } from '../auth/api-key.service.ts';
import type { CrossSellService, RuleInput } from '../cross-sell/cross-sell.service.ts';
import type { AgentService } from '../routing/agent.service.ts';
import type { QueueInput, QueueService } from '../routing/queue.service.ts';
import type { DemoKeys } from './demo-keys.ts';

export interface DemoCallCenterDeps {
  readonly queues: QueueService;
  readonly agents: AgentService;
  readonly apiKeys: ApiKeyService;
  readonly crossSell: CrossSellService;
}

/** The machine's own zone, so "today" on the demo wallboard starts at the newcomer's midnight. */
function localTimeZone(): string {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return tz && tz !== 'Etc/Unknown' ? tz : 'UTC';
}

const THRESHOLDS = { slThresholdSeconds: 20, shortAbandonSeconds: 5, ringTimeoutSeconds: 15, maxWaitSeconds: 120, wrapUpSeconds: 30 };

export const DEMO_QUEUES: ReadonlyArray<{ id: string; input: Omit<QueueInput, 'timeZone'> }> = [
  // The default queue too: a call to any other number reaches the demo agents instead of an empty queue.
  { id: 'support', input: { name: 'Support', dialledNumbers: ['8000'], skill: 'support', isDefault: true, ...THRESHOLDS } },
  { id: 'sales', input: { name: 'Sales', dialledNumbers: ['8100'], skill: 'sales', ...THRESHOLDS } },
];

export const DEMO_AGENTS = [
  { name: 'Dana Reyes', skills: ['support', 'sales'], team: 'Demo team' },
  { name: 'Sam Okafor', skills: ['support', 'sales'], team: 'Demo team' },
];

// Product codes match the demo customers' holdings (src/customers/demo-seed.ts).
export const DEMO_RULES: RuleInput[] = [
  {
    name: 'Premier customers without a credit card → Platinum card',
    holdsProduct: 'CHK-PREMIER',
    notHoldsProduct: 'CARD-GOLD',
    productCode: 'CARD-PLATINUM',
    productName: 'Platinum credit card',
    script: 'As a Premier client you qualify for our Platinum card: no annual fee in the first year and travel cover included. Shall I send you the details?',
    priority: 10,
  },
  {
    name: 'Portfolio clients of five years or more → Retirement planning review',
    holdsProduct: 'INV-PORTFOLIO',
    minTenureMonths: 60,
    productCode: 'ADV-RETIRE',
    productName: 'Retirement planning review',
    script: 'Your portfolio has been with us a while: would a free retirement planning review with an adviser be useful?',
    priority: 5,
  },
  {
    name: 'Home insurance holders → Contents cover',
    holdsProduct: 'INS-HOME',
    productCode: 'INS-CONTENTS',
    productName: 'Contents insurance',
    script: 'Your home is insured with us but not its contents; adding contents cover costs less as a bundle.',
    priority: 5,
  },
  {
    name: 'Valuable customers → Travel insurance',
    segments: ['gold', 'platinum'],
    minLifetimeValue: 10_000,
    productCode: 'INS-TRAVEL',
    productName: 'Annual travel insurance',
    script: 'Do you travel this year? Our annual travel insurance covers every trip, family included.',
    priority: 1,
  },
];

/** Creates the call center and returns its keys (shown only here: the store keeps hashes). */
export async function seedDemoCallCenter(d: DemoCallCenterDeps, actor: Actor): Promise<Omit<DemoKeys, 'about'>> {
  const timeZone = localTimeZone();
  for (const q of DEMO_QUEUES) await d.queues.create(actor, q.id, { ...q.input, timeZone });
  const agents = [];
  for (const a of DEMO_AGENTS) {
    const { agent, key } = await d.agents.create(actor, a);
    agents.push({ id: agent.id, name: agent.name, key });
  }
  const supervisor = await d.apiKeys.create(actor, { name: 'demo supervisor', role: 'supervisor' });
  const integrator = await d.apiKeys.create(actor, { name: 'demo integrator (npm run call)', role: 'integrator' });
  for (const rule of DEMO_RULES) await d.crossSell.create(actor, rule);
  return {
    agents,
    supervisor: { name: supervisor.name, key: supervisor.key },
    integrator: { name: integrator.name, key: integrator.key },
  };
}
