import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import type { CourseDetail, CourseRegistration, CourseRoster, CourseUpdate } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconEdit } from '../../components/Icons';
import { Alert, Badge, Button, Card, Dialog, PageHeader, Spinner } from '../../components/ui';
import { CATEGORY_LABEL, LEVEL_LABEL, conflictingSessions, dayLabel, endTime, longDate, memberAction, seatsText, type CourseStatus } from '../../courses/schedule';
import { formatDate, fullName } from '../../format';
import { useTitle } from '../../hooks';
import { Link, useSearchParams } from '../../router';
import { CoursesTabs, courseStatusBadge, localTime, useCourseContext } from './common';
import { ruleText } from './Courses';

/** The PUT body that keeps a course as it is, with changes. */
export function courseUpdate(c: CourseDetail, change: Partial<CourseUpdate>): CourseUpdate {
  const body: CourseUpdate = {
    name: c.name,
    recurrenceRule: c.recurrenceRule,
    startDate: c.startDate,
    startTime: c.startTime,
    durationMinutes: c.durationMinutes,
    waitListEnabled: c.waitListEnabled,
    statusCd: c.statusCd,
    version: c.version,
  };
  if (c.description) body.description = c.description;
  if (c.endDate) body.endDate = c.endDate;
  if (c.imageUrl) body.imageUrl = c.imageUrl;
  if (c.instructorName) body.instructorName = c.instructorName;
  if (c.instructorUserId) body.instructorUserId = c.instructorUserId;
  if (c.resourceId) body.resourceId = c.resourceId;
  if (c.maxParticipants != null) body.maxParticipants = c.maxParticipants;
  if (c.levelCd) body.levelCd = c.levelCd;
  if (c.categoryCd) body.categoryCd = c.categoryCd;
  return { ...body, ...change };
}

const STATUS_ACTIONS: Record<CourseStatus, { to: CourseStatus; label: string; variant: 'secondary' | 'danger' }[]> = {
  ACTIVE: [
    { to: 'PAUSED', label: 'Pause', variant: 'secondary' },
    { to: 'CANCELLED', label: 'Cancel course', variant: 'danger' },
  ],
  PAUSED: [
    { to: 'ACTIVE', label: 'Resume', variant: 'secondary' },
    { to: 'CANCELLED', label: 'Cancel course', variant: 'danger' },
  ],
  CANCELLED: [],
};

const CONFIRM: Record<CourseStatus, { title: string; text: string; button: string }> = {
  PAUSED: { title: 'Pause this course?', text: 'Future sessions are taken off the schedule and the room is released. Registrations are kept; resume to book the room again.', button: 'Pause course' },
  CANCELLED: { title: 'Cancel this course?', text: 'Future sessions are released and the course cannot be resumed. This cannot be undone.', button: 'Cancel course' },
  ACTIVE: { title: 'Resume this course?', text: 'The room is booked again for every future session. Sessions taken by someone else meanwhile can be skipped.', button: 'Resume course' },
};

export function CourseDetailPage({ id }: { id: number }) {
  const { timeZone, isMember, canManage, canRoster, user } = useCourseContext();
  const params = useSearchParams();
  const [course, setCourse] = useState<CourseDetail | null>(null);
  const [mine, setMine] = useState<CourseRegistration | null>(null);
  const [roster, setRoster] = useState<CourseRoster | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<CourseStatus | null>(null);
  const [skipOnResume, setSkipOnResume] = useState(false);
  const [resumeConflicts, setResumeConflicts] = useState<{ sessionDate: string; start: string; end: string }[]>([]);
  useTitle(course?.name ?? 'Course');

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const c = await api.getCourse(id, signal);
        setCourse(c);
        if (isMember) {
          const list = await api.myCourses(signal);
          setMine(list.find((m) => m.course.id === id)?.registration ?? null);
        }
        if (canRoster) setRoster(await api.courseParticipants(id, undefined, signal).catch(() => null));
      } catch (e) {
        if (!signal?.aborted) setError(e);
      }
    },
    [id, isMember, canRoster],
  );
  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  if (!course) return error ? <ErrorBanner error={error} title="Could not load the course" /> : <Spinner label="Loading the course…" />;

  const action = memberAction(course, mine);
  const act = async () => {
    if (!user?.memberId && isMember) return;
    setBusy(true);
    setActionError(null);
    try {
      if (action.kind === 'REGISTER' || action.kind === 'JOIN_WAIT_LIST') setMine(await api.registerForCourse(id, user?.memberId ?? undefined));
      else if ((action.kind === 'CANCEL' || action.kind === 'LEAVE_WAIT_LIST') && user?.memberId) {
        await api.cancelCourseRegistration(id, user.memberId);
        setMine(null);
      }
      setCourse(await api.getCourse(id));
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  const changeStatus = async (to: CourseStatus) => {
    setBusy(true);
    setActionError(null);
    try {
      await api.updateCourse(course.id, courseUpdate(course, { statusCd: to }), to === 'ACTIVE' && skipOnResume);
      setConfirm(null);
      setResumeConflicts([]);
      setSkipOnResume(false);
      await load();
    } catch (e) {
      const list = e instanceof ApiError && e.status === 409 ? conflictingSessions(e.problem) : [];
      setResumeConflicts(list);
      if (!list.length) setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  const skipped = params.get('skipped');
  return (
    <>
      <PageHeader
        breadcrumb={<Link to="/courses">Courses</Link>}
        title={
          <span className="title-with-badge">
            {course.name} {courseStatusBadge(course.statusCd)}
          </span>
        }
        description={`${ruleText(course)} · ${course.startTime}–${endTime(course.startTime, course.durationMinutes)}`}
        actions={
          canManage && (
            <>
              {STATUS_ACTIONS[course.statusCd].map((a) => (
                <Button key={a.to} variant={a.variant} onClick={() => setConfirm(a.to)} data-testid={`course-${a.to.toLowerCase()}`}>
                  {a.label}
                </Button>
              ))}
              {course.statusCd !== 'CANCELLED' && (
                <Link to={`/courses/${course.id}/edit`} className="btn btn-primary" data-testid="edit-course">
                  <IconEdit size={16} /> Edit
                </Link>
              )}
            </>
          )
        }
      />
      <CoursesTabs />
      {skipped && (
        <Alert tone="warning" title="Some sessions were skipped" data-testid="course-skipped">
          The room was already booked on {skipped.split(',').map(formatDate).join(', ')}; those sessions are not part of the course.
        </Alert>
      )}
      <ErrorBanner error={actionError} title="That did not work" />
      <div className="detail-grid detail-grid-wide-left">
        <div className="stack">
          {isMember && (
            <Card title="Your place" data-testid="member-registration">
              <div className="reg-panel">
                <div>
                  {mine?.status === 'REGISTERED' ? (
                    <Badge tone="success" data-testid="registration-status">
                      Registered
                    </Badge>
                  ) : mine?.status === 'WAIT_LIST' ? (
                    <Badge tone="warning" data-testid="registration-status">
                      On the wait list · position {mine.waitListPosition ?? '?'}
                    </Badge>
                  ) : (
                    <Badge data-testid="registration-status">Not registered</Badge>
                  )}
                  <p className="muted reg-seats">{course.freeSeats == null ? 'No seat limit.' : course.freeSeats > 0 ? `${course.freeSeats} of ${course.maxParticipants} seats free.` : course.waitListEnabled ? `Full — ${course.waitListCount} on the wait list.` : 'Full.'}</p>
                </div>
                {action.kind !== 'FULL' && action.kind !== 'CLOSED' ? (
                  <Button
                    variant={action.kind === 'CANCEL' || action.kind === 'LEAVE_WAIT_LIST' ? 'secondary' : 'primary'}
                    busy={busy}
                    onClick={() => void act()}
                    data-testid="course-action"
                    className="btn-lg"
                  >
                    {action.label}
                  </Button>
                ) : (
                  <Badge>{action.label}</Badge>
                )}
              </div>
            </Card>
          )}
          <Card title="Next sessions" data-testid="next-sessions">
            {course.nextSessions?.length ? (
              <ul className="session-list session-list-lg">
                {course.nextSessions.map((s) => (
                  <li key={s.start} data-testid="next-session">
                    <span>{dayLabel(s.sessionDate)}</span>
                    <span className="muted">
                      {localTime(s.start, timeZone)}–{localTime(s.end, timeZone)}
                    </span>
                    {canRoster && (
                      <Link to={`/courses/${course.id}/attendance?date=${s.sessionDate}`} className="btn btn-ghost btn-sm" data-testid="session-roster">
                        Roster
                      </Link>
                    )}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">No upcoming sessions{course.statusCd !== 'ACTIVE' ? ' while the course is not active' : ''}.</p>
            )}
          </Card>
          {canRoster && roster && (
            <Card
              title={`Participants · ${longDate(roster.sessionDate)}`}
              actions={
                <Link to={`/courses/${course.id}/attendance?date=${roster.sessionDate}`} className="btn btn-secondary btn-sm" data-testid="open-attendance">
                  Attendance sheet
                </Link>
              }
              data-testid="roster-card"
            >
              {roster.participants?.length ? (
                <ol className="name-list">
                  {roster.participants.map((p) => (
                    <li key={p.memberId} data-testid="roster-row">
                      <Link to={`/members/${p.memberId}`}>{fullName(p)}</Link>
                    </li>
                  ))}
                </ol>
              ) : (
                <p className="muted">Nobody registered yet.</p>
              )}
              {roster.waitList?.length ? (
                <>
                  <h3 className="subhead">Wait list</h3>
                  <ol className="name-list">
                    {roster.waitList.map((p) => (
                      <li key={p.memberId} data-testid="waitlist-row">
                        {fullName(p)}
                      </li>
                    ))}
                  </ol>
                </>
              ) : null}
            </Card>
          )}
        </div>
        <Card title="Details">
          {course.description && <p className="course-description">{course.description}</p>}
          <dl className="props">
            <div>
              <dt>Seats</dt>
              <dd data-testid="course-seats">{seatsText(course)}</dd>
            </div>
            <div>
              <dt>Wait list</dt>
              <dd>{course.waitListEnabled ? 'On' : 'Off'}</dd>
            </div>
            <div>
              <dt>Instructor</dt>
              <dd>{course.instructorName || '—'}</dd>
            </div>
            <div>
              <dt>Level</dt>
              <dd>{course.levelCd ? LEVEL_LABEL[course.levelCd] : '—'}</dd>
            </div>
            <div>
              <dt>Category</dt>
              <dd>{course.categoryCd ? CATEGORY_LABEL[course.categoryCd] : '—'}</dd>
            </div>
            <div>
              <dt>Runs</dt>
              <dd>
                {formatDate(course.startDate)} – {course.endDate ? formatDate(course.endDate) : 'open-ended'}
              </dd>
            </div>
            {canManage && (
              <div>
                <dt>Room</dt>
                <dd>{course.resourceId ? <Link to={`/bookings/resources/${course.resourceId}`}>Resource #{course.resourceId}</Link> : '—'}</dd>
              </div>
            )}
            {course.exDates?.length ? (
              <div>
                <dt>Skipped sessions</dt>
                <dd>{course.exDates.map(formatDate).join(', ')}</dd>
              </div>
            ) : null}
          </dl>
        </Card>
      </div>
      <Dialog
        open={!!confirm}
        title={confirm ? CONFIRM[confirm].title : ''}
        onClose={() => {
          setConfirm(null);
          setResumeConflicts([]);
        }}
        data-testid="course-status-dialog"
        footer={
          <>
            <Button variant="ghost" onClick={() => setConfirm(null)}>
              Keep as is
            </Button>
            <Button variant={confirm === 'CANCELLED' ? 'danger' : 'primary'} busy={busy} onClick={() => confirm && void changeStatus(confirm)} data-testid="course-status-confirm">
              {confirm ? CONFIRM[confirm].button : ''}
            </Button>
          </>
        }
      >
        <p>{confirm && CONFIRM[confirm].text}</p>
        {resumeConflicts.length > 0 && (
          <Alert tone="danger" title="The room was booked meanwhile">
            <ul className="conflict-list">
              {resumeConflicts.map((c) => (
                <li key={c.start}>
                  {longDate(c.sessionDate)}, {localTime(c.start, timeZone)}–{localTime(c.end, timeZone)}
                </li>
              ))}
            </ul>
            <div className="checkbox-field checkbox-field-inline">
              <input id="resume-skip" type="checkbox" checked={skipOnResume} onChange={(e) => setSkipOnResume(e.target.checked)} />
              <label htmlFor="resume-skip">Skip the colliding sessions</label>
            </div>
          </Alert>
        )}
      </Dialog>
    </>
  );
}
