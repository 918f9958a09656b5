import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/sip/ports.ts';
import { SipLab, sipAvailable } from '../helpers/sip/sip-lab.ts';
import type { SippPhone } from '../helpers/sip/sipp.ts';

describe.skipIf(!sipAvailable())('click-to-dial through drachtio-server', () => {
  let lab: SipLab;
  let customerPhone: SippPhone;
  let busyCustomer: SippPhone;

  beforeAll(async () => {
    lab = await SipLab.start();
    customerPhone = await lab.phone('uas-agent-answer.xml');
    busyCustomer = await lab.phone('uas-agent-busy.xml');
    await lab.trunk({ name: 'out', sources: ['127.0.0.5'], outboundUri: `sip:127.0.0.1:${customerPhone.port}` });
    await lab.trunk({ name: 'out-busy', sources: ['127.0.0.6'], outboundUri: `sip:127.0.0.1:${busyCustomer.port}` });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it("rings the agent's phone, then the customer, connects them, and logs the outbound call", async () => {
    const agentPhone = await lab.phone('uas-agent-answer-then-hang-up.xml', { pauseMs: 500 });
    const ada = await lab.cc.customer('Ada Lovelace', '+1 415 555 0123');
    const agent = await lab.cc.agent('Dialer', ['sales'], { ready: true, sipUri: agentPhone.uri('dialer') });

    const r = await lab.cc.api('POST', '/v1/calls/dial', { customerId: ada.id, trunk: 'out' }, agent.key);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ source: 'click-to-dial', agentId: agent.id, customerId: ada.id });

    const row = await lab.cc.row(r.body.id, (row) => row.status === 'ended');
    expect(row).toMatchObject({ direction: 'outbound', trunk: 'out', customer_id: ada.id, agent_id: Number(agent.id), hangup_by: 'agent', end_reason: 'agent_hangup', from_e164: '+14155550123' });
    expect(row.answered_at).not.toBeNull();

    // The agent's phone was called first, without an offer, showing the customer; the customer got its offer.
    const agentLeg = agentPhone.invites().find((i) => i.call === r.body.id);
    expect(agentLeg).toMatchObject({ sdp: false, customer: String(ada.id) });
    expect(agentLeg?.from).toMatch(/^"Ada Lovelace" <sip:\+14155550123@/);
    const customerLeg = customerPhone.invites().at(-1);
    expect(customerLeg?.sdp).toBe(true);
    expect(customerLeg?.requestUri).toBe(`sip:+14155550123@127.0.0.1:${customerPhone.port}`);
    await customerPhone.waitForLog(/^bye received$/);

    // The agent was busy with the call (no inbound call offered meanwhile) and wraps up after it.
    await agent.desk.next('agent:state', (s: any) => s.status === 'on_call');
    await agent.desk.next('agent:state', (s: any) => s.status === 'wrap_up');
    const audit = await lab.t.database.db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_id', '=', r.body.id).execute();
    expect(audit).toEqual([{ action: 'call.dial', actor_role: 'agent' }]);
  });

  it('logs a failed call when the customer is busy, and hangs up the agent', async () => {
    const agentPhone = await lab.phone('uas-agent-answer.xml');
    const agent = await lab.cc.agent('Dialer 2', ['sales'], { ready: true, sipUri: agentPhone.uri() });
    const r = await lab.cc.api('POST', '/v1/calls/dial', { number: '(415) 555-0199', trunk: 'out-busy' }, agent.key);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const row = await lab.cc.row(r.body.id, (row) => row.status === 'failed');
    expect(row).toMatchObject({ end_reason: 'customer_busy', dialled_number: '+14155550199', customer_id: null });
    await agentPhone.waitForLog(/^bye received$/);
    await agent.desk.next('agent:state', (s: any) => s.status === 'ready' && agent.desk.count('agent:state') > 1);
  });

  it('refuses to dial for an agent without a phone, or a number that is not one', async () => {
    const agent = await lab.cc.agent('No phone', ['sales'], { ready: true });
    const noPhone = await lab.cc.api('POST', '/v1/calls/dial', { number: '+14155550123' }, agent.key);
    expect(noPhone.status).toBe(409);
    const withPhone = await lab.cc.agent('Bad number', ['sales'], { ready: true, sipUri: 'sip:x@127.0.0.1:9' });
    const bad = await lab.cc.api('POST', '/v1/calls/dial', { number: 'call me maybe' }, withPhone.key);
    expect(bad.body.error.code).toBe('INVALID_PHONE');
    const both = await lab.cc.api('POST', '/v1/calls/dial', { number: '+14155550123', customerId: 1 }, withPhone.key);
    expect(both.body.error.code).toBe('VALIDATION_FAILED');
    const forNobody = await lab.cc.api('POST', '/v1/calls/dial', { number: '+14155550123' });
    expect(forNobody.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('leaves nothing behind once every call has ended: no call in progress, no SIP dialog', async () => {
    const sip = lab.t.container.sip!;
    const counts = () => ({ inProgress: sip.callsInProgress, dialogs: sip.openDialogs, live: lab.t.container.calls.liveCount });
    await until('every call to be over', () => Object.values(counts()).every((n) => n === 0)).catch(() => {});
    expect(counts()).toEqual({ inProgress: 0, dialogs: 0, live: 0 });
  });

});
