// Pure helpers of the courses UI: ISO weeks, grouping sessions by day, the
// course form model <-> API body, and what a member's registration allows.
// Dates are organisation-local "YYYY-MM-DD" strings; no Date arithmetic in a local zone.

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDate(s: string | null | undefined): s is string {
  return !!s && DATE_RE.test(s);
}

export function addDays(date: string, n: number): string {
  const m = DATE_RE.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + n));
  return d.toISOString().slice(0, 10);
}

/** Monday of the ISO week (Monday–Sunday) containing `date`. */
export function weekStart(date: string): string {
  const m = DATE_RE.exec(date);
  if (!m) return date;
  const dow = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay(); // 0 = Sunday
  return addDays(date, -((dow + 6) % 7));
}

/** The seven dates of the week starting on `monday`. */
export function weekDates(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** "17 – 23 Nov 2026" / "30 Nov – 6 Dec 2026" / "29 Dec 2025 – 4 Jan 2026". */
export function weekLabel(monday: string): string {
  const sunday = addDays(monday, 6);
  const f = (d: string, opts: Intl.DateTimeFormatOptions) =>
    new Date(`${d}T00:00:00Z`).toLocaleDateString('en-GB', { ...opts, timeZone: 'UTC' });
  if (monday.slice(0, 4) !== sunday.slice(0, 4)) return `${f(monday, { day: 'numeric', month: 'short', year: 'numeric' })} – ${f(sunday, { day: 'numeric', month: 'short', year: 'numeric' })}`;
  if (monday.slice(0, 7) !== sunday.slice(0, 7)) return `${f(monday, { day: 'numeric', month: 'short' })} – ${f(sunday, { day: 'numeric', month: 'short', year: 'numeric' })}`;
  return `${f(monday, { day: 'numeric' })} – ${f(sunday, { day: 'numeric', month: 'short', year: 'numeric' })}`;
}

/** "Mon 17 Nov" for a date. */
export function dayLabel(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** "Monday, 17 November 2026" for a date. */
export function longDate(date: string): string {
  if (!isDate(date)) return date;
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** Sessions per date of the week (every date present, sessions by start time). */
export function groupByDay<T extends { date: string; startTime: string }>(sessions: T[], monday: string): { date: string; sessions: T[] }[] {
  return weekDates(monday).map((date) => ({
    date,
    sessions: sessions.filter((s) => s.date === date).sort((a, b) => a.startTime.localeCompare(b.startTime)),
  }));
}

/** "HH:MM" + minutes → "HH:MM" (wraps past midnight). */
export function endTime(start: string, minutes: number): string {
  const m = /^(\d{1,2}):(\d{2})$/.exec(start);
  if (!m) return start;
  const total = (((+m[1] * 60 + +m[2] + minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

export type Level = 'BEGINNER' | 'INTERMEDIATE' | 'ADVANCED' | 'ALL_LEVELS';
export type Category = 'FITNESS' | 'YOGA' | 'MARTIAL_ARTS' | 'DANCE' | 'SWIMMING' | 'OTHER';
export type CourseStatus = 'ACTIVE' | 'PAUSED' | 'CANCELLED';
export const LEVELS: Level[] = ['BEGINNER', 'INTERMEDIATE', 'ADVANCED', 'ALL_LEVELS'];
export const CATEGORIES: Category[] = ['FITNESS', 'YOGA', 'MARTIAL_ARTS', 'DANCE', 'SWIMMING', 'OTHER'];
export const LEVEL_LABEL: Record<string, string> = { BEGINNER: 'Beginner', INTERMEDIATE: 'Intermediate', ADVANCED: 'Advanced', ALL_LEVELS: 'All levels' };
export const CATEGORY_LABEL: Record<string, string> = { FITNESS: 'Fitness', YOGA: 'Yoga', MARTIAL_ARTS: 'Martial arts', DANCE: 'Dance', SWIMMING: 'Swimming', OTHER: 'Other' };
export const STATUS_LABEL: Record<CourseStatus, string> = { ACTIVE: 'Active', PAUSED: 'Paused', CANCELLED: 'Cancelled' };

/** "12 of 15 seats taken", "Full · 3 on the wait list", "Unlimited". */
export function seatsText(c: { maxParticipants: number | null; registeredCount: number; waitListCount: number }): string {
  if (c.maxParticipants == null) return `${c.registeredCount} registered · no limit`;
  const base = c.registeredCount >= c.maxParticipants ? `Full (${c.maxParticipants})` : `${c.registeredCount} of ${c.maxParticipants} seats taken`;
  return c.waitListCount ? `${base} · ${c.waitListCount} on the wait list` : base;
}

/** The free-seats line of a schedule entry. */
export function freeSeatsText(freeSeats: number | null, waitListEnabled: boolean): { text: string; tone: 'success' | 'warning' | 'neutral' } {
  if (freeSeats == null) return { text: 'Open', tone: 'success' };
  if (freeSeats > 0) return { text: freeSeats === 1 ? '1 seat left' : `${freeSeats} seats left`, tone: freeSeats <= 2 ? 'warning' : 'success' };
  return { text: waitListEnabled ? 'Full · wait list' : 'Full', tone: 'neutral' };
}

export type RegistrationStatus = 'REGISTERED' | 'WAIT_LIST' | 'CANCELLED';

/** What a member may do on a course page, given its own registration (if any). */
export function memberAction(
  course: { statusCd: string; freeSeats: number | null; waitListEnabled: boolean },
  reg: { status: RegistrationStatus; waitListPosition?: number } | null,
): { kind: 'REGISTER' | 'JOIN_WAIT_LIST' | 'CANCEL' | 'LEAVE_WAIT_LIST' | 'FULL' | 'CLOSED'; label: string } {
  if (reg?.status === 'REGISTERED') return { kind: 'CANCEL', label: 'Cancel registration' };
  if (reg?.status === 'WAIT_LIST') return { kind: 'LEAVE_WAIT_LIST', label: 'Leave the wait list' };
  if (course.statusCd !== 'ACTIVE') return { kind: 'CLOSED', label: course.statusCd === 'PAUSED' ? 'Paused' : 'Cancelled' };
  if (course.freeSeats == null || course.freeSeats > 0) return { kind: 'REGISTER', label: 'Register' };
  if (course.waitListEnabled) return { kind: 'JOIN_WAIT_LIST', label: 'Join wait list' };
  return { kind: 'FULL', label: 'Full' };
}

/** The editable fields of the course form, as strings (inputs). */
export interface CourseFormValues {
  name: string;
  description: string;
  recurrenceRule: string;
  startDate: string;
  endDate: string;
  startTime: string;
  durationMinutes: string;
  resourceId: string;
  instructorUserId: string;
  instructorName: string;
  maxParticipants: string;
  waitListEnabled: boolean;
  levelCd: string;
  categoryCd: string;
}

export interface CourseBody {
  name: string;
  description?: string;
  recurrenceRule: string;
  startDate?: string;
  endDate?: string;
  startTime: string;
  durationMinutes: number;
  resourceId?: number;
  instructorUserId?: number;
  instructorName?: string;
  maxParticipants?: number;
  waitListEnabled: boolean;
  levelCd?: Level;
  categoryCd?: Category;
}

/** Checks the form; returns field errors (keyed like the API's fields) and the body when valid. */
export function courseBody(v: CourseFormValues): { errors: Record<string, string>; body: CourseBody | null } {
  const errors: Record<string, string> = {};
  if (!v.name.trim()) errors.name = 'Name is required';
  if (!v.recurrenceRule.trim()) errors.recurrenceRule = 'Choose when the course repeats';
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v.startTime)) errors.startTime = 'Enter a time as HH:MM';
  const dur = Number(v.durationMinutes);
  if (!/^\d+$/.test(v.durationMinutes) || dur < 5 || dur > 1440) errors.durationMinutes = 'Enter 5 to 1440 minutes';
  if (v.startDate && !isDate(v.startDate)) errors.startDate = 'Enter a date';
  if (v.endDate && !isDate(v.endDate)) errors.endDate = 'Enter a date';
  else if (v.endDate && v.startDate && v.endDate < v.startDate) errors.endDate = 'The last day cannot be before the first';
  if (v.endDate && /(^|;)(COUNT|UNTIL)=/i.test(v.recurrenceRule)) errors.endDate = 'Leave empty: the repeat rule already ends';
  if (v.maxParticipants && (!/^\d+$/.test(v.maxParticipants) || Number(v.maxParticipants) < 1)) errors.maxParticipants = 'Enter a whole number of 1 or more, or leave empty';
  if (Object.keys(errors).length) return { errors, body: null };
  const body: CourseBody = {
    name: v.name.trim(),
    recurrenceRule: v.recurrenceRule.trim(),
    startTime: v.startTime,
    durationMinutes: dur,
    waitListEnabled: v.waitListEnabled,
  };
  if (v.description.trim()) body.description = v.description.trim();
  if (v.startDate) body.startDate = v.startDate;
  if (v.endDate) body.endDate = v.endDate;
  if (v.resourceId) body.resourceId = Number(v.resourceId);
  if (v.instructorUserId) body.instructorUserId = Number(v.instructorUserId);
  if (v.instructorName.trim()) body.instructorName = v.instructorName.trim();
  if (v.maxParticipants) body.maxParticipants = Number(v.maxParticipants);
  if (v.levelCd) body.levelCd = v.levelCd as Level;
  if (v.categoryCd) body.categoryCd = v.categoryCd as Category;
  return { errors, body };
}

/** The conflicting sessions of a 409 booking-conflict problem (empty when absent). */
export function conflictingSessions(problem: { [k: string]: unknown } | undefined): { sessionDate: string; start: string; end: string }[] {
  const list = problem?.conflictingSessions;
  if (!Array.isArray(list)) return [];
  return list.filter((s): s is { sessionDate: string; start: string; end: string } => !!s && typeof s === 'object' && typeof (s as { sessionDate?: unknown }).sessionDate === 'string');
}

/** Attendance marks to send: one per participant, unmarked counts as absent. */
export function attendanceMarks(checked: Record<number, boolean>, memberIds: number[]): { memberId: number; attended: boolean }[] {
  return memberIds.map((memberId) => ({ memberId, attended: !!checked[memberId] }));
}
