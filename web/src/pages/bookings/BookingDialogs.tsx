import { useEffect, useState, type FormEvent } from 'react';
import { api, itemsOf } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import { BOOKED_FOR_TYPES, type BookedForType, type Booking, type BookingCreated, type Member, type Resource } from '../../api/types';
import { kindStyle } from '../../bookings/colours';
import {
  buildRRule,
  defaultRepeat,
  describeRepeat,
  nthLabel,
  nthOf,
  parseRepeat,
  validateRepeat,
  weekdayOf,
  WEEKDAY_LONG,
  WEEKDAY_SHORT,
  WEEKDAYS,
  type RepeatSpec,
} from '../../bookings/rrule';
import { formatRange, fromWall, isoUtc, toWall, wallDate, wallFrom, wallTime } from '../../bookings/tz';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconRepeat, IconSearch } from '../../components/Icons';
import { Alert, Badge, Button, Dialog, Field, SelectField, TextField } from '../../components/ui';
import { fullName } from '../../format';
import { useDebounced } from '../../hooks';
import { BOOKED_FOR_LABEL, describeConflicts, conflictsOf } from './common';

export interface SlotDraft {
  /** Wall-clock date and times in the organisation's zone. */
  date: string;
  startTime: string;
  endTime: string;
  /** The end is on another day (a selection across midnight or in month view). */
  endDate: string;
  resourceId?: number;
}

/** The repeat builder: produces an RRULE string (bookings/rrule.ts). */
export function RepeatBuilder({
  spec,
  startDate,
  onChange,
  errors,
}: {
  spec: RepeatSpec;
  startDate: string;
  onChange: (s: RepeatSpec) => void;
  errors: Record<string, string>;
}) {
  const set = <K extends keyof RepeatSpec>(k: K, v: RepeatSpec[K]) => onChange({ ...spec, [k]: v });
  const wd = weekdayOf(startDate);
  const nth = nthOf(startDate);
  const day = Number(startDate.slice(8, 10)) || 1;
  const rule = buildRRule(spec);
  const unit = { NONE: '', DAILY: 'days', WEEKLY: 'weeks', MONTHLY: 'months' }[spec.freq];
  return (
    <fieldset className="fieldset repeat" data-testid="repeat-builder">
      <legend className="field-label">Repeat</legend>
      <div className="form-row">
        <SelectField
          label="Frequency"
          value={spec.freq}
          onChange={(e) => {
            const freq = e.target.value as RepeatSpec['freq'];
            // Monthly follows the start date, so the first occurrence is the start itself.
            onChange({ ...spec, freq, byDay: spec.byDay.length ? spec.byDay : [wd], monthDay: day, nthWeekday: wd, nth: nth.nth });
          }}
          data-testid="repeat-freq"
        >
          <option value="NONE">Does not repeat</option>
          <option value="DAILY">Daily</option>
          <option value="WEEKLY">Weekly</option>
          <option value="MONTHLY">Monthly</option>
        </SelectField>
        {spec.freq !== 'NONE' && (
          <TextField
            label={`Every … ${unit}`}
            type="number"
            min={1}
            max={99}
            value={String(spec.interval)}
            onChange={(e) => set('interval', Number(e.target.value))}
            error={errors.interval}
            data-testid="repeat-interval"
          />
        )}
      </div>
      {spec.freq === 'WEEKLY' && (
        <div className={`fieldset${errors.byDay ? ' field-invalid' : ''}`} role="group" aria-label="On these days">
          <span className="field-label">On</span>
          <div className="check-row">
            {WEEKDAYS.map((d) => {
              const on = spec.byDay.includes(d);
              return (
                <label key={d} className={`check${on ? ' check-on' : ''}`} title={WEEKDAY_LONG[d]}>
                  <input
                    type="checkbox"
                    checked={on}
                    onChange={(e) => set('byDay', e.target.checked ? [...spec.byDay, d] : spec.byDay.filter((x) => x !== d))}
                    data-testid={`repeat-day-${d}`}
                  />
                  <span>{WEEKDAY_SHORT[d]}</span>
                </label>
              );
            })}
          </div>
          {errors.byDay && <p className="field-error">{errors.byDay}</p>}
        </div>
      )}
      {spec.freq === 'MONTHLY' && (
        <SelectField
          label="On"
          value={spec.monthlyMode === 'DAY_OF_MONTH' ? 'DAY' : String(spec.nth)}
          onChange={(e) => {
            const v = e.target.value;
            if (v === 'DAY') onChange({ ...spec, monthlyMode: 'DAY_OF_MONTH', monthDay: day });
            else onChange({ ...spec, monthlyMode: 'NTH_WEEKDAY', nth: Number(v) as RepeatSpec['nth'], nthWeekday: wd });
          }}
          data-testid="repeat-monthly"
        >
          <option value="DAY">Day {day} of the month</option>
          {nth.ordinal <= 4 && (
            <option value={String(nth.ordinal)}>
              The {nthLabel(nth.ordinal as RepeatSpec['nth'])} {WEEKDAY_LONG[wd]}
            </option>
          )}
          {nth.isLast && <option value="-1">The last {WEEKDAY_LONG[wd]}</option>}
        </SelectField>
      )}
      {spec.freq !== 'NONE' && (
        <div className="form-row">
          <SelectField label="Ends" value={spec.end} onChange={(e) => set('end', e.target.value as RepeatSpec['end'])} data-testid="repeat-end">
            <option value="NEVER">Never</option>
            <option value="UNTIL">On a date</option>
            <option value="COUNT">After a number of times</option>
          </SelectField>
          {spec.end === 'UNTIL' && (
            <TextField label="Last day" type="date" value={spec.until} min={startDate} onChange={(e) => set('until', e.target.value)} error={errors.until} data-testid="repeat-until" />
          )}
          {spec.end === 'COUNT' && (
            <TextField label="Times" type="number" min={1} max={10000} value={String(spec.count)} onChange={(e) => set('count', Number(e.target.value))} error={errors.count} data-testid="repeat-count" />
          )}
        </div>
      )}
      {rule && (
        <p className="repeat-summary">
          <IconRepeat size={14} /> {describeRepeat(spec)} <code className="mono" data-testid="repeat-rrule">{rule}</code>
        </p>
      )}
    </fieldset>
  );
}

function MemberSelect({ value, onChange, error }: { value: Member | null; onChange: (m: Member | null) => void; error?: string }) {
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 250);
  const [results, setResults] = useState<Member[] | null>(null);
  useEffect(() => {
    if (!q) {
      setResults(null);
      return;
    }
    const ctrl = new AbortController();
    api
      .listMembers({ query: q, size: 8 }, ctrl.signal)
      .then((p) => setResults(itemsOf(p)))
      .catch(() => undefined);
    return () => ctrl.abort();
  }, [q]);
  return (
    <Field label="Member" error={error}>
      {({ id, describedBy, invalid }) =>
        value ? (
          <div className="picked" data-testid="booking-member">
            <span className="cell-title">{fullName(value)}</span>
            <span className="cell-sub">#{value.memberNumber}</span>
            <button type="button" className="link-btn" onClick={() => onChange(null)}>
              Change
            </button>
          </div>
        ) : (
          <div className="member-picker">
            <div className="search">
              <IconSearch size={16} className="search-icon" />
              <input
                id={id}
                className="input search-input"
                type="search"
                placeholder="Search by name, e-mail or member number"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                autoComplete="off"
                data-testid="booking-member-search"
              />
            </div>
            {results && (
              <ul className="picker-results" aria-label="Search results">
                {results.length === 0 && <li className="picker-empty">No member matches “{q}”.</li>}
                {results.map((m) => (
                  <li key={m.id}>
                    <button type="button" className="picker-result" onClick={() => onChange(m)} data-testid="booking-member-result">
                      <span className="cell-title">{fullName(m)}</span>
                      <span className="cell-sub">
                        #{m.memberNumber} · {m.email}
                      </span>
                      <span className="picker-action">Choose</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )
      }
    </Field>
  );
}

export function CreateBookingDialog({
  draft,
  resources,
  timeZone,
  known,
  onClose,
  onCreated,
}: {
  draft: SlotDraft | null;
  resources: Resource[];
  timeZone: string;
  known: Map<number, string>;
  onClose: () => void;
  onCreated: (b: BookingCreated) => void;
}) {
  const [title, setTitle] = useState('');
  const [resourceId, setResourceId] = useState('');
  const [date, setDate] = useState('');
  const [startTime, setStartTime] = useState('');
  const [endTime, setEndTime] = useState('');
  const [forType, setForType] = useState<BookedForType>('MEMBER');
  const [member, setMember] = useState<Member | null>(null);
  const [notes, setNotes] = useState('');
  const [repeat, setRepeat] = useState<RepeatSpec>(defaultRepeat('2026-01-01'));
  const [skip, setSkip] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [conflictText, setConflictText] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<BookingCreated | null>(null);

  useEffect(() => {
    if (!draft) return;
    setTitle('');
    setResourceId(draft.resourceId ? String(draft.resourceId) : resources.length === 1 ? String(resources[0].id) : '');
    setDate(draft.date);
    setStartTime(draft.startTime);
    setEndTime(draft.endTime);
    setForType('MEMBER');
    setMember(null);
    setNotes('');
    setRepeat(defaultRepeat(draft.date));
    setSkip(false);
    setErrors({});
    setError(null);
    setConflictText(null);
    setCreated(null);
  }, [draft, resources]);

  const repeatErrors = date ? validateRepeat(repeat, date) : {};

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!title.trim()) local.title = 'Title is required';
    if (!resourceId) local.resourceId = 'Choose a resource';
    if (!date) local.startDateTime = 'Choose a day';
    if (!startTime) local.startDateTime = 'Choose a start time';
    if (!endTime) local.endDateTime = 'Choose an end time';
    else if (endTime <= startTime) local.endDateTime = 'The end must be after the start';
    if (forType === 'MEMBER' && !member) local.bookedForId = 'Choose the member';
    setErrors(local);
    setError(null);
    setConflictText(null);
    if (Object.keys(local).length || Object.keys(repeatErrors).length) return;
    const rule = buildRRule(repeat);
    setBusy(true);
    try {
      const b = await api.createBooking(
        {
          resourceId: Number(resourceId),
          title: title.trim(),
          startDateTime: isoUtc(fromWall(wallFrom(date, startTime), timeZone)),
          endDateTime: isoUtc(fromWall(wallFrom(date, endTime), timeZone)),
          bookedForType: forType,
          ...(forType === 'MEMBER' && member ? { bookedForId: member.id } : {}),
          ...(rule ? { recurrenceRule: rule } : {}),
          ...(notes.trim() ? { notes: notes.trim() } : {}),
        },
        !!rule && skip,
      );
      if (b.skipped && b.skipped.length) setCreated(b);
      else onCreated(b);
    } catch (err) {
      const conflicts = conflictsOf(err);
      if (conflicts) setConflictText(await describeConflicts(conflicts, timeZone, known));
      else {
        if (err instanceof ApiError) setErrors(err.fieldErrors);
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Dialog
        open={!!draft}
        title="Booking created"
        onClose={() => onCreated(created)}
        data-testid="booking-skipped-dialog"
        footer={
          <Button variant="primary" onClick={() => onCreated(created)}>
            Done
          </Button>
        }
      >
        <Alert tone="warning" title={`${created.skipped!.length} conflicting ${created.skipped!.length === 1 ? 'occurrence was' : 'occurrences were'} skipped`}>
          <ul className="error-list" data-testid="skipped-list">
            {created.skipped!.map((s) => (
              <li key={s.start}>{formatRange(s.start, s.end, timeZone)}</li>
            ))}
          </ul>
        </Alert>
        <p className="card-note">The other occurrences of “{created.title}” are booked.</p>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={!!draft}
      title="New booking"
      description={`Times are in the organisation’s time zone (${timeZone}).`}
      onClose={onClose}
      wide
      data-testid="create-booking-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="booking-form" busy={busy} data-testid="create-booking-submit">
            Book
          </Button>
        </>
      }
    >
      {conflictText && (
        <Alert tone="danger" title="The resource is already booked" data-testid="booking-conflict">
          <p>It overlaps {conflictText.join(', ')}.</p>
          {buildRRule(repeat) && !skip && <p>Tick “Skip conflicting occurrences” to book the others.</p>}
        </Alert>
      )}
      <ErrorBanner error={error} title="The booking could not be created" shownFields={['title', 'resourceId', 'startDateTime', 'endDateTime', 'bookedForId', 'recurrenceRule', 'notes']} />
      <form id="booking-form" className="form" onSubmit={submit} noValidate>
        <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} error={errors.title} placeholder="e.g. Squash with Alex" data-testid="booking-title" />
        <SelectField label="Resource" value={resourceId} onChange={(e) => setResourceId(e.target.value)} error={errors.resourceId} data-testid="booking-resource">
          <option value="">Choose…</option>
          {resources.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </SelectField>
        <div className="form-row form-row-3">
          <TextField label="Day" type="date" value={date} onChange={(e) => { setDate(e.target.value); setRepeat((r) => ({ ...defaultRepeat(e.target.value), freq: r.freq, end: r.end, until: r.until, count: r.count, interval: r.interval })); }} data-testid="booking-date" />
          <TextField label="Start" type="time" step={300} value={startTime} onChange={(e) => setStartTime(e.target.value)} error={errors.startDateTime} data-testid="booking-start" />
          <TextField label="End" type="time" step={300} value={endTime} onChange={(e) => setEndTime(e.target.value)} error={errors.endDateTime} data-testid="booking-end" />
        </div>
        <div className="form-row">
          <SelectField label="Booked for" value={forType} onChange={(e) => setForType(e.target.value as BookedForType)} error={errors.bookedForType} data-testid="booking-for-type">
            {BOOKED_FOR_TYPES.map((t) => (
              <option key={t} value={t}>
                {BOOKED_FOR_LABEL[t]}
              </option>
            ))}
          </SelectField>
          <div className="kind-preview">
            <span className="kind-swatch" style={{ background: kindStyle(forType).background, borderColor: kindStyle(forType).border }} />
            {kindStyle(forType).label} colour
          </div>
        </div>
        {forType === 'MEMBER' && <MemberSelect value={member} onChange={setMember} error={errors.bookedForId} />}
        <Field label="Notes" optional error={errors.notes}>
          {({ id, describedBy }) => (
            <textarea id={id} className="input textarea" rows={2} maxLength={500} value={notes} onChange={(e) => setNotes(e.target.value)} aria-describedby={describedBy} />
          )}
        </Field>
        {date && <RepeatBuilder spec={repeat} startDate={date} onChange={setRepeat} errors={repeatErrors} />}
        {errors.recurrenceRule && <p className="field-error">{errors.recurrenceRule}</p>}
        {buildRRule(repeat) && (
          <div className="checkbox-field">
            <input id="skip-conflicts" type="checkbox" checked={skip} onChange={(e) => setSkip(e.target.checked)} data-testid="booking-skip-conflicts" />
            <div>
              <label htmlFor="skip-conflicts">Skip conflicting occurrences</label>
              <p className="field-hint">Book the series without the occurrences that collide with other bookings; you see which were left out.</p>
            </div>
          </div>
        )}
      </form>
    </Dialog>
  );
}

export interface OccurrenceRef {
  bookingId: number;
  title: string;
  start: string;
  end: string;
  recurring: boolean;
  bookedForType: string;
  statusCd: string;
  resourceName?: string;
  moved?: boolean;
}

/** Details of one occurrence; cancel it, or the whole booking/series. */
export function OccurrenceDialog({
  occ,
  timeZone,
  canEdit,
  known = new Map(),
  onClose,
  onDone,
}: {
  occ: OccurrenceRef | null;
  timeZone: string;
  canEdit: boolean;
  /** bookingId → title of what is on screen, to name conflicts. */
  known?: Map<number, string>;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [booking, setBooking] = useState<Booking | null>(null);
  const [busy, setBusy] = useState<'one' | 'all' | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setBooking(null);
    setError(null);
    setConfirmAll(false);
    setEditing(false);
    if (!occ) return;
    const ctrl = new AbortController();
    api
      .getBooking(occ.bookingId, ctrl.signal)
      .then(setBooking)
      .catch(() => undefined);
    return () => ctrl.abort();
  }, [occ]);

  const cancel = async (scope: 'one' | 'all') => {
    if (!occ) return;
    setBusy(scope);
    setError(null);
    try {
      await api.cancelBooking(occ.bookingId, scope === 'one' ? occ.start : undefined);
      onDone(scope === 'one' ? `The occurrence of “${occ.title}” on ${formatRange(occ.start, occ.end, timeZone)} was cancelled.` : `“${occ.title}” was cancelled.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const style = kindStyle(occ?.bookedForType);
  const spec = booking?.recurrenceRule ? parseRepeat(booking.recurrenceRule, wallDate(toWall(booking.startDateTime, timeZone))) : null;
  const active = occ && (occ.statusCd === 'CONFIRMED' || occ.statusCd === 'TENTATIVE');
  if (editing && booking && occ) {
    return <EditBookingDialog booking={booking} timeZone={timeZone} known={known} onClose={() => setEditing(false)} onSaved={onDone} />;
  }
  return (
    <Dialog
      open={!!occ}
      title={occ?.title ?? 'Booking'}
      onClose={onClose}
      data-testid="occurrence-dialog"
      footer={
        canEdit && active ? (
          confirmAll ? (
            <>
              <span className="dialog-footer-note">Cancel every occurrence from now on?</span>
              <Button variant="ghost" onClick={() => setConfirmAll(false)}>
                Keep
              </Button>
              <Button variant="danger" busy={busy === 'all'} onClick={() => cancel('all')} data-testid="cancel-series-confirm">
                {occ?.recurring ? 'Cancel the series' : 'Cancel the booking'}
              </Button>
            </>
          ) : (
            <>
              {occ?.recurring && (
                <Button variant="secondary" busy={busy === 'one'} onClick={() => cancel('one')} data-testid="cancel-occurrence">
                  Cancel this occurrence
                </Button>
              )}
              <Button variant="secondary" disabled={!booking} onClick={() => setEditing(true)} data-testid="edit-booking">
                Edit
              </Button>
              <Button variant="danger" onClick={() => setConfirmAll(true)} data-testid="cancel-series">
                {occ?.recurring ? 'Cancel the whole series' : 'Cancel booking'}
              </Button>
            </>
          )
        ) : (
          <Button variant="secondary" onClick={onClose}>
            Close
          </Button>
        )
      }
    >
      {occ && (
        <dl className="details">
          <dt>When</dt>
          <dd>{formatRange(occ.start, occ.end, timeZone)}</dd>
          {occ.resourceName && (
            <>
              <dt>Resource</dt>
              <dd>{occ.resourceName}</dd>
            </>
          )}
          <dt>Type</dt>
          <dd>
            <span className="kind-dot" style={{ background: style.border }} /> {style.label}
          </dd>
          <dt>Status</dt>
          <dd>
            <Badge tone={occ.statusCd === 'CONFIRMED' ? 'success' : occ.statusCd === 'CANCELLED' ? 'neutral' : 'warning'}>{occ.statusCd.toLowerCase()}</Badge>
            {occ.moved && <span className="muted"> · moved from its regular time</span>}
          </dd>
          {occ.recurring && (
            <>
              <dt>Repeats</dt>
              <dd>
                <IconRepeat size={14} /> {spec ? describeRepeat(spec) : booking?.recurrenceRule ?? '…'}
              </dd>
            </>
          )}
          {booking?.notes && (
            <>
              <dt>Notes</dt>
              <dd>{booking.notes}</dd>
            </>
          )}
        </dl>
      )}
      {canEdit && active && <p className="card-note">To move {occ?.recurring ? 'this occurrence' : 'the booking'}, drag it in the calendar, or drag its lower edge to change the end.</p>}
      <ErrorBanner error={error} title="Could not cancel" />
    </Dialog>
  );
}

/**
 * Edits a booking: title, notes, times and, for a series, its rule (the repeat
 * builder prefilled from the stored RRULE; a rule the builder cannot show is
 * edited as text). A changed rule or time re-books the future occurrences
 * (PUT /api/bookings/{id}); a 409 names the conflicts.
 */
export function EditBookingDialog({
  booking,
  timeZone,
  known,
  onClose,
  onSaved,
}: {
  booking: Booking;
  timeZone: string;
  known: Map<number, string>;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const startWall = toWall(booking.startDateTime, timeZone);
  const endWall = toWall(booking.endDateTime, timeZone);
  const initialDate = wallDate(startWall);
  const [initialSpec] = useState(() => parseRepeat(booking.recurrenceRule, initialDate));
  const [title, setTitle] = useState(booking.title);
  const [notes, setNotes] = useState(booking.notes ?? '');
  const [date, setDate] = useState(initialDate);
  const [startTime, setStartTime] = useState(wallTime(startWall));
  const [endTime, setEndTime] = useState(wallTime(endWall));
  const [repeat, setRepeat] = useState<RepeatSpec>(() => initialSpec ?? defaultRepeat(initialDate));
  /** A stored rule the builder cannot show: edited as text. */
  const [rawRule, setRawRule] = useState<string | null>(() => (initialSpec ? null : booking.recurrenceRule ?? null));
  const [skip, setSkip] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [conflictText, setConflictText] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const started = !!booking.recurrenceRule && Date.parse(booking.startDateTime) < Date.now();
  const repeatErrors = rawRule === null && date ? validateRepeat(repeat, date) : {};
  /** The rule to send: the stored one while the builder is untouched (so an unchanged rule stays byte for byte). */
  const rule = (): string | null => {
    if (rawRule !== null) return rawRule.trim() || null;
    if (initialSpec && JSON.stringify(repeat) === JSON.stringify(initialSpec)) return booking.recurrenceRule ?? null;
    return buildRRule(repeat);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!title.trim()) local.title = 'Title is required';
    if (!date || !startTime) local.startDateTime = 'Choose the start';
    if (!endTime) local.endDateTime = 'Choose an end time';
    else if (endTime <= startTime) local.endDateTime = 'The end must be after the start';
    setErrors(local);
    setError(null);
    setConflictText(null);
    if (Object.keys(local).length || Object.keys(repeatErrors).length) return;
    const r = rule();
    // Keep an end on another day (a booking across midnight) as long as it was.
    const days = Math.round((Date.parse(`${wallDate(endWall)}T00:00:00Z`) - Date.parse(`${initialDate}T00:00:00Z`)) / 86_400_000);
    const endDay = new Date(Date.parse(`${date}T00:00:00Z`) + Math.max(0, days) * 86_400_000).toISOString().slice(0, 10);
    setBusy(true);
    try {
      const b = await api.updateBooking(
        booking.id,
        {
          title: title.trim(),
          startDateTime: isoUtc(fromWall(wallFrom(date, startTime), timeZone)),
          endDateTime: isoUtc(fromWall(wallFrom(endDay, endTime), timeZone)),
          version: booking.version,
          ...(r ? { recurrenceRule: r } : {}),
          ...(notes.trim() ? { notes: notes.trim() } : {}),
        },
        !!r && skip,
      );
      const skipped = b.skipped?.length ? ` ${b.skipped.length} conflicting ${b.skipped.length === 1 ? 'occurrence was' : 'occurrences were'} skipped.` : '';
      onSaved(`“${b.title}” was saved.${skipped}`);
    } catch (err) {
      const conflicts = conflictsOf(err);
      if (conflicts) setConflictText(await describeConflicts(conflicts, timeZone, known));
      else {
        if (err instanceof ApiError) setErrors(err.fieldErrors);
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title="Edit booking"
      description={`Times are in the organisation’s time zone (${timeZone}).`}
      onClose={onClose}
      wide
      data-testid="edit-booking-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="edit-booking-form" busy={busy} data-testid="edit-booking-submit">
            Save
          </Button>
        </>
      }
    >
      {conflictText && (
        <Alert tone="danger" title="Not saved: the resource is already booked" data-testid="edit-booking-conflict">
          <p>The new times overlap {conflictText.join(', ')}. Nothing was changed.</p>
          {rule() && !skip && <p>Tick “Skip conflicting occurrences” to book the others.</p>}
        </Alert>
      )}
      <ErrorBanner error={error} title="The booking could not be saved" shownFields={['title', 'startDateTime', 'endDateTime', 'recurrenceRule', 'notes']} />
      {started && (
        <p className="card-note">
          This series has started. To change its repeat or times, choose a first day from today on: occurrences already past stay as they were, and moved or
          cancelled future occurrences are reset.
        </p>
      )}
      <form id="edit-booking-form" className="form" onSubmit={submit} noValidate>
        <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} error={errors.title} data-testid="edit-booking-title" />
        <div className="form-row form-row-3">
          <TextField
            label={booking.recurrenceRule ? 'First day' : 'Day'}
            type="date"
            value={date}
            onChange={(e) => {
              const d = e.target.value;
              setDate(d);
              setRepeat((r) => ({ ...defaultRepeat(d), freq: r.freq, end: r.end, until: r.until, count: r.count, interval: r.interval, byDay: r.freq === 'WEEKLY' ? r.byDay : defaultRepeat(d).byDay }));
            }}
            data-testid="edit-booking-date"
          />
          <TextField label="Start" type="time" step={300} value={startTime} onChange={(e) => setStartTime(e.target.value)} error={errors.startDateTime} data-testid="edit-booking-start" />
          <TextField label="End" type="time" step={300} value={endTime} onChange={(e) => setEndTime(e.target.value)} error={errors.endDateTime} data-testid="edit-booking-end" />
        </div>
        <Field label="Notes" optional error={errors.notes}>
          {({ id, describedBy }) => (
            <textarea id={id} className="input textarea" rows={2} maxLength={500} value={notes} onChange={(e) => setNotes(e.target.value)} aria-describedby={describedBy} data-testid="edit-booking-notes" />
          )}
        </Field>
        {rawRule !== null ? (
          <TextField label="Repeat rule (RRULE)" value={rawRule} onChange={(e) => setRawRule(e.target.value)} error={errors.recurrenceRule} className="mono" data-testid="edit-booking-rrule" />
        ) : (
          date && <RepeatBuilder spec={repeat} startDate={date} onChange={setRepeat} errors={repeatErrors} />
        )}
        {rawRule === null && errors.recurrenceRule && <p className="field-error">{errors.recurrenceRule}</p>}
        {rule() && (
          <div className="checkbox-field">
            <input id="edit-skip-conflicts" type="checkbox" checked={skip} onChange={(e) => setSkip(e.target.checked)} data-testid="edit-booking-skip-conflicts" />
            <div>
              <label htmlFor="edit-skip-conflicts">Skip conflicting occurrences</label>
              <p className="field-hint">Keep the series without the occurrences that collide with other bookings.</p>
            </div>
          </div>
        )}
      </form>
    </Dialog>
  );
}
