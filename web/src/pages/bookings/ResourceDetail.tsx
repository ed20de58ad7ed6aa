import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../../api/endpoints';
import type { Availability, FeedToken, ResourceDetail } from '../../api/types';
import { kindStyle } from '../../bookings/colours';
import { dayRange, daysFrom, mondayOf, segmentsByDay } from '../../bookings/timeline';
import { formatRange, fromWall, isoUtc, toWall, wallDate } from '../../bookings/tz';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconCalendar, IconCheck, IconChevronLeft, IconChevronRight, IconCopy, IconEdit, IconLink } from '../../components/Icons';
import { Alert, Button, Card, Dialog, PageHeader, Spinner } from '../../components/ui';
import { useTitle } from '../../hooks';
import { Link } from '../../router';
import { BookingsTabs, RESOURCE_TYPE_LABEL, useBookingContext } from './common';
import { ResourceDialog, resourceStatusBadge } from './Resources';

function hhmm(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

export function ResourceDetailPage({ id }: { id: number }) {
  const { timeZone, isAdmin, isStaff } = useBookingContext();
  const [resource, setResource] = useState<ResourceDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [retiring, setRetiring] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  useTitle(resource?.name ?? 'Resource');

  const load = useCallback(async () => {
    try {
      setResource(await api.getResource(id));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  if (!resource) {
    return (
      <>
        <BookingsTabs />
        <ErrorBanner error={error} title="Could not load the resource" />
        {!error && <Spinner label="Loading resource…" />}
      </>
    );
  }
  const retired = resource.statusCd === 'RETIRED';
  return (
    <>
      <PageHeader
        breadcrumb={<Link to="/bookings/resources">Resources</Link>}
        title={
          <span className="title-with-badge">
            {resource.name} {resourceStatusBadge(resource)}
          </span>
        }
        description={[RESOURCE_TYPE_LABEL[resource.typeCd], resource.capacity != null ? `capacity ${resource.capacity}` : null, resource.locationDescription].filter(Boolean).join(' · ')}
        actions={
          <>
            {!retired && (
              <Link to={`/bookings?resourceId=${resource.id}`} className="btn btn-secondary">
                <IconCalendar size={16} /> Calendar
              </Link>
            )}
            {isAdmin && !retired && (
              <Button variant="secondary" icon={IconEdit} onClick={() => setEditing(true)} data-testid="edit-resource">
                Edit
              </Button>
            )}
            {isAdmin && !retired && (
              <Button variant="ghost" className="btn-ghost-danger" onClick={() => setRetiring(true)} data-testid="retire-resource">
                Retire
              </Button>
            )}
          </>
        }
      />
      {notice && (
        <Alert tone="success" data-testid="resource-notice">
          {notice}
        </Alert>
      )}
      {resource.description && <p className="page-lead">{resource.description}</p>}
      {resource.inUse && (
        <Alert tone="info" title="In use now">
          {(resource.currentBookings ?? []).map((b) => `${b.title} (${formatRange(b.start, b.end, timeZone)})`).join(', ')}
        </Alert>
      )}
      <AvailabilityCard resourceId={resource.id} timeZone={timeZone} />
      {isStaff && !retired && <FeedCard resourceId={resource.id} />}
      <ResourceDialog
        open={editing}
        resource={resource}
        onClose={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          setNotice('Saved.');
          void load();
        }}
      />
      <RetireDialog
        open={retiring}
        name={resource.name}
        id={resource.id}
        onClose={() => setRetiring(false)}
        onDone={() => {
          setRetiring(false);
          setNotice(`${resource.name} was retired. It keeps its history but takes no new bookings.`);
          void load();
        }}
      />
    </>
  );
}

function AvailabilityCard({ resourceId, timeZone }: { resourceId: number; timeZone: string }) {
  const [mode, setMode] = useState<'day' | 'week'>('week');
  const [date, setDate] = useState(() => wallDate(toWall(Date.now(), timeZone)));
  const [data, setData] = useState<Availability | null>(null);
  const [error, setError] = useState<unknown>(null);
  const first = mode === 'week' ? mondayOf(date) : date;
  const count = mode === 'week' ? 7 : 1;

  useEffect(() => {
    const ctrl = new AbortController();
    const { start, end } = dayRange(first, count);
    setData(null);
    api
      .availability(resourceId, isoUtc(fromWall(start, timeZone)), isoUtc(fromWall(end, timeZone)), ctrl.signal)
      .then((a) => {
        setData(a);
        setError(null);
      })
      .catch((e) => {
        if (!(e instanceof DOMException)) setError(e);
      });
    return () => ctrl.abort();
  }, [resourceId, first, count, timeZone]);

  const days = useMemo(() => daysFrom(first, count), [first, count]);
  const busy = useMemo(() => segmentsByDay(data?.busy ?? [], days, timeZone), [data, days, timeZone]);
  const free = useMemo(() => segmentsByDay(data?.free ?? [], days, timeZone), [data, days, timeZone]);
  const tentative = useMemo(() => segmentsByDay(data?.tentative ?? [], days, timeZone), [data, days, timeZone]);
  const shift = (n: number) => {
    const d = new Date(`${date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n * count);
    setDate(d.toISOString().slice(0, 10));
  };
  const dayLabel = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

  return (
    <Card
      title="Availability"
      data-testid="availability"
      actions={
        <div className="avail-controls">
          <div className="segmented" role="group" aria-label="Range">
            <button type="button" className={mode === 'day' ? 'is-on' : ''} aria-pressed={mode === 'day'} onClick={() => setMode('day')}>
              Day
            </button>
            <button type="button" className={mode === 'week' ? 'is-on' : ''} aria-pressed={mode === 'week'} onClick={() => setMode('week')}>
              Week
            </button>
          </div>
          <button type="button" className="icon-btn" aria-label={`Previous ${mode}`} onClick={() => shift(-1)}>
            <IconChevronLeft />
          </button>
          <input className="input avail-date" type="date" aria-label="Day" value={date} onChange={(e) => e.target.value && setDate(e.target.value)} />
          <button type="button" className="icon-btn" aria-label={`Next ${mode}`} onClick={() => shift(1)}>
            <IconChevronRight />
          </button>
        </div>
      }
    >
      <ErrorBanner error={error} title="Could not load the availability" />
      {!data && !error && <Spinner label="Loading availability…" />}
      {data && (
        <>
          <p className="card-note" data-testid="availability-summary">
            {data.available ? `Free all ${mode === 'week' ? 'week' : 'day'}.` : `${data.busy.length} busy ${data.busy.length === 1 ? 'interval' : 'intervals'}, ${data.free.length} free.`} Times in {timeZone}.
          </p>
          <div className="timeline" role="table" aria-label="Availability timeline">
            <div className="timeline-row timeline-scale" role="row" aria-hidden="true">
              <span className="timeline-day" />
              <div className="timeline-track">
                {[0, 6, 12, 18].map((h) => (
                  <span key={h} className="timeline-tick" style={{ left: `${(h / 24) * 100}%` }}>
                    {String(h).padStart(2, '0')}:00
                  </span>
                ))}
              </div>
            </div>
            {days.map((d) => (
              <div className="timeline-row" role="row" key={d} data-testid="timeline-row">
                <span className="timeline-day" role="rowheader">
                  {dayLabel(d)}
                </span>
                <div className="timeline-track" role="cell">
                  {free.get(d)!.map((s) => (
                    <span key={`f${s.from}`} className="timeline-seg timeline-free" style={{ left: `${(s.from / 1440) * 100}%`, width: `${((s.to - s.from) / 1440) * 100}%` }} title={`Free ${hhmm(s.from)}–${hhmm(s.to)}`} />
                  ))}
                  {[...busy.get(d)!, ...tentative.get(d)!.map((s) => ({ ...s, tentative: true }))].map((s) => {
                    const st = kindStyle(s.kind);
                    const isTentative = 'tentative' in s;
                    return (
                      <span
                        key={`b${s.from}${s.kind}${isTentative}`}
                        className={`timeline-seg timeline-busy${isTentative ? ' timeline-tentative' : ''}`}
                        style={{ left: `${(s.from / 1440) * 100}%`, width: `${Math.max(0.4, ((s.to - s.from) / 1440) * 100)}%`, background: st.background, borderColor: st.border }}
                        title={`${isTentative ? 'Tentative' : st.label} ${hhmm(s.from)}–${hhmm(s.to)}`}
                        data-testid="timeline-busy"
                      />
                    );
                  })}
                </div>
              </div>
            ))}
          </div>
          {data.busy.length > 0 && (
            <ul className="busy-list">
              {data.busy.slice(0, 20).map((b) => {
                const st = kindStyle(b.kind);
                return (
                  <li key={`${b.start}${b.kind}`}>
                    <span className="kind-dot" style={{ background: st.border }} /> {formatRange(b.start, b.end, timeZone)} <span className="muted">· {st.label}</span>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </Card>
  );
}

function FeedCard({ resourceId }: { resourceId: number }) {
  const [token, setToken] = useState<FeedToken | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  const url = token ? new URL(token.url, window.location.origin).toString() : null;
  const create = async () => {
    setBusy(true);
    setError(null);
    setCopied(null);
    try {
      setToken(await api.calendarToken(resourceId));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied('ok');
    } catch {
      const el = document.getElementById('feed-url');
      if (el) window.getSelection()?.selectAllChildren(el);
      setCopied('failed');
    }
  };
  return (
    <Card title="Calendar feed (.ics)" data-testid="feed-card">
      <p className="card-note">
        Subscribe to this resource’s bookings in Google Calendar, Outlook or Apple Calendar. The link contains a secret token: creating a new link stops the old one.
      </p>
      <ErrorBanner error={error} title="Could not create the feed link" />
      {url ? (
        <>
          <div className="secret">
            <code id="feed-url" className="secret-value" data-testid="feed-url">
              {url}
            </code>
            <Button variant="secondary" icon={copied === 'ok' ? IconCheck : IconCopy} onClick={copy} data-testid="copy-feed-url">
              {copied === 'ok' ? 'Copied' : 'Copy'}
            </Button>
          </div>
          {copied === 'failed' && <p className="field-hint">The browser did not allow copying. The link is selected: press Ctrl+C (⌘C).</p>}
          <p className="field-hint">Shown once. Gatehouse keeps only a hash of the token.</p>
        </>
      ) : (
        <Button variant="secondary" icon={IconLink} busy={busy} onClick={create} data-testid="create-feed-token">
          Create a feed link
        </Button>
      )}
    </Card>
  );
}

function RetireDialog({ open, id, name, onClose, onDone }: { open: boolean; id: number; name: string; onClose: () => void; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setError(null), [open]);
  return (
    <Dialog
      open={open}
      title={`Retire ${name}?`}
      description="It takes no new bookings and leaves the calendar. Its history is kept. A resource with future bookings cannot be retired until they are cancelled or moved."
      onClose={onClose}
      data-testid="retire-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="danger"
            busy={busy}
            data-testid="retire-confirm"
            onClick={async () => {
              setBusy(true);
              try {
                await api.retireResource(id);
                onDone();
              } catch (e) {
                setError(e);
              } finally {
                setBusy(false);
              }
            }}
          >
            Retire
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} title="The resource could not be retired" />
    </Dialog>
  );
}
