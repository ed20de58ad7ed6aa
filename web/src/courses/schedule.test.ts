import { describe, expect, it } from 'vitest';
import {
  addDays,
  attendanceMarks,
  conflictingSessions,
  courseBody,
  endTime,
  freeSeatsText,
  groupByDay,
  memberAction,
  seatsText,
  weekDates,
  weekLabel,
  weekStart,
  type CourseFormValues,
} from './schedule';

const form = (over: Partial<CourseFormValues> = {}): CourseFormValues => ({
  name: 'Yoga Basics',
  description: '',
  recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO,WE',
  startDate: '2026-11-23',
  endDate: '',
  startTime: '07:00',
  durationMinutes: '60',
  resourceId: '',
  instructorUserId: '',
  instructorName: '',
  maxParticipants: '',
  waitListEnabled: true,
  levelCd: '',
  categoryCd: '',
  ...over,
});

describe('weeks', () => {
  it('finds the Monday of the ISO week', () => {
    expect(weekStart('2026-11-23')).toBe('2026-11-23'); // Monday
    expect(weekStart('2026-11-29')).toBe('2026-11-23'); // Sunday
    expect(weekStart('2026-01-01')).toBe('2025-12-29'); // Thursday across a year
  });
  it('adds days across months and leap years', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
  it('lists seven dates and labels the week', () => {
    expect(weekDates('2026-11-23')).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    expect(weekLabel('2026-11-23')).toBe('23 – 29 Nov 2026');
    expect(weekLabel('2026-11-30')).toBe('30 Nov – 6 Dec 2026');
    expect(weekLabel('2025-12-29')).toBe('29 Dec 2025 – 4 Jan 2026');
  });
  it('groups sessions per day in time order', () => {
    const days = groupByDay(
      [
        { date: '2026-11-25', startTime: '18:00', id: 'b' },
        { date: '2026-11-25', startTime: '07:00', id: 'a' },
        { date: '2026-12-02', startTime: '07:00', id: 'next week' },
      ],
      '2026-11-23',
    );
    expect(days).toHaveLength(7);
    expect(days[2].sessions.map((s) => s.id)).toEqual(['a', 'b']);
    expect(days.flatMap((d) => d.sessions)).toHaveLength(2);
  });
  it('computes end times', () => {
    expect(endTime('07:00', 60)).toBe('08:00');
    expect(endTime('23:30', 45)).toBe('00:15');
  });
});

describe('seats and actions', () => {
  it('words capacity', () => {
    expect(seatsText({ maxParticipants: null, registeredCount: 4, waitListCount: 0 })).toBe('4 registered · no limit');
    expect(seatsText({ maxParticipants: 10, registeredCount: 4, waitListCount: 0 })).toBe('4 of 10 seats taken');
    expect(seatsText({ maxParticipants: 1, registeredCount: 1, waitListCount: 2 })).toBe('Full (1) · 2 on the wait list');
    expect(freeSeatsText(0, true)).toEqual({ text: 'Full · wait list', tone: 'neutral' });
    expect(freeSeatsText(1, false).text).toBe('1 seat left');
    expect(freeSeatsText(null, false).text).toBe('Open');
  });
  it('offers the right member action', () => {
    const open = { statusCd: 'ACTIVE', freeSeats: 3, waitListEnabled: true };
    const full = { ...open, freeSeats: 0 };
    expect(memberAction(open, null).kind).toBe('REGISTER');
    expect(memberAction(full, null).label).toBe('Join wait list');
    expect(memberAction({ ...full, waitListEnabled: false }, null).kind).toBe('FULL');
    expect(memberAction(full, { status: 'WAIT_LIST', waitListPosition: 1 }).kind).toBe('LEAVE_WAIT_LIST');
    expect(memberAction(full, { status: 'REGISTERED' }).kind).toBe('CANCEL');
    expect(memberAction({ ...open, statusCd: 'PAUSED' }, null).kind).toBe('CLOSED');
    expect(memberAction(open, { status: 'CANCELLED' }).kind).toBe('REGISTER');
  });
});

describe('course form', () => {
  it('builds the body, leaving empty optionals out', () => {
    const { errors, body } = courseBody(form({ maxParticipants: '12', resourceId: '3', levelCd: 'BEGINNER', instructorName: ' Kim ' }));
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: 'Yoga Basics',
      recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO,WE',
      startDate: '2026-11-23',
      startTime: '07:00',
      durationMinutes: 60,
      waitListEnabled: true,
      resourceId: 3,
      maxParticipants: 12,
      levelCd: 'BEGINNER',
      instructorName: 'Kim',
    });
  });
  it('reports invalid fields', () => {
    const { errors, body } = courseBody(form({ name: ' ', startTime: '7', durationMinutes: '0', maxParticipants: '0', endDate: '2026-11-01' }));
    expect(body).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['durationMinutes', 'endDate', 'maxParticipants', 'name', 'startTime']);
  });
  it('refuses an end date with a rule that already ends', () => {
    expect(courseBody(form({ recurrenceRule: 'FREQ=WEEKLY;COUNT=5', endDate: '2026-12-31' })).errors.endDate).toMatch(/already ends/);
  });
});

describe('problems and attendance', () => {
  it('reads conflicting sessions', () => {
    expect(conflictingSessions({ conflictingSessions: [{ sessionDate: '2026-11-25', start: 'a', end: 'b' }, null, 3] })).toEqual([
      { sessionDate: '2026-11-25', start: 'a', end: 'b' },
    ]);
    expect(conflictingSessions({})).toEqual([]);
    expect(conflictingSessions(undefined)).toEqual([]);
  });
  it('marks everyone, unchecked as absent', () => {
    expect(attendanceMarks({ 1: true, 3: false }, [1, 2, 3])).toEqual([
      { memberId: 1, attended: true },
      { memberId: 2, attended: false },
      { memberId: 3, attended: false },
    ]);
  });
});
