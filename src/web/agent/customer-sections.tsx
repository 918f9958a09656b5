// The customer's history and holdings as the pop carries them: calls with dispositions and notes,
// open tickets and complaints, quotes / contracts / orders / payments, products, relations,
// follow-ups. All text is rendered as text (any script, no markup).
import { Fragment, type ComponentChildren } from 'preact';
import type { PopCustomer, PopTicket } from '../../pop/pop.types.ts';
import { useI18n } from '../shared/i18n.ts';
import { clock } from '../shared/format.ts';

function Section({ id, title, count, more, children }: { id: string; title: string; count: number; more?: boolean; children: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <section class="pop-section" aria-labelledby={`sec-${id}`}>
      <h3 id={`sec-${id}`}>
        {title} <span class="count muted">({count}{more ? '+' : ''})</span>
      </h3>
      {count === 0 ? <p class="muted">{t('sections.none')}</p> : children}
      {more ? <p class="muted">{t('sections.more')}</p> : null}
    </section>
  );
}

function Tickets({ tickets }: { tickets: readonly PopTicket[] }) {
  const { code, fmt } = useI18n();
  return (
    <ul class="plain">
      {tickets.map((k) => (
        <li key={k.id}>
          <strong>#{k.id}</strong> {k.subject}{' '}
          <span class="muted">
            · {code('category', k.category)} · {code('priority', k.priority)} · {code('ticketStatus', k.status)} · {fmt.date(k.createdAt)}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function CustomerSections({ customer: c }: { customer: PopCustomer }) {
  const { t, code, fmt } = useI18n();
  const complaints = c.recentComplaints.filter((k) => !c.openTickets.some((o) => o.id === k.id));
  return (
    <div class="sections">
      <Section id="history" title={t('sections.history')} count={c.interactions.length} more={c.more.interactions}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('history.when')}</th>
              <th scope="col">{t('history.agent')}</th>
              <th scope="col">{t('history.outcome')}</th>
              <th scope="col">{t('history.talk')}</th>
              <th scope="col">{t('history.notes')}</th>
            </tr>
          </thead>
          <tbody>
            {c.interactions.map((i) => (
              <tr key={i.callId}>
                <td>
                  {fmt.dateTime(i.at)}
                  {i.direction === 'outbound' ? <span class="muted"> · {t('history.outbound')}</span> : null}
                </td>
                <td>{i.agentName ?? '—'}</td>
                <td>{i.disposition ? code('disposition', i.disposition) : code('callStatus', i.status)}</td>
                <td>{i.talkSeconds === null ? '—' : clock(i.talkSeconds)}</td>
                <td class="notes-text">{i.notes ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section id="tickets" title={t('sections.tickets')} count={c.openTickets.length} more={c.more.openTickets}>
        <Tickets tickets={c.openTickets} />
      </Section>
      {complaints.length > 0 ? (
        <Section id="complaints" title={t('sections.complaints')} count={complaints.length}>
          <Tickets tickets={complaints} />
        </Section>
      ) : null}
      <Section id="records" title={t('sections.records')} count={c.businessRecords.length} more={c.more.businessRecords}>
        <table>
          <tbody>
            {c.businessRecords.map((r) => (
              <tr key={`${r.kind}-${r.reference}`}>
                <td>{code('record', r.kind)}</td>
                <td>
                  {r.title} <span class="muted">{r.reference}</span>
                </td>
                <td class="num">{r.amount === null ? '—' : fmt.money(r.amount, r.currency)}</td>
                <td>{code('recordStatus', r.status)}</td>
                <td>{fmt.date(r.occurredAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section id="holdings" title={t('sections.holdings')} count={c.holdings.length}>
        <ul class="plain">
          {c.holdings.map((h) => (
            <li key={h.productCode}>
              {h.productName} <span class="muted">· {t('holdings.since', { date: fmt.date(h.since) })}</span>
            </li>
          ))}
        </ul>
      </Section>
      <Section id="relations" title={t('sections.relations')} count={c.relations.length}>
        <ul class="plain">
          {c.relations.map((r) => (
            <li key={`${r.kind}-${r.customerId}`}>
              {code('relation', r.kind)}: {r.displayName} <span class="muted">{r.customerNumber}</span>
            </li>
          ))}
        </ul>
      </Section>
      <Section id="follow-ups" title={t('sections.followUps')} count={c.followUps.length} more={c.more.followUps}>
        <ul class="plain">
          {c.followUps.map((f) => (
            <li key={f.id}>
              {fmt.date(f.dueDate)} · <span class="notes-text">{f.note}</span>
            </li>
          ))}
        </ul>
      </Section>
      <section class="pop-section" aria-labelledby="sec-contact">
        <h3 id="sec-contact">{t('sections.contact')}</h3>
        <dl class="facts">
          {c.phones.map((p, i) => (
            <Fragment key={`p${i}`}>
              <dt>{p.label}</dt>
              <dd>{p.raw}</dd>
            </Fragment>
          ))}
          {c.emails.map((e, i) => (
            <Fragment key={`e${i}`}>
              <dt>{e.label}</dt>
              <dd>{e.email}</dd>
            </Fragment>
          ))}
          <dt>{t('contact.lifetimeValue')}</dt>
          <dd>{fmt.number(Number(c.lifetimeValue))}</dd>
          {c.customerSince ? (
            <>
              <dt>{t('contact.since')}</dt>
              <dd>{fmt.date(c.customerSince)}</dd>
            </>
          ) : null}
          {c.language ? (
            <>
              <dt>{t('contact.language')}</dt>
              <dd>{c.language}</dd>
            </>
          ) : null}
          {c.tags.length ? (
            <>
              <dt>{t('contact.tags')}</dt>
              <dd>{c.tags.join(', ')}</dd>
            </>
          ) : null}
        </dl>
        {c.notes ? <p class="notes-text">{c.notes}</p> : null}
      </section>
    </div>
  );
}
