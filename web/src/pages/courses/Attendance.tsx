import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import type { CourseDetail, CourseParticipant, CourseRoster } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconCheck, IconFile } from '../../components/Icons';
import { Alert, Badge, Button, Card, EmptyState, PageHeader, Spinner, TextField } from '../../components/ui';
import { attendanceMarks, longDate } from '../../courses/schedule';
import { fullName } from '../../format';
import { useTitle } from '../../hooks';
import { Link, useNavigate, useSearchParams } from '../../router';
import { localTime, useCourseContext } from './common';

/** /courses/:id/attendance?date=: the roster of one session as a phone-friendly, printable attendance sheet. */
export function AttendancePage({ id }: { id: number }) {
  const { timeZone, canRoster } = useCourseContext();
  const params = useSearchParams();
  const navigate = useNavigate();
  const date = params.get('date') ?? undefined;
  const [course, setCourse] = useState<CourseDetail | null>(null);
  const [roster, setRoster] = useState<CourseRoster | null>(null);
  const [checked, setChecked] = useState<Record<number, boolean>>({});
  const [error, setError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useTitle(course ? `Attendance · ${course.name}` : 'Attendance');

  useEffect(() => {
    const ctrl = new AbortController();
    setError(null);
    setRoster(null);
    setSaved(false);
    Promise.all([api.getCourse(id, ctrl.signal), api.courseParticipants(id, date, ctrl.signal)])
      .then(([c, r]) => {
        setCourse(c);
        setRoster(r);
        setChecked(Object.fromEntries((r.participants ?? []).map((p) => [p.memberId, !!p.attended])));
      })
      .catch((e) => !ctrl.signal.aborted && setError(e));
    return () => ctrl.abort();
  }, [id, date]);

  if (!canRoster) return <Alert title="Only staff and trainers see rosters." />;
  if (error) return <ErrorBanner error={error} title="Could not load the roster" />;
  if (!course || !roster) return <Spinner label="Loading the roster…" />;

  const people: CourseParticipant[] = roster.participants ?? [];
  const present = people.filter((p) => checked[p.memberId]).length;
  const started = Date.parse(roster.start) <= Date.now();
  const go = (d: string) => d && navigate(`/courses/${id}/attendance?date=${d}`, { replace: true });

  const save = async () => {
    setBusy(true);
    setSaveError(null);
    setSaved(false);
    try {
      const r = await api.markAttendance(id, roster.sessionDate, attendanceMarks(checked, people.map((p) => p.memberId)));
      setRoster(r);
      setSaved(true);
    } catch (e) {
      setSaveError(e);
    } finally {
      setBusy(false);
    }
  };

  const sessions = course.nextSessions ?? [];
  return (
    <div className="attendance">
      <PageHeader
        breadcrumb={
          <>
            <Link to="/courses">Courses</Link> / <Link to={`/courses/${id}`}>{course.name}</Link>
          </>
        }
        title="Attendance"
        description={
          <span data-testid="attendance-session">
            {course.name} · {longDate(roster.sessionDate)} · {localTime(roster.start, timeZone)}–{localTime(roster.end, timeZone)}
          </span>
        }
        actions={
          <Button variant="secondary" icon={IconFile} onClick={() => window.print()} data-testid="print-sheet">
            Print / PDF
          </Button>
        }
      />
      <div className="attendance-pick no-print">
        <TextField label="Session date" type="date" value={roster.sessionDate} onChange={(e) => go(e.target.value)} data-testid="attendance-date" />
        {sessions.length > 0 && (
          <div className="date-pills" role="group" aria-label="Next sessions">
            {sessions.slice(0, 6).map((s) => (
              <button key={s.start} type="button" className={`date-pill${s.sessionDate === roster.sessionDate ? ' date-pill-on' : ''}`} onClick={() => go(s.sessionDate)}>
                {new Date(`${s.sessionDate}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' })}
              </button>
            ))}
          </div>
        )}
      </div>

      {!started && (
        <Alert tone="info" title="This session has not begun yet">
          You can print the sheet now; attendance can be saved once the session has started.
        </Alert>
      )}
      <ErrorBanner error={saveError} title="Attendance could not be saved" />
      {saved && (
        <Alert tone="success" title="Attendance saved" data-testid="attendance-saved">
          {present} of {people.length} present.
        </Alert>
      )}

      <Card className="card-flush no-print" data-testid="attendance-sheet">
        {people.length === 0 ? (
          <EmptyState title="Nobody is registered for this session" />
        ) : (
          <ul className="attend-list">
            {people.map((p) => (
              <li key={p.memberId}>
                <label className={`attend-row${checked[p.memberId] ? ' attend-row-on' : ''}`} data-testid="attend-row">
                  <input
                    type="checkbox"
                    className="attend-box"
                    checked={!!checked[p.memberId]}
                    onChange={(e) => {
                      setChecked({ ...checked, [p.memberId]: e.target.checked });
                      setSaved(false);
                    }}
                    data-testid={`attend-${p.memberId}`}
                  />
                  <span className="attend-name">{fullName(p)}</span>
                  {p.status === 'NONE' && <Badge tone="info">Walk-in</Badge>}
                  {p.attendanceSource === 'CHECKIN' && <Badge tone="neutral">Checked in</Badge>}
                </label>
              </li>
            ))}
          </ul>
        )}
        {roster.waitList?.length ? (
          <p className="attend-waitlist">Wait list: {roster.waitList.map(fullName).join(', ')}</p>
        ) : null}
      </Card>
      {people.length > 0 && (
        <div className="attend-bar no-print">
          <span className="attend-count" data-testid="attend-count">
            {present} / {people.length} present
          </span>
          <Button variant="primary" icon={IconCheck} busy={busy} disabled={!started} onClick={() => void save()} data-testid="attendance-save" className="btn-lg">
            Save attendance
          </Button>
        </div>
      )}

      {/* What the browser prints ("Print / Save as PDF"): a clean sign-in sheet. */}
      <section className="print-sheet" aria-hidden="true">
        <h1>{course.name}</h1>
        <p>
          {longDate(roster.sessionDate)} · {localTime(roster.start, timeZone)}–{localTime(roster.end, timeZone)}
          {course.instructorName ? ` · ${course.instructorName}` : ''}
        </p>
        <table>
          <thead>
            <tr>
              <th className="print-num">#</th>
              <th>Name</th>
              <th className="print-mark">Present</th>
              <th className="print-sign">Signature</th>
            </tr>
          </thead>
          <tbody>
            {people.map((p, i) => (
              <tr key={p.memberId}>
                <td className="print-num">{i + 1}</td>
                <td>{fullName(p)}</td>
                <td className="print-mark">{checked[p.memberId] ? '☑' : '☐'}</td>
                <td className="print-sign" />
              </tr>
            ))}
            {Array.from({ length: 3 }, (_, i) => (
              <tr key={`blank-${i}`}>
                <td className="print-num">{people.length + i + 1}</td>
                <td />
                <td className="print-mark">☐</td>
                <td className="print-sign" />
              </tr>
            ))}
          </tbody>
        </table>
        <p className="print-foot">
          {present} of {people.length} marked present · Trainer signature: ______________________
        </p>
      </section>
    </div>
  );
}
