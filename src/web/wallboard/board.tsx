// The board: a tile per queue, the callers waiting, the calls abandoned today, and the agents.
// Clocks count up between pushes, from the times in the payload.
import type { AbandonedCall, AgentOnBoard, QueueFigures, Wallboard, WaitingCaller } from '../../wallboard/wallboard.types.ts';
import { useI18n } from '../shared/i18n.ts';
import { clock } from '../shared/format.ts';
import { secondsSince, useNow } from '../shared/use-now.ts';

/** Service level at or above this reads as good (green); the figure itself is what matters. */
const SL_GOOD = 0.8;

function Tile({ q, now }: { q: QueueFigures; now: number }) {
  const { t, fmt } = useI18n();
  const longest = q.waiting.length ? Math.max(...q.waiting.map((w) => secondsSince(w.since, now))) : null;
  const sl = q.serviceLevel;
  return (
    <section class="tile" aria-labelledby={`q-${q.id}`} data-queue={q.id}>
      <h2 id={`q-${q.id}`}>{q.name}</h2>
      <dl>
        <div class={q.waiting.length ? 'fig hot' : 'fig'}>
          <dt>{t('board.waiting')}</dt>
          <dd data-testid={`waiting-${q.id}`}>{fmt.number(q.waiting.length)}</dd>
        </div>
        <div class="fig">
          <dt>{t('board.longestWait')}</dt>
          <dd>{longest === null ? '—' : clock(longest)}</dd>
        </div>
        <div class={`fig ${sl === null ? '' : sl >= SL_GOOD ? 'good' : 'bad'}`}>
          <dt>{t('board.serviceLevel', { seconds: q.slThresholdSeconds })}</dt>
          <dd>{sl === null ? '—' : fmt.percent(sl)}</dd>
        </div>
        <div class={q.abandoned ? 'fig bad' : 'fig'}>
          <dt>{t('board.abandoned')}</dt>
          <dd data-testid={`abandoned-${q.id}`}>
            {fmt.number(q.abandoned)}
            {q.abandonmentRate !== null ? <small> ({fmt.percent(q.abandonmentRate)})</small> : null}
          </dd>
        </div>
      </dl>
      <p class="tile-foot">
        {t('board.offeredAnswered', { offered: fmt.number(q.offered), answered: fmt.number(q.answered) })}
        {q.asaSeconds !== null ? ` · ${t('board.asa', { time: clock(q.asaSeconds) })}` : ''}
        {q.ahtSeconds !== null ? ` · ${t('board.aht', { time: clock(q.ahtSeconds) })}` : ''}
      </p>
    </section>
  );
}

function callerName(c: { customerName: string | null; number: string; withheld: boolean }, t: (k: 'board.withheld' | 'board.unknown') => string) {
  return c.customerName ?? (c.withheld ? t('board.withheld') : c.number || t('board.unknown'));
}

function WaitingList({ rows, now }: { rows: Array<WaitingCaller & { queue: string }>; now: number }) {
  const { t } = useI18n();
  return (
    <section class="card" aria-labelledby="waiting-title">
      <h2 id="waiting-title">
        {t('board.waitingList')} ({rows.length})
      </h2>
      {rows.length === 0 ? (
        <p class="muted">{t('board.nobodyWaiting')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('board.caller')}</th>
              <th scope="col">{t('board.queue')}</th>
              <th scope="col">{t('board.priority')}</th>
              <th scope="col">{t('board.wait')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((w) => (
              <tr key={w.callId}>
                <td>
                  {callerName(w, t)} {w.customerName && w.number ? <span class="muted">{w.number}</span> : null}
                </td>
                <td>{w.queue}</td>
                <td class="num">{w.priority}</td>
                <td class="num">{clock(secondsSince(w.since, now))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AbandonedList({ rows }: { rows: Array<AbandonedCall & { queue: string }> }) {
  const { t, fmt } = useI18n();
  return (
    <section class="card" aria-labelledby="abandoned-title">
      <h2 id="abandoned-title">
        {t('board.abandonedList')} ({rows.length})
      </h2>
      {rows.length === 0 ? (
        <p class="muted">{t('board.noneAbandoned')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('board.time')}</th>
              <th scope="col">{t('board.caller')}</th>
              <th scope="col">{t('board.queue')}</th>
              <th scope="col">{t('board.waited')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.callId}>
                <td>{fmt.time(a.endedAt)}</td>
                <td>
                  {callerName(a, t)} {a.customerName && a.number ? <span class="muted">{a.number}</span> : null}
                </td>
                <td>{a.queue}</td>
                <td class="num">
                  {clock(a.waitSeconds)}
                  {a.short ? <span class="muted"> · {t('board.short')}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AgentTable({ agents, now }: { agents: readonly AgentOnBoard[]; now: number }) {
  const { t, code, fmt } = useI18n();
  const shown = agents.filter((a) => a.status !== 'logged_out');
  const away = agents.length - shown.length;
  return (
    <section class="card agents" aria-labelledby="agents-title">
      <h2 id="agents-title">{t('board.agents')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('board.agent')}</th>
            <th scope="col">{t('board.state')}</th>
            <th scope="col">{t('board.reason')}</th>
            <th scope="col">{t('board.inState')}</th>
            <th scope="col">{t('board.handled')}</th>
            <th scope="col">{t('board.ahtShort')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((a) => (
            <tr key={a.id} data-agent={a.id}>
              <td>
                {a.name}
                {a.team ? <span class="muted"> · {a.team}</span> : null}
              </td>
              <td>
                <span class={`state-dot state-${a.status}`} aria-hidden="true" /> {t(`status.${a.status}`)}
              </td>
              <td>{a.reason ? code('reason', a.reason) : ''}</td>
              <td class="num">{clock(secondsSince(a.since, now))}</td>
              <td class="num">{fmt.number(a.handled)}</td>
              <td class="num">{a.ahtSeconds === null ? '—' : clock(a.ahtSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {away > 0 ? <p class="muted">{t('board.loggedOut', { n: away })}</p> : null}
    </section>
  );
}

export function Board({ board }: { board: Wallboard }) {
  const { t } = useI18n();
  const now = useNow();
  const waiting = board.queues
    .flatMap((q) => q.waiting.map((w) => ({ ...w, queue: q.name })))
    .sort((a, b) => b.priority - a.priority || Date.parse(a.since) - Date.parse(b.since));
  const abandoned = board.queues.flatMap((q) => q.abandonedCalls.map((a) => ({ ...a, queue: q.name }))).sort((a, b) => Date.parse(b.endedAt) - Date.parse(a.endedAt));
  return (
    <main class="board">
      {!board.figuresAvailable ? (
        <p class="banner warn" role="alert">
          {t('board.figuresUnavailable')}
        </p>
      ) : null}
      <div class="tiles">
        {board.queues.map((q) => (
          <Tile key={q.id} q={q} now={now} />
        ))}
      </div>
      <div class="board-grid">
        <WaitingList rows={waiting} now={now} />
        <AgentTable agents={board.agents} now={now} />
        <AbandonedList rows={abandoned} />
      </div>
    </main>
  );
}
