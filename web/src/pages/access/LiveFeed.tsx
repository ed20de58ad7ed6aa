import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getToken } from '../../api/client';
import { api } from '../../api/endpoints';
import type { CheckIn, Zone } from '../../api/types';
import { isAdmin, useAuth } from '../../auth';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconActivity, IconUnlock } from '../../components/Icons';
import { Button, Card, EmptyState, PageHeader, Spinner } from '../../components/ui';
import { fullName } from '../../format';
import { formatTime, METHOD_LABEL } from '../../checkins';
import { useTitle } from '../../hooks';
import { denialLabel } from '../../kiosk/mapping';
import { useMembers } from '../../memberCache';
import { Link } from '../../router';
import { checkInFromMessage, openEventStream, type StreamState } from '../../sse';
import { flattenZones } from '../../zones';
import { AccessTabs, OccupancyGauge, UnlockDialog, useZoneTree } from './common';

const MAX_ROWS = 50;

function isToday(iso: string, timeZone?: string): boolean {
  try {
    const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    return f.format(new Date(iso)) === f.format(new Date());
  } catch {
    return true;
  }
}

function mergeFeed(list: CheckIn[], incoming: CheckIn[]): CheckIn[] {
  const byId = new Map(list.map((c) => [c.id, c]));
  for (const c of incoming) byId.set(c.id, { ...byId.get(c.id), ...c });
  return [...byId.values()].sort((a, b) => (b.checkedInAt ?? '').localeCompare(a.checkedInAt ?? '') || b.id - a.id).slice(0, MAX_ROWS);
}

export function LiveFeedPage() {
  useTitle('Live feed');
  const { user } = useAuth();
  const tz = user?.entity?.timezone;
  const admin = isAdmin(user?.role);
  const { tree, error: treeError, reload: reloadZones } = useZoneTree();
  const [feed, setFeed] = useState<CheckIn[] | null>(null);
  const [feedError, setFeedError] = useState<unknown>(null);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [conn, setConn] = useState<{ state: StreamState; retryInMs?: number; error?: string }>({ state: 'connecting' });
  const [unlocking, setUnlocking] = useState<Zone | null>(null);
  const zoneTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadFeed = useCallback(async () => {
    try {
      const items = await api.liveFeed();
      setFeed((old) => mergeFeed(old ?? [], items));
      setFeedError(null);
    } catch (e) {
      setFeedError(e);
    }
  }, []);

  const refreshZonesSoon = useCallback(() => {
    if (zoneTimer.current) clearTimeout(zoneTimer.current);
    zoneTimer.current = setTimeout(() => void reloadZones(), 300);
  }, [reloadZones]);

  useEffect(() => {
    void loadFeed();
    let opened = false;
    const stream = openEventStream({
      url: '/api/checkin/live-feed',
      token: getToken(),
      onState: (state, d) => setConn({ state, ...d }),
      onOpen: () => {
        // After a reconnect, fetch what was missed while offline.
        if (opened) {
          void loadFeed();
          refreshZonesSoon();
        }
        opened = true;
      },
      onMessage: (m) => {
        const c = checkInFromMessage<CheckIn>(m);
        if (!c) return;
        setFeed((old) => mergeFeed(old ?? [], [c]));
        setFresh((s) => new Set(s).add(c.id));
        setTimeout(
          () =>
            setFresh((s) => {
              const n = new Set(s);
              n.delete(c.id);
              return n;
            }),
          2500,
        );
        refreshZonesSoon();
      },
    });
    return () => {
      stream.stop();
      if (zoneTimer.current) clearTimeout(zoneTimer.current);
    };
  }, [loadFeed, refreshZonesSoon]);

  const flat = useMemo(() => flattenZones(tree), [tree]);
  const zoneName = (id: number | null | undefined) => (id == null ? 'Main entrance' : flat.find((f) => f.zone.id === id)?.zone.name ?? `Zone #${id}`);
  const members = useMembers((feed ?? []).filter((c) => !c.memberName && !c.member).map((c) => c.memberId));

  const granted = (feed ?? []).filter((c) => c.statusCd === 'GRANTED' && isToday(c.checkedInAt, tz)).length;
  const denied = (feed ?? []).filter((c) => c.statusCd === 'DENIED' && isToday(c.checkedInAt, tz)).length;

  return (
    <>
      <PageHeader title="Access" description="Every check-in decision as it happens, and who is inside each zone." />
      <AccessTabs />
      <div className="live-grid">
        <Card
          className="card-flush"
          title={<span className="card-title-pad">Check-ins</span>}
          actions={<ConnectionPill conn={conn} />}
          data-testid="live-feed-card"
        >
          <div className="feed-stats">
            <span>
              <strong className="text-success">{granted}</strong> granted
            </span>
            <span>
              <strong className="text-danger">{denied}</strong> denied
            </span>
            <span className="muted">among the last {MAX_ROWS}, today</span>
          </div>
          <ErrorBanner error={feedError} title="Could not load the recent check-ins" />
          {feed === null && !feedError ? (
            <Spinner label="Loading recent check-ins…" />
          ) : feed && feed.length === 0 ? (
            <EmptyState icon={IconActivity} title="No check-ins yet" data-testid="feed-empty">
              New check-ins appear here the moment a member taps a card, scans a code or is checked in at the desk.
            </EmptyState>
          ) : (
            <ol className="feed" aria-live="polite" aria-label="Check-ins, newest first" data-testid="feed">
              {(feed ?? []).map((c) => {
                const m = c.memberId != null ? members.get(c.memberId) : undefined;
                const name = c.memberName ?? (c.member ? `${c.member.firstName} ${c.member.lastName}` : m ? fullName(m) : null);
                const ok = c.statusCd === 'GRANTED';
                return (
                  <li
                    key={c.id}
                    className={`feed-row${fresh.has(c.id) ? ' feed-row-new' : ''}`}
                    data-testid="feed-row"
                    data-status={c.statusCd}
                    data-checkin-id={c.id}
                  >
                    <span className={`feed-status ${ok ? 'feed-status-ok' : 'feed-status-denied'}`} data-testid="feed-status">
                      {ok ? 'GRANTED' : 'DENIED'}
                    </span>
                    <div className="feed-who">
                      {c.memberId != null ? (
                        <Link to={`/members/${c.memberId}`} className="cell-title" data-testid="feed-member">
                          {name ?? `Member #${c.memberId}`}
                        </Link>
                      ) : (
                        <span className="cell-title" data-testid="feed-member">
                          Unknown credential
                        </span>
                      )}
                      <span className="cell-sub">
                        {c.zoneName ?? zoneName(c.zoneId)} · {METHOD_LABEL[c.methodCd] ?? c.methodCd}
                        {c.directionCd === 'OUT' ? ' · out' : ''}
                      </span>
                      {!ok && (
                        <span className="feed-reason" data-testid="feed-reason">
                          {c.denialReason || denialLabel(c.denialCode) || 'Denied'}
                          {c.denialCode && <span className="mono feed-code">{c.denialCode}</span>}
                        </span>
                      )}
                    </div>
                    <time className="feed-time mono" dateTime={c.checkedInAt} title={c.checkedInAt}>
                      {formatTime(c.checkedInAt, tz)}
                    </time>
                  </li>
                );
              })}
            </ol>
          )}
        </Card>

        <Card title="Occupancy" data-testid="occupancy-card">
          <ErrorBanner error={treeError} title="Could not load the zones" />
          {tree === null && !treeError ? (
            <Spinner label="Loading zones…" />
          ) : flat.length === 0 ? (
            <p className="muted">
              No zones yet. <Link to="/access/zones">Create one</Link>.
            </p>
          ) : (
            <ul className="occ-list">
              {flat
                .filter((f) => f.zone.active)
                .map((f) => (
                  <li key={f.zone.id} className="occ-row" style={{ ['--depth' as string]: f.depth }} data-testid="occ-row" data-zone-id={f.zone.id}>
                    <div className="occ-head">
                      <span className="occ-name">{f.zone.name}</span>
                      {admin && (
                        <Button
                          variant="ghost"
                          className="btn-sm"
                          icon={IconUnlock}
                          onClick={() => setUnlocking(f.zone)}
                          aria-label={`Unlock ${f.zone.name}`}
                          data-testid="unlock-zone"
                        >
                          Unlock
                        </Button>
                      )}
                    </div>
                    <OccupancyGauge current={f.zone.currentOccupancy} max={f.zone.maxOccupancy} label={f.zone.name} />
                  </li>
                ))}
            </ul>
          )}
        </Card>
      </div>
      <UnlockDialog zone={unlocking} onClose={() => setUnlocking(null)} />
    </>
  );
}

function ConnectionPill({ conn }: { conn: { state: StreamState; retryInMs?: number; error?: string } }) {
  const [, tick] = useState(0);
  const since = useRef(Date.now());
  useEffect(() => {
    since.current = Date.now();
    if (conn.state !== 'reconnecting' || !conn.retryInMs) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [conn]);
  let label = 'Connecting…';
  let tone = 'pending';
  if (conn.state === 'open') {
    label = 'Live';
    tone = 'live';
  } else if (conn.state === 'reconnecting') {
    const left = conn.retryInMs ? Math.max(0, Math.ceil((conn.retryInMs - (Date.now() - since.current)) / 1000)) : 0;
    label = left > 0 ? `Reconnecting in ${left} s` : 'Reconnecting…';
    tone = 'warn';
  } else if (conn.state === 'unauthorized') {
    label = 'Not allowed';
    tone = 'down';
  } else if (conn.state === 'closed') {
    label = 'Disconnected';
    tone = 'down';
  }
  return (
    <span className={`conn conn-${tone}`} role="status" title={conn.error} data-testid="feed-connection" data-state={conn.state}>
      <span className="conn-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
