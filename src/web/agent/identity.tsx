// Who is calling: the first thing the pop paints, from the call:offered payload alone.
import type { Pop, PopCustomer } from '../../pop/pop.types.ts';
import { useI18n, type MessageKey } from '../shared/i18n.ts';
import { clock } from '../shared/format.ts';
import { DialButton } from './dial-button.tsx';
import type { Api } from '../shared/api.ts';

/** A short name for the caller (title bar, tabs). */
export function callerTitle(pop: Pop, t: (k: MessageKey, p?: Record<string, string | number>) => string): string {
  if (pop.customer) return pop.customer.displayName;
  if (pop.call.withheld) return t('pop.withheldShort');
  if (pop.match.outcome === 'multiple') return t('pop.severalShort', { n: pop.match.candidates.length });
  return pop.call.callerName ?? pop.call.from.raw ?? t('pop.unknownCaller');
}

export const isVip = (c: { tags?: readonly string[]; valueSegment: string }) =>
  (c.tags ?? []).some((tag) => tag.toLowerCase() === 'vip') || c.valueSegment.toLowerCase() === 'platinum';

export function Badges({ customer }: { customer: Pick<PopCustomer, 'valueSegment' | 'kind' | 'provisional'> & { tags?: readonly string[] } }) {
  const { t, code } = useI18n();
  return (
    <span class="badges">
      {isVip(customer) ? <span class="badge vip">{t('badge.vip')}</span> : null}
      <span class={`badge seg seg-${customer.valueSegment.toLowerCase()}`} title={t('badge.segment')}>
        {code('segment', customer.valueSegment)}
      </span>
      {customer.kind === 'company' ? <span class="badge">{t('badge.company')}</span> : null}
      {customer.provisional ? <span class="badge warn">{t('badge.provisional')}</span> : null}
    </span>
  );
}

export function Identity({ pop, api }: { pop: Pop; api: Api }) {
  const { t, code } = useI18n();
  const c = pop.customer;
  const matchedOn = pop.match.matchedOn;
  return (
    <div class="identity">
      <h2 id="pop-title" tabIndex={-1}>
        {callerTitle(pop, t)}
      </h2>
      {c ? <Badges customer={c} /> : null}
      <dl class="facts">
        {c ? (
          <>
            <dt>{t('pop.customerNumber')}</dt>
            <dd data-testid="customer-number">{c.customerNumber}</dd>
          </>
        ) : null}
        <dt>{t('pop.number')}</dt>
        <dd>{pop.call.withheld ? t('pop.withheldShort') : (pop.call.from.raw ?? '—')}</dd>
        <dt>{t('pop.match')}</dt>
        <dd data-testid="match-how">
          {code('outcome', pop.match.outcome)}
          {matchedOn ? ` · ${t(`matchedOn.${matchedOn}`)}` : ''}
        </dd>
        {pop.call.callerName && c && pop.call.callerName !== c.displayName ? (
          <>
            <dt>{t('pop.callerName')}</dt>
            <dd>{pop.call.callerName}</dd>
          </>
        ) : null}
        <dt>{t('pop.queue')}</dt>
        <dd>
          {pop.call.queue.name} · {t('pop.waited', { time: clock(pop.call.waitSeconds) })}
        </dd>
        {pop.call.redirectingNumber ? (
          <>
            <dt>{t('pop.redirectedFrom')}</dt>
            <dd>{pop.call.redirectingNumber}</dd>
          </>
        ) : null}
      </dl>
      {c && !c.provisional ? <DialButton api={api} target={{ customerId: c.id }} label={t('dial.customer', { name: c.displayName })} /> : null}
    </div>
  );
}
