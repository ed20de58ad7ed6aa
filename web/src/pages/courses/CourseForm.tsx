import { useEffect, useState, type FormEvent } from 'react';
import { api, itemsOf } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import type { CourseDetail, Resource, User } from '../../api/types';
import { buildRRule, defaultRepeat, describeRepeat, parseRepeat, WEEKDAY_LONG, WEEKDAY_SHORT, WEEKDAYS, type RepeatSpec } from '../../bookings/rrule';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconRepeat } from '../../components/Icons';
import { Alert, Button, Card, Field, PageHeader, SelectField, Spinner, TextField } from '../../components/ui';
import { CATEGORIES, CATEGORY_LABEL, LEVELS, LEVEL_LABEL, conflictingSessions, courseBody, longDate, type CourseFormValues } from '../../courses/schedule';
import { formatDate, todayIn } from '../../format';
import { useTitle } from '../../hooks';
import { Link, useNavigate } from '../../router';
import { localTime, useCourseContext } from './common';

const FIELDS = ['name', 'description', 'recurrenceRule', 'startDate', 'endDate', 'startTime', 'durationMinutes', 'resourceId', 'instructorUserId', 'instructorName', 'maxParticipants', 'levelCd', 'categoryCd'];

function valuesOf(c: CourseDetail | null, today: string): CourseFormValues {
  return {
    name: c?.name ?? '',
    description: c?.description ?? '',
    recurrenceRule: c?.recurrenceRule ?? '',
    startDate: c?.startDate ?? today,
    endDate: c?.endDate ?? '',
    startTime: c?.startTime ?? '18:00',
    durationMinutes: String(c?.durationMinutes ?? 60),
    resourceId: c?.resourceId ? String(c.resourceId) : '',
    instructorUserId: c?.instructorUserId ? String(c.instructorUserId) : '',
    instructorName: c?.instructorName ?? '',
    maxParticipants: c?.maxParticipants != null ? String(c.maxParticipants) : '',
    waitListEnabled: c?.waitListEnabled ?? true,
    levelCd: c?.levelCd ?? '',
    categoryCd: c?.categoryCd ?? '',
  };
}

/**
 * The course's repeat rule, built with bookings/rrule.ts. Courses end through
 * their own "last day", so the builder offers frequency, interval and days only;
 * a rule it cannot read (hand-written, with COUNT…) is edited as text.
 */
function CourseRepeat({ rule, startDate, onChange, error }: { rule: string; startDate: string; onChange: (rule: string) => void; error?: string }) {
  const parsed = parseRepeat(rule, startDate);
  const [raw, setRaw] = useState(() => !!rule && !parsed);
  const base: RepeatSpec = parsed && parsed.freq !== 'NONE' ? parsed : { ...defaultRepeat(startDate), freq: 'WEEKLY' };
  const set = (s: RepeatSpec) => onChange(buildRRule(s) ?? '');
  useEffect(() => {
    // A new course starts as "weekly on the first day's weekday".
    if (!rule) onChange(buildRRule(base) ?? '');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (raw)
    return (
      <TextField
        label="Repeat rule (RRULE)"
        value={rule}
        onChange={(e) => onChange(e.target.value)}
        error={error}
        hint="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR"
        className="input mono"
        data-testid="course-rrule-raw"
      />
    );
  const unit = { NONE: '', DAILY: 'days', WEEKLY: 'weeks', MONTHLY: 'months' }[base.freq];
  return (
    <fieldset className="fieldset repeat" data-testid="course-repeat">
      <legend className="field-label">Repeats</legend>
      <div className="form-row">
        <SelectField
          label="Frequency"
          value={base.freq}
          onChange={(e) => set({ ...base, freq: e.target.value as RepeatSpec['freq'] })}
          data-testid="course-freq"
        >
          <option value="DAILY">Daily</option>
          <option value="WEEKLY">Weekly</option>
          <option value="MONTHLY">Monthly (same day of the month)</option>
        </SelectField>
        <TextField label={`Every … ${unit}`} type="number" min={1} max={99} value={String(base.interval)} onChange={(e) => set({ ...base, interval: Math.max(1, Number(e.target.value) || 1) })} data-testid="course-interval" />
      </div>
      {base.freq === 'WEEKLY' && (
        <div className={`fieldset${error ? ' field-invalid' : ''}`} role="group" aria-label="On these days">
          <span className="field-label">On</span>
          <div className="check-row">
            {WEEKDAYS.map((d) => {
              const on = base.byDay.includes(d);
              return (
                <label key={d} className={`check${on ? ' check-on' : ''}`} title={WEEKDAY_LONG[d]}>
                  <input
                    type="checkbox"
                    checked={on}
                    onChange={(e) => set({ ...base, byDay: e.target.checked ? [...base.byDay, d] : base.byDay.filter((x) => x !== d) })}
                    data-testid={`course-day-${d}`}
                  />
                  <span>{WEEKDAY_SHORT[d]}</span>
                </label>
              );
            })}
          </div>
        </div>
      )}
      {error && <p className="field-error">{error}</p>}
      <p className="repeat-summary">
        <IconRepeat size={14} /> {describeRepeat(base)} <code className="mono" data-testid="course-rrule">{rule}</code>
        <button type="button" className="link-btn" onClick={() => setRaw(true)}>
          Edit as text
        </button>
      </p>
    </fieldset>
  );
}

/** /courses/new and /courses/:id/edit. */
export function CourseFormPage({ id }: { id?: number }) {
  useTitle(id ? 'Edit course' : 'New course');
  const navigate = useNavigate();
  const { timeZone, isTrainer, canManage } = useCourseContext();
  const today = todayIn(timeZone);
  const [course, setCourse] = useState<CourseDetail | null>(null);
  const [v, setV] = useState<CourseFormValues | null>(id ? null : valuesOf(null, today));
  const [resources, setResources] = useState<Resource[]>([]);
  const [trainers, setTrainers] = useState<User[] | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [conflicts, setConflicts] = useState<{ sessionDate: string; start: string; end: string }[]>([]);
  const [skip, setSkip] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    api
      .listResources({}, ctrl.signal)
      .then((p) => setResources(itemsOf(p).filter((r) => r.statusCd !== 'RETIRED')))
      .catch(() => undefined);
    if (!isTrainer)
      api
        .listUsers(ctrl.signal)
        .then((p) => setTrainers(itemsOf(p).filter((u) => u.role === 'TRAINER')))
        .catch(() => setTrainers(null));
    if (id)
      api
        .getCourse(id, ctrl.signal)
        .then((c) => {
          setCourse(c);
          setV(valuesOf(c, today));
        })
        .catch((e) => !ctrl.signal.aborted && setError(e));
    return () => ctrl.abort();
  }, [id, isTrainer, today]);

  if (!canManage) return <Alert title="Only club admins and trainers manage courses." />;
  if (!v) return error ? <ErrorBanner error={error} title="Could not load the course" /> : <Spinner label="Loading the course…" />;

  const set = <K extends keyof CourseFormValues>(k: K, val: CourseFormValues[K]) => {
    setV({ ...v, [k]: val });
    setConflicts([]);
    setSkip(false);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { errors: local, body } = courseBody(v);
    if (v.recurrenceRule && /FREQ=WEEKLY/i.test(v.recurrenceRule) && !/BYDAY=/i.test(v.recurrenceRule)) local.recurrenceRule = 'Choose at least one day';
    setErrors(local);
    setError(null);
    if (!body || Object.keys(local).length) return;
    setBusy(true);
    try {
      const saved = course
        ? await api.updateCourse(course.id, { ...body, statusCd: course.statusCd, version: course.version, ...(course.imageUrl ? { imageUrl: course.imageUrl } : {}) }, skip)
        : await api.createCourse(body, skip);
      const skipped = saved.skipped?.length ? `?skipped=${saved.skipped.map((s) => s.sessionDate).join(',')}` : '';
      navigate(`/courses/${saved.id}${skipped}`);
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors);
        const list = err.status === 409 ? conflictingSessions(err.problem) : [];
        setConflicts(list);
        if (list.length) {
          setError(null);
          return;
        }
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const trainerKnown = !v.instructorUserId || trainers?.some((t) => String(t.id) === v.instructorUserId);
  return (
    <>
      <PageHeader
        title={course ? `Edit ${course.name}` : 'New course'}
        breadcrumb={
          <>
            <Link to="/courses">Courses</Link>
            {course && (
              <>
                {' / '}
                <Link to={`/courses/${course.id}`}>{course.name}</Link>
              </>
            )}
          </>
        }
        description={`Times are in the organisation’s time zone${timeZone ? ` (${timeZone})` : ''}.`}
      />
      {conflicts.length > 0 && (
        <Alert tone="danger" title="The room is already booked for some sessions" data-testid="course-conflicts">
          <p>{conflicts.length === 1 ? 'This session collides' : `These ${conflicts.length} sessions collide`} with another booking:</p>
          <ul className="conflict-list" data-testid="conflict-list">
            {conflicts.map((c) => (
              <li key={c.start} data-testid="conflict-session">
                {longDate(c.sessionDate)}, {localTime(c.start, timeZone)}–{localTime(c.end, timeZone)}
              </li>
            ))}
          </ul>
          <div className="checkbox-field checkbox-field-inline">
            <input id="course-skip" type="checkbox" checked={skip} onChange={(e) => setSkip(e.target.checked)} data-testid="course-skip-conflicts" />
            <label htmlFor="course-skip">Skip the colliding sessions and save the others</label>
          </div>
        </Alert>
      )}
      <ErrorBanner error={error} title="The course could not be saved" shownFields={FIELDS} />
      <Card className="form-card">
        <form className="form" onSubmit={submit} noValidate data-testid="course-form">
          <TextField label="Name" value={v.name} onChange={(e) => set('name', e.target.value)} error={errors.name} placeholder="e.g. Yoga Basics" data-testid="course-name" />
          <Field label="Description" optional error={errors.description}>
            {({ id: fid, describedBy }) => <textarea id={fid} className="input textarea" rows={2} maxLength={2000} value={v.description} onChange={(e) => set('description', e.target.value)} aria-describedby={describedBy} />}
          </Field>
          <div className="form-row form-row-3">
            <TextField label="Start time" type="time" value={v.startTime} onChange={(e) => set('startTime', e.target.value)} error={errors.startTime} data-testid="course-start-time" />
            <TextField label="Duration (minutes)" type="number" min={5} max={1440} step={5} value={v.durationMinutes} onChange={(e) => set('durationMinutes', e.target.value)} error={errors.durationMinutes} data-testid="course-duration" />
            <TextField label="Capacity" optional inputMode="numeric" value={v.maxParticipants} onChange={(e) => set('maxParticipants', e.target.value)} error={errors.maxParticipants} hint="Empty: no limit" data-testid="course-capacity" />
          </div>
          <div className="form-row">
            <TextField label="First day" type="date" value={v.startDate} onChange={(e) => set('startDate', e.target.value)} error={errors.startDate} data-testid="course-start-date" />
            <TextField label="Last day" optional type="date" min={v.startDate} value={v.endDate} onChange={(e) => set('endDate', e.target.value)} error={errors.endDate} hint="Empty: runs until you end it" data-testid="course-end-date" />
          </div>
          <CourseRepeat rule={v.recurrenceRule} startDate={v.startDate || today} onChange={(r) => set('recurrenceRule', r)} error={errors.recurrenceRule} />
          <div className="form-row">
            <SelectField label="Room" optional value={v.resourceId} onChange={(e) => set('resourceId', e.target.value)} error={errors.resourceId} hint="Every session is booked on it" data-testid="course-resource">
              <option value="">No room</option>
              {resources.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                  {r.capacity ? ` (${r.capacity})` : ''}
                </option>
              ))}
            </SelectField>
            {trainers ? (
              <SelectField label="Instructor" optional value={v.instructorUserId} onChange={(e) => set('instructorUserId', e.target.value)} error={errors.instructorUserId} data-testid="course-instructor">
                <option value="">Nobody assigned</option>
                {!trainerKnown && <option value={v.instructorUserId}>User #{v.instructorUserId}</option>}
                {trainers.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.email}
                  </option>
                ))}
              </SelectField>
            ) : (
              <TextField label="Instructor" value={isTrainer ? 'You' : '—'} readOnly disabled hint={isTrainer ? 'You are this course’s instructor' : undefined} />
            )}
          </div>
          <TextField label="Instructor display name" optional value={v.instructorName} onChange={(e) => set('instructorName', e.target.value)} error={errors.instructorName} hint="Shown on the public schedule" placeholder="e.g. Kim" data-testid="course-instructor-name" />
          <div className="form-row">
            <SelectField label="Level" optional value={v.levelCd} onChange={(e) => set('levelCd', e.target.value)} error={errors.levelCd} data-testid="course-level">
              <option value="">—</option>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {LEVEL_LABEL[l]}
                </option>
              ))}
            </SelectField>
            <SelectField label="Category" optional value={v.categoryCd} onChange={(e) => set('categoryCd', e.target.value)} error={errors.categoryCd} data-testid="course-category">
              <option value="">—</option>
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {CATEGORY_LABEL[c]}
                </option>
              ))}
            </SelectField>
          </div>
          <div className="checkbox-field">
            <input id="course-waitlist" type="checkbox" checked={v.waitListEnabled} onChange={(e) => set('waitListEnabled', e.target.checked)} data-testid="course-waitlist" />
            <div>
              <label htmlFor="course-waitlist">Wait list</label>
              <p className="field-hint">When the course is full, members join a wait list and move up automatically when a seat frees.</p>
            </div>
          </div>
          {course?.exDates?.length ? <p className="field-hint">Skipped sessions: {course.exDates.map(formatDate).join(', ')}</p> : null}
          <div className="form-actions">
            <Link to={course ? `/courses/${course.id}` : '/courses'} className="btn btn-ghost">
              Cancel
            </Link>
            <Button variant="primary" type="submit" busy={busy} data-testid="course-submit">
              {course ? 'Save changes' : 'Create course'}
            </Button>
          </div>
        </form>
      </Card>
    </>
  );
}
