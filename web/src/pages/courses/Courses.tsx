import { useCallback, useEffect, useState } from 'react';
import { api, itemsOf } from '../../api/endpoints';
import type { Course, CourseSchedule, MyCourse } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconCalendar, IconCourses, IconLink, IconPlus } from '../../components/Icons';
import { Badge, Button, Card, EmptyState, PageHeader, Spinner } from '../../components/ui';
import { CATEGORY_LABEL, LEVEL_LABEL, dayLabel, endTime, seatsText, weekStart } from '../../courses/schedule';
import { describeRepeat, parseRepeat } from '../../bookings/rrule';
import { todayIn } from '../../format';
import { useTitle } from '../../hooks';
import { Link, useNavigate, useSearchParams } from '../../router';
import { CoursesTabs, WeekGrid, WeekNav, courseStatusBadge, localTime, useCourseContext } from './common';

/** "Weekly on Mon, Wed" for a course's rule (the raw rule when the builder cannot read it). */
export function ruleText(c: Pick<Course, 'recurrenceRule' | 'startDate'>): string {
  const spec = parseRepeat(c.recurrenceRule, c.startDate);
  return spec ? describeRepeat(spec) : c.recurrenceRule;
}

/** /courses: the course list for admins and trainers, the weekly schedule for members. */
export function CoursesPage() {
  const { isMember } = useCourseContext();
  return isMember ? <SchedulePage /> : <CourseListPage />;
}

function CourseListPage() {
  useTitle('Courses');
  const { canManage, entityId } = useCourseContext();
  const [courses, setCourses] = useState<Course[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<'' | 'ACTIVE' | 'PAUSED' | 'CANCELLED'>('');
  useEffect(() => {
    const ctrl = new AbortController();
    setError(null);
    api
      .listCourses(status ? { statusCd: status } : {}, ctrl.signal)
      .then((p) => setCourses(itemsOf(p)))
      .catch((e) => !ctrl.signal.aborted && setError(e));
    return () => ctrl.abort();
  }, [status]);

  return (
    <>
      <PageHeader
        title="Courses"
        description="Recurring classes with a room, capacity and a wait list."
        actions={
          <>
            {entityId && (
              <a className="btn btn-secondary" href={`/schedule/${entityId}`} target="_blank" rel="noreferrer" data-testid="public-schedule-link">
                <IconLink size={16} /> Public schedule
              </a>
            )}
            {canManage && (
              <Link to="/courses/new" className="btn btn-primary" data-testid="new-course">
                <IconPlus size={16} /> New course
              </Link>
            )}
          </>
        }
      />
      <CoursesTabs />
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Status">
          {(['', 'ACTIVE', 'PAUSED', 'CANCELLED'] as const).map((s) => (
            <button key={s || 'all'} type="button" className={status === s ? 'is-on' : undefined} aria-pressed={status === s} onClick={() => setStatus(s)}>
              {s ? { ACTIVE: 'Active', PAUSED: 'Paused', CANCELLED: 'Cancelled' }[s] : 'All'}
            </button>
          ))}
        </div>
      </div>
      <ErrorBanner error={error} title="Could not load the courses" />
      {courses === null && !error ? (
        <Spinner label="Loading courses…" />
      ) : courses && courses.length === 0 ? (
        <Card>
          <EmptyState
            icon={IconCourses}
            title={status ? 'No courses with this status' : 'No courses yet'}
            data-testid="courses-empty"
            actions={
              canManage && !status && (
                <Link to="/courses/new" className="btn btn-primary">
                  <IconPlus size={16} /> Create a course
                </Link>
              )
            }
          >
            A course repeats on a schedule, books its room for every session and keeps a wait list when it is full.
          </EmptyState>
        </Card>
      ) : (
        courses && (
          <Card className="card-flush">
            <div className="table-wrap">
              <table className="table" data-testid="courses-table">
                <thead>
                  <tr>
                    <th scope="col">Course</th>
                    <th scope="col">Schedule</th>
                    <th scope="col" className="hide-md">
                      Instructor
                    </th>
                    <th scope="col">Seats</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {courses.map((c) => (
                    <tr key={c.id} data-testid="course-row">
                      <td>
                        <Link to={`/courses/${c.id}`} className="cell-title">
                          {c.name}
                        </Link>
                        <div className="cell-sub">{[c.levelCd && LEVEL_LABEL[c.levelCd], c.categoryCd && CATEGORY_LABEL[c.categoryCd]].filter(Boolean).join(' · ') || '—'}</div>
                      </td>
                      <td>
                        {ruleText(c)}
                        <div className="cell-sub">
                          {c.startTime}–{endTime(c.startTime, c.durationMinutes)}
                        </div>
                      </td>
                      <td className="hide-md">{c.instructorName || <span className="muted">—</span>}</td>
                      <td>{seatsText(c)}</td>
                      <td>{courseStatusBadge(c.statusCd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        )
      )}
    </>
  );
}

/** The week's sessions of the organisation (?week=YYYY-MM-DD). */
export function useWeekSchedule(entityId: number | undefined, timeZone?: string) {
  const params = useSearchParams();
  const navigate = useNavigate();
  const today = todayIn(timeZone);
  const monday = weekStart(params.get('week') || today);
  const [schedule, setSchedule] = useState<CourseSchedule | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!entityId) return;
    const ctrl = new AbortController();
    setError(null);
    setSchedule(null);
    api
      .courseSchedule(entityId, monday, ctrl.signal)
      .then(setSchedule)
      .catch((e) => !ctrl.signal.aborted && setError(e));
    return () => ctrl.abort();
  }, [entityId, monday]);
  const onWeek = useCallback(
    (date: string) => {
      const p = new URLSearchParams(window.location.search);
      p.set('week', weekStart(date));
      navigate(`${window.location.pathname}?${p}`, { replace: true });
    },
    [navigate],
  );
  return { monday, today, schedule, error, onWeek };
}

/** The signed-in weekly schedule (members on /courses, staff on /courses/schedule). */
export function SchedulePage() {
  useTitle('Course schedule');
  const { entityId, timeZone, isMember } = useCourseContext();
  const { monday, today, schedule, error, onWeek } = useWeekSchedule(entityId, timeZone);
  return (
    <>
      <PageHeader
        title="Courses"
        description={isMember ? 'Find a class and register. Full classes keep a wait list.' : 'Every active course session of the week.'}
        actions={
          entityId && (
            <a className="btn btn-secondary" href={`/schedule/${entityId}`} target="_blank" rel="noreferrer">
              <IconLink size={16} /> Public schedule
            </a>
          )
        }
      />
      <CoursesTabs />
      <WeekNav monday={monday} today={today} onWeek={onWeek} />
      <ErrorBanner error={error} title="Could not load the schedule" />
      {!schedule && !error ? (
        <Spinner label="Loading the schedule…" />
      ) : (
        schedule && <WeekGrid monday={monday} sessions={schedule.sessions ?? []} timeZone={timeZone} link={(s) => `/courses/${s.courseId}`} />
      )}
    </>
  );
}

function registrationBadge(r: MyCourse['registration']) {
  if (r.status === 'REGISTERED')
    return (
      <Badge tone="success" data-testid="my-course-status">
        Registered
      </Badge>
    );
  if (r.status === 'WAIT_LIST')
    return (
      <Badge tone="warning" data-testid="my-course-status">
        Wait list · position {r.waitListPosition ?? '?'}
      </Badge>
    );
  return <Badge data-testid="my-course-status">Cancelled</Badge>;
}

/** /courses/mine: the member's registrations with their next sessions. */
export function MyCoursesPage() {
  useTitle('My courses');
  const { timeZone } = useCourseContext();
  const [mine, setMine] = useState<MyCourse[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    api
      .myCourses(ctrl.signal)
      .then(setMine)
      .catch((e) => !ctrl.signal.aborted && setError(e));
    return () => ctrl.abort();
  }, []);
  const [feedBusy, setFeedBusy] = useState(false);
  const downloadFeed = async () => {
    // The feed needs the bearer token, so it is fetched here and saved as a file.
    setFeedBusy(true);
    try {
      const res = await fetch('/api/me/courses.ics', { headers: { Authorization: `Bearer ${localStorage.getItem('gatehouse.token') ?? ''}` } });
      if (!res.ok) throw new Error(`The calendar could not be downloaded (${res.status})`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = 'my-courses.ics';
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(e);
    } finally {
      setFeedBusy(false);
    }
  };
  return (
    <>
      <PageHeader
        title="My courses"
        description="Your registrations and wait-list places."
        actions={
          <Button variant="secondary" icon={IconCalendar} busy={feedBusy} onClick={() => void downloadFeed()}>
            Add to calendar (.ics)
          </Button>
        }
      />
      <CoursesTabs />
      <ErrorBanner error={error} title="Could not load your courses" />
      {mine === null && !error ? (
        <Spinner label="Loading your courses…" />
      ) : mine && mine.length === 0 ? (
        <Card>
          <EmptyState
            icon={IconCourses}
            title="You are not registered for any course"
            data-testid="my-courses-empty"
            actions={
              <Link to="/courses" className="btn btn-primary">
                Browse the schedule
              </Link>
            }
          />
        </Card>
      ) : (
        mine && (
          <div className="course-cards" data-testid="my-courses">
            {mine.map((m) => (
              <Card key={m.registration.id} className="course-card" data-testid="my-course">
                <div className="course-card-head">
                  <Link to={`/courses/${m.course.id}`} className="course-card-title">
                    {m.course.name}
                  </Link>
                  {registrationBadge(m.registration)}
                </div>
                <p className="muted">
                  {ruleText(m.course)} · {m.course.startTime}–{endTime(m.course.startTime, m.course.durationMinutes)}
                  {m.course.instructorName ? ` · ${m.course.instructorName}` : ''}
                </p>
                {m.nextSessions?.length ? (
                  <ul className="session-list">
                    {m.nextSessions.slice(0, 3).map((s) => (
                      <li key={s.start}>
                        <span>{dayLabel(s.sessionDate)}</span>
                        <span className="muted">
                          {localTime(s.start, timeZone)}–{localTime(s.end, timeZone)}
                        </span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="muted">No upcoming sessions.</p>
                )}
              </Card>
            ))}
          </div>
        )
      )}
    </>
  );
}
