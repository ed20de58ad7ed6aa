// Availability as a timeline: busy and free intervals cut into local days.
import { toWall, wallDate } from './tz';

export interface Segment {
  /** Minutes from local midnight, [from, to). */
  from: number;
  to: number;
  kind: string;
  start: string;
  end: string;
}

const DAY = 1440;

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The local days from `firstDay`, `count` of them. */
export function daysFrom(firstDay: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(firstDay, i));
}

/** Intervals (instants) cut into per-day segments of the organisation's local days. */
export function segmentsByDay(intervals: { start: string; end: string; kind?: string }[], days: string[], timeZone: string): Map<string, Segment[]> {
  const out = new Map<string, Segment[]>(days.map((d) => [d, []]));
  for (const iv of intervals) {
    const s = toWall(iv.start, timeZone).getTime();
    const e = toWall(iv.end, timeZone).getTime();
    for (const day of days) {
      const d0 = Date.parse(`${day}T00:00:00Z`);
      const d1 = d0 + DAY * 60_000;
      if (e <= d0 || s >= d1) continue;
      out.get(day)!.push({
        from: Math.round((Math.max(s, d0) - d0) / 60_000),
        to: Math.round((Math.min(e, d1) - d0) / 60_000),
        kind: iv.kind ?? 'FREE',
        start: iv.start,
        end: iv.end,
      });
    }
  }
  return out;
}

/** The Monday of the week of a date (YYYY-MM-DD). */
export function mondayOf(date: string): string {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((dow + 6) % 7));
}

/** Local midnight of `date` and of the day `count` later, as wall-clock Dates. */
export function dayRange(date: string, count: number): { start: Date; end: Date } {
  return { start: new Date(`${date}T00:00:00Z`), end: new Date(`${addDays(date, count)}T00:00:00Z`) };
}

export { wallDate };
