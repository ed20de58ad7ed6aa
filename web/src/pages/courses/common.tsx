import type { ReactNode } from 'react';
import type { CourseScheduleEntry } from '../../api/types';
import { isAdmin as isAdminRole, isStaff as isStaffRole, useAuth } from '../../auth';
import { IconChevronLeft, IconChevronRight } from '../../components/Icons';
import { Badge, Button } from '../../components/ui';
import { CATEGORY_LABEL, LEVEL_LABEL, STATUS_LABEL, dayLabel, freeSeatsText, groupByDay, weekLabel, type CourseStatus } from '../../courses/schedule';
import { todayIn } from '../../format';
import { Link, useLocation } from '../../router';

/** The organisation's zone and what the signed-in user may do with courses. */
export function useCourseContext() {
  const { user } = useAuth();
  const role = user?.role;
  return {
    user,
    timeZone: user?.entity?.timezone || undefined,
    entityId: user?.entityId,
    isMember: role === 'MEMBER',
    isTrainer: role === 'TRAINER',
    isStaff: isStaffRole(role),
    /** May create and edit courses (a trainer its own). */
    canManage: isAdminRole(role) || role === 'TRAINER',
    /** May see rosters and mark attendance. */
    canRoster: isStaffRole(role) || role === 'TRAINER',
  };
}

export function CoursesTabs() {
  const { pathname } = useLocation();
  const { isMember } = useCourseContext();
  const tabs = isMember
    ? [
        { to: '/courses', label: 'Schedule', active: pathname === '/courses' || /^\/courses\/\d+/.test(pathname) },
        { to: '/courses/mine', label: 'My courses', active: pathname === '/courses/mine' },
      ]
    : [
        { to: '/courses', label: 'Courses', active: pathname === '/courses' || /^\/courses\/(\d+|new)/.test(pathname) },
        { to: '/courses/schedule', label: 'Weekly schedule', active: pathname === '/courses/schedule' },
      ];
  return (
    <nav className="tabs" aria-label="Courses sections">
      {tabs.map((t) => (
        <Link key={t.to} to={t.to} className={`tab${t.active ? ' tab-active' : ''}`} aria-current={t.active ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

export function courseStatusBadge(status: CourseStatus) {
  const tone = status === 'ACTIVE' ? 'success' : status === 'PAUSED' ? 'warning' : 'neutral';
  return (
    <Badge tone={tone} data-testid="course-status">
      {STATUS_LABEL[status] ?? status}
    </Badge>
  );
}

/** "07:00" of an instant in the organisation's zone. */
export function localTime(iso: string, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(iso));
  } catch {
    return new Date(iso).toISOString().slice(11, 16);
  }
}

/** Previous / this week / next, with the week's label. */
export function WeekNav({ monday, onWeek, today }: { monday: string; onWeek: (date: string) => void; today: string }) {
  const shift = (n: number) => {
    const d = new Date(`${monday}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    onWeek(d.toISOString().slice(0, 10));
  };
  return (
    <div className="week-nav" data-testid="week-nav">
      <Button variant="secondary" icon={IconChevronLeft} onClick={() => shift(-7)} aria-label="Previous week" data-testid="week-prev" />
      <Button variant="secondary" onClick={() => onWeek(today)}>
        This week
      </Button>
      <Button variant="secondary" onClick={() => shift(7)} aria-label="Next week" data-testid="week-next">
        <IconChevronRight size={16} />
      </Button>
      <h2 className="week-nav-label" data-testid="week-label" aria-live="polite">
        {weekLabel(monday)}
      </h2>
    </div>
  );
}

/**
 * The week as seven day columns of sessions in time order (a list of days on a
 * phone). `link` makes each session a link (the signed-in views); the public page
 * shows them as plain cards.
 */
export function WeekGrid({
  monday,
  sessions,
  timeZone,
  link,
  extra,
}: {
  monday: string;
  sessions: CourseScheduleEntry[];
  timeZone?: string;
  link?: (s: CourseScheduleEntry) => string;
  extra?: (s: CourseScheduleEntry) => ReactNode;
}) {
  const today = todayIn(timeZone);
  const days = groupByDay(sessions, monday);
  return (
    <div className="week-grid" data-testid="week-grid">
      {days.map((d) => (
        <section key={d.date} className={`week-day${d.date === today ? ' week-day-today' : ''}`} aria-label={dayLabel(d.date)}>
          <h3 className="week-day-head">
            <span className="week-day-name">{dayLabel(d.date).split(' ')[0]}</span>
            <span className="week-day-date">{dayLabel(d.date).split(' ').slice(1).join(' ')}</span>
          </h3>
          {d.sessions.length === 0 ? (
            <p className="week-day-empty">No classes</p>
          ) : (
            d.sessions.map((s) => {
              const seats = freeSeatsText(s.freeSeats, s.waitListEnabled);
              const body = (
                <>
                  <span className="session-time">
                    {s.startTime}–{s.endTime}
                  </span>
                  <span className="session-name">{s.courseName}</span>
                  <span className="session-meta">{[s.room, s.instructor].filter(Boolean).join(' · ') || '\u00a0'}</span>
                  <span className="session-foot">
                    {s.levelCd && <span className="session-tag">{LEVEL_LABEL[s.levelCd] ?? s.levelCd}</span>}
                    {s.categoryCd && <span className="session-tag">{CATEGORY_LABEL[s.categoryCd] ?? s.categoryCd}</span>}
                    <span className={`session-seats session-seats-${seats.tone}`}>{seats.text}</span>
                  </span>
                  {extra?.(s)}
                </>
              );
              return link ? (
                <Link key={`${s.courseId}-${s.start}`} to={link(s)} className={`session session-cat-${(s.categoryCd ?? 'OTHER').toLowerCase()}`} data-testid="schedule-session" data-course-id={s.courseId}>
                  {body}
                </Link>
              ) : (
                <div key={`${s.courseId}-${s.start}`} className={`session session-cat-${(s.categoryCd ?? 'OTHER').toLowerCase()}`} data-testid="schedule-session" data-course-id={s.courseId}>
                  {body}
                </div>
              );
            })
          )}
        </section>
      ))}
    </div>
  );
}
