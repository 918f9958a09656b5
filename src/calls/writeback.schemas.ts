// Input of the agent's write-back, shared by the REST routes and the socket events.
import { Type } from '@sinclair/typebox';

const Str = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
export const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const Id = Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 });
const AgentIdStr = Type.String({ pattern: '^[1-9][0-9]{0,15}$' });

export const WrapUpBody = Type.Object(
  {
    disposition: Str(60, 1),
    // Longer notes are refused with a clear error rather than cut: nothing the agent typed is dropped silently.
    notes: Type.Optional(Str(5000)),
  },
  { additionalProperties: false },
);
export const WrapUpEvent = Type.Object({ callId: Uuid, ...WrapUpBody.properties }, { additionalProperties: false });

export const LinkCustomerBody = Type.Object({ customerId: Id }, { additionalProperties: false });
export const LinkCustomerEvent = Type.Object({ callId: Uuid, customerId: Id }, { additionalProperties: false });

export const PromptOutcomeValue = Type.Union([Type.Literal('accepted'), Type.Literal('declined'), Type.Literal('later')]);
export const PromptOutcomeBody = Type.Object({ outcome: PromptOutcomeValue }, { additionalProperties: false });
export const PromptOutcomeEvent = Type.Object({ callId: Uuid, ruleId: Id, outcome: PromptOutcomeValue }, { additionalProperties: false });

export const TicketBody = Type.Object(
  {
    customerId: Id,
    callId: Type.Optional(Uuid),
    subject: Str(200, 1),
    description: Type.Optional(Str(5000)),
    category: Type.Union([
      Type.Literal('question'),
      Type.Literal('request'),
      Type.Literal('fault'),
      Type.Literal('billing'),
      Type.Literal('complaint'),
      Type.Literal('other'),
    ]),
    priority: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('normal'), Type.Literal('high'), Type.Literal('urgent')])),
  },
  { additionalProperties: false },
);

export const FollowUpBody = Type.Object(
  {
    customerId: Id,
    callId: Type.Optional(Uuid),
    dueDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    note: Str(2000, 1),
    assigneeAgentId: Type.Optional(AgentIdStr),
  },
  { additionalProperties: false },
);

export const SetStateEvent = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready'), Type.Literal('logged_out')]),
    reason: Type.Optional(Str(60, 1)),
  },
  { additionalProperties: false },
);
