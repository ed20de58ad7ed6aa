import { IconCalendar, IconCopy } from '../../components/Icons';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Button, Spinner } from '../../components/ui';
import { useTitle } from '../../hooks';
import { useState } from 'react';
import { WeekGrid, WeekNav } from './common';
import { useWeekSchedule } from './Courses';

/** /schedule/:entityId — the organisation's course timetable, no login needed. */
export function PublicSchedulePage({ entityId }: { entityId: number }) {
  useTitle('Course schedule');
  const [tz, setTz] = useState<string | undefined>(undefined);
  const { monday, today, schedule, error, onWeek } = useWeekSchedule(entityId, tz);
  if (schedule?.timezone && schedule.timezone !== tz) setTz(schedule.timezone);
  const ics = `${window.location.origin}/api/courses/schedule/${entityId}.ics`;
  const [copied, setCopied] = useState(false);
  return (
    <div className="public-page">
      <header className="public-header">
        <div className="public-brand">
          <svg width="36" height="36" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="var(--brand)" />
            <path d="M9 25V13l7-5 7 5v12h-4.5v-7h-5v7z" fill="#fff" />
          </svg>
          <div>
            <h1 className="public-title">Course schedule</h1>
            {schedule?.timezone && <p className="muted">Times in {schedule.timezone}</p>}
          </div>
        </div>
        <div className="public-actions">
          <a className="btn btn-secondary" href={ics} data-testid="ics-link">
            <IconCalendar size={16} /> Subscribe (.ics)
          </a>
          <Button
            variant="ghost"
            icon={IconCopy}
            onClick={() => {
              void navigator.clipboard?.writeText(ics).then(() => setCopied(true));
            }}
          >
            {copied ? 'Copied' : 'Copy feed link'}
          </Button>
        </div>
      </header>
      <main className="public-main">
        <WeekNav monday={monday} today={today} onWeek={onWeek} />
        <ErrorBanner error={error} title="The schedule could not be loaded" />
        {!schedule && !error ? <Spinner label="Loading the schedule…" /> : schedule && <WeekGrid monday={monday} sessions={schedule.sessions ?? []} timeZone={schedule.timezone} />}
      </main>
    </div>
  );
}
