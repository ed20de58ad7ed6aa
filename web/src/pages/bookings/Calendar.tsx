import type { DateSelectArg, EventClickArg, EventContentArg, EventDropArg, EventInput, EventSourceFuncArg } from '@fullcalendar/core';
import dayGridPlugin from '@fullcalendar/daygrid';
import interactionPlugin, { type EventResizeDoneArg } from '@fullcalendar/interaction';
import FullCalendar from '@fullcalendar/react';
import timeGridPlugin from '@fullcalendar/timegrid';
import { useCallback, useMemo, useRef, useState } from 'react';
import { api } from '../../api/endpoints';
import type { Occurrence } from '../../api/types';
import { kindStyle, LEGEND } from '../../bookings/colours';
import { formatRange, fromWall, isoUtc, toWall, wallDate, wallTime } from '../../bookings/tz';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconCalendar, IconPlus, IconRepeat } from '../../components/Icons';
import { Alert, Button, Card, EmptyState, PageHeader } from '../../components/ui';
import { useTitle } from '../../hooks';
import { Link, useNavigate, useSearchParams } from '../../router';
import { CreateBookingDialog, OccurrenceDialog, type OccurrenceRef, type SlotDraft } from './BookingDialogs';
import { BookingsTabs, conflictsOf, describeConflicts, useBookingContext, useResources } from './common';

interface EventProps {
  occurrence?: Occurrence;
  resourceName?: string;
  maintenance?: boolean;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function CalendarPage() {
  useTitle('Bookings');
  const { timeZone, isStaff, isAdmin } = useBookingContext();
  const params = useSearchParams();
  const navigate = useNavigate();
  const { resources, error: resourcesError } = useResources();
  const calRef = useRef<FullCalendar>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ title: string; with: string[] } | null>(null);
  const [moveError, setMoveError] = useState<unknown>(null);
  const [draft, setDraft] = useState<SlotDraft | null>(null);
  const [opened, setOpened] = useState<OccurrenceRef | null>(null);
  /** bookingId → title of what is on screen, to name conflicts without another request. */
  const titles = useRef(new Map<number, string>());

  const resourceParam = params.get('resourceId');
  const resourceId = resourceParam && /^\d+$/.test(resourceParam) ? Number(resourceParam) : undefined;
  const dateParam = params.get('date');
  const [initialDate] = useState(() => (dateParam && DATE_RE.test(dateParam) ? dateParam : wallDate(toWall(Date.now(), timeZone))));

  const bookable = useMemo(() => (resources ?? []).filter((r) => r.statusCd !== 'RETIRED'), [resources]);
  const resourceNames = useMemo(() => new Map((resources ?? []).map((r) => [r.id, r.name])), [resources]);

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    const qs = next.toString();
    navigate(`/bookings${qs ? `?${qs}` : ''}`, { replace: true });
  };

  // FullCalendar runs in "UTC" on wall-clock dates (see bookings/tz.ts): its range is
  // the organisation's local days, turned back into instants for the API.
  const fetchEvents = useCallback(
    async (info: EventSourceFuncArg): Promise<EventInput[]> => {
      const from = isoUtc(fromWall(info.start, timeZone));
      const to = isoUtc(fromWall(info.end, timeZone));
      try {
        // Maintenance windows (bookingId null) come with the bookings, for one resource or all.
        const occurrences = await api.listOccurrences({ resourceId, from, to, includeMaintenance: true });
        setLoadError(null);
        const events: EventInput[] = occurrences.map((o) => {
          const resourceName = resourceId ? undefined : resourceNames.get(o.resourceId);
          if (o.bookingId == null) {
            const style = kindStyle('MAINTENANCE');
            return {
              id: `maintenance-${o.resourceId}@${o.start}`,
              title: o.title || 'Maintenance',
              start: toWall(o.start, timeZone),
              end: toWall(o.end, timeZone),
              backgroundColor: style.background,
              borderColor: style.border,
              textColor: style.text,
              classNames: [style.className, 'is-maintenance'],
              editable: false,
              startEditable: false,
              durationEditable: false,
              extendedProps: { maintenance: true, resourceName } satisfies EventProps,
            };
          }
          titles.current.set(o.bookingId, o.title);
          const style = kindStyle(o.bookedForType);
          const active = o.statusCd === 'CONFIRMED' || o.statusCd === 'TENTATIVE';
          return {
            id: `${o.bookingId}@${o.start}`,
            title: o.title,
            start: toWall(o.start, timeZone),
            end: toWall(o.end, timeZone),
            backgroundColor: style.background,
            borderColor: style.border,
            textColor: style.text,
            classNames: [style.className, o.statusCd === 'TENTATIVE' ? 'is-tentative' : '', o.recurring ? 'is-recurring' : ''].filter(Boolean),
            editable: isStaff && active,
            extendedProps: { occurrence: o, resourceName } satisfies EventProps,
          };
        });
        return events;
      } catch (e) {
        setLoadError(e);
        throw e;
      }
    },
    [resourceId, timeZone, isStaff, resourceNames],
  );

  const refetch = () => calRef.current?.getApi().refetchEvents();

  const onMove = async (info: EventDropArg | EventResizeDoneArg) => {
    const { occurrence: o } = info.event.extendedProps as EventProps;
    if (!o || o.bookingId == null || !info.event.start) return info.revert();
    const startDateTime = isoUtc(fromWall(info.event.start, timeZone));
    const endDateTime = isoUtc(fromWall(info.event.end ?? new Date(info.event.start.getTime() + (Date.parse(o.end) - Date.parse(o.start))), timeZone));
    setConflict(null);
    setMoveError(null);
    setNotice(null);
    try {
      // A recurring occurrence moves alone (its current start names it).
      await api.rescheduleBooking(o.bookingId, { startDateTime, endDateTime, ...(o.recurring ? { occurrenceStart: o.start } : {}) });
      setNotice(`“${o.title}” moved to ${formatRange(startDateTime, endDateTime, timeZone)}.`);
      refetch();
    } catch (e) {
      info.revert();
      const conflicts = conflictsOf(e);
      if (conflicts) setConflict({ title: o.title, with: await describeConflicts(conflicts, timeZone, titles.current) });
      else setMoveError(e);
    }
  };

  const onSelect = (info: DateSelectArg) => {
    const api = calRef.current?.getApi();
    api?.unselect();
    const start = new Date(info.start);
    let end = info.end;
    if (info.allDay) {
      // Month view: a day was picked; suggest 09:00–10:00 that day.
      start.setUTCHours(9, 0, 0, 0);
      end = new Date(start.getTime() + 3_600_000);
    }
    const sameDay = wallDate(end) === wallDate(start) || (wallTime(end) === '00:00' && end.getTime() - start.getTime() <= 86_400_000);
    setDraft({
      date: wallDate(start),
      startTime: wallTime(start),
      endTime: sameDay ? (wallTime(end) === '00:00' ? '23:55' : wallTime(end)) : wallTime(start),
      endDate: wallDate(end),
      resourceId,
    });
  };

  const onClick = (info: EventClickArg) => {
    const { occurrence: o, resourceName } = info.event.extendedProps as EventProps;
    if (!o || o.bookingId == null) return;
    setOpened({ ...o, bookingId: o.bookingId, resourceName, moved: o.moved });
  };

  const newBooking = () => {
    const now = toWall(Date.now(), timeZone);
    const h = Math.min(22, now.getUTCHours() + 1);
    setDraft({ date: wallDate(now), startTime: `${String(h).padStart(2, '0')}:00`, endTime: `${String(h + 1).padStart(2, '0')}:00`, endDate: wallDate(now), resourceId });
  };

  const noResources = resources !== null && bookable.length === 0;

  return (
    <>
      <PageHeader
        title="Bookings"
        description="Rooms, areas, equipment and people. Drag a booking to move it; select free time to book it."
        actions={
          isStaff &&
          !noResources && (
            <Button variant="primary" icon={IconPlus} onClick={newBooking} data-testid="new-booking">
              New booking
            </Button>
          )
        }
      />
      <BookingsTabs />
      <ErrorBanner error={resourcesError} title="Could not load the resources" />
      {noResources ? (
        <Card>
          <EmptyState
            icon={IconCalendar}
            title="No resources yet"
            data-testid="calendar-no-resources"
            actions={
              isAdmin && (
                <Link to="/bookings/resources?new=1" className="btn btn-primary">
                  Add a resource
                </Link>
              )
            }
          >
            Add the rooms, areas and equipment people book. Then book them here.
          </EmptyState>
        </Card>
      ) : (
        <>
          <div className="toolbar toolbar-wrap cal-toolbar">
            <label className="cal-filter">
              <span className="field-label">Resource</span>
              <select
                className="input select"
                value={resourceId ?? ''}
                onChange={(e) => setParam('resourceId', e.target.value || null)}
                data-testid="calendar-resource-filter"
              >
                <option value="">All resources</option>
                {bookable.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            <ul className="legend" aria-label="Colours">
              {LEGEND.map((k) => (
                <li key={k.kind}>
                  <span className="kind-swatch" style={{ background: k.background, borderColor: k.border }} />
                  {k.label}
                </li>
              ))}
              <li>
                <IconRepeat size={14} /> Recurring
              </li>
            </ul>
            <span className="toolbar-note cal-tz" title="Every time on this page is in the organisation's time zone">
              {loading ? 'Loading…' : `Times in ${timeZone}`}
            </span>
          </div>
          {conflict && (
            <Alert
              tone="danger"
              title={`“${conflict.title}” was not moved`}
              data-testid="calendar-conflict"
              actions={
                <button type="button" className="link-btn" onClick={() => setConflict(null)}>
                  Dismiss
                </button>
              }
            >
              The new time overlaps {conflict.with.join(', ')}. The booking stays where it was.
            </Alert>
          )}
          <ErrorBanner error={moveError} title="The booking could not be moved" />
          {notice && (
            <Alert
              tone="success"
              data-testid="calendar-notice"
              actions={
                <button type="button" className="link-btn" onClick={() => setNotice(null)}>
                  Dismiss
                </button>
              }
            >
              {notice}
            </Alert>
          )}
          <ErrorBanner error={loadError} title="Could not load the bookings" />
          <Card className="card-flush cal-card" data-testid="booking-calendar">
            <FullCalendar
              ref={calRef}
              plugins={[timeGridPlugin, dayGridPlugin, interactionPlugin]}
              initialView="timeGridWeek"
              initialDate={initialDate}
              timeZone="UTC"
              now={() => toWall(Date.now(), timeZone)}
              locale="en-GB"
              firstDay={1}
              headerToolbar={{ left: 'prev,next today', center: 'title', right: 'timeGridDay,timeGridWeek,dayGridMonth' }}
              buttonText={{ today: 'Today', day: 'Day', week: 'Week', month: 'Month' }}
              contentHeight={680}
              expandRows
              scrollTime="07:00:00"
              slotDuration="00:30:00"
              snapDuration="00:15:00"
              slotLabelFormat={{ hour: '2-digit', minute: '2-digit', hour12: false }}
              eventTimeFormat={{ hour: '2-digit', minute: '2-digit', hour12: false }}
              dayHeaderFormat={{ weekday: 'short', day: 'numeric', month: 'numeric', omitCommas: true }}
              views={{ dayGridMonth: { dayHeaderFormat: { weekday: 'short' } } }}
              allDaySlot={false}
              nowIndicator
              dayMaxEvents={4}
              events={fetchEvents}
              loading={setLoading}
              editable={isStaff}
              eventDurationEditable={isStaff}
              selectable={isStaff}
              selectMirror
              eventDrop={onMove}
              eventResize={onMove}
              select={onSelect}
              eventClick={onClick}
              eventContent={(arg) => <EventContent arg={arg} timeZone={timeZone} />}
            />
          </Card>
        </>
      )}
      <CreateBookingDialog
        draft={draft}
        resources={bookable}
        timeZone={timeZone}
        known={titles.current}
        onClose={() => setDraft(null)}
        onCreated={(b) => {
          setDraft(null);
          setNotice(`“${b.title}” was booked${b.recurrenceRule ? ' (recurring)' : ''}.`);
          refetch();
        }}
      />
      <OccurrenceDialog
        occ={opened}
        timeZone={timeZone}
        canEdit={isStaff}
        known={titles.current}
        onClose={() => setOpened(null)}
        onDone={(msg) => {
          setOpened(null);
          setNotice(msg);
          refetch();
        }}
      />
    </>
  );
}

function EventContent({ arg, timeZone }: { arg: EventContentArg; timeZone: string }) {
  const { occurrence: o, resourceName, maintenance } = arg.event.extendedProps as EventProps;
  const start = arg.event.start;
  const end = arg.event.end;
  const compact = arg.view.type === 'dayGridMonth';
  const time = start ? (compact ? wallTime(start) : `${wallTime(start)}${end ? `–${wallTime(end)}` : ''}`) : '';
  const label = o ? `${o.title}, ${o ? formatRange(o.start, o.end, timeZone) : ''}${o.recurring ? ', recurring' : ''}` : `Maintenance: ${arg.event.title}`;
  return (
    <div
      className={`cal-ev${compact ? ' cal-ev-compact' : ''}`}
      data-testid={maintenance ? 'calendar-maintenance' : 'calendar-event'}
      data-resource-name={resourceName}
      data-booking-id={o?.bookingId}
      data-start={o?.start}
      title={label}
    >
      {compact && <span className="cal-ev-dot" style={{ background: arg.borderColor }} />}
      <span className="cal-ev-time">{time}</span>
      <span className="cal-ev-title">
        {o?.recurring && <IconRepeat size={12} className="cal-ev-repeat" data-testid="repeat-icon" aria-label="Recurring" role="img" aria-hidden={false} />}
        {arg.event.title}
      </span>
      {!compact && resourceName && <span className="cal-ev-sub">{resourceName}</span>}
    </div>
  );
}
