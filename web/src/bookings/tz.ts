// Instants <-> wall-clock time in the organisation's zone, with Intl only.
//
// The calendar runs FullCalendar with timeZone "UTC" and gives it "wall-clock
// dates": Dates whose UTC fields are the organisation's local date and time. So a
// 07:00 Berlin booking sits in the 07:00 row whatever zone the browser is in, no
// DST gap of the browser's zone can shift it, and no time-zone plugin (luxon,
// moment-timezone) is needed. Everything sent to the API is converted back here.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** A zone Intl accepts, else "UTC". */
export function safeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return 'UTC';
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/** The zone's offset from UTC at `instant` (ms since the epoch), in ms. */
export function zoneOffset(instant: number, timeZone: string): number {
  const secs = Math.floor(instant / 1000) * 1000;
  const parts = formatter(timeZone).formatToParts(new Date(secs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - secs;
}

/** The wall-clock Date (UTC fields = local fields in `timeZone`) of an instant. */
export function toWall(instant: string | number | Date, timeZone: string): Date {
  const ms = typeof instant === 'number' ? instant : new Date(instant).getTime();
  return new Date(ms + zoneOffset(ms, timeZone));
}

/**
 * The instant of a wall-clock Date. In a DST gap (02:30 on a spring-forward day)
 * the later offset wins (03:30 local); in an overlap, the earlier instant.
 */
export function fromWall(wall: Date | number, timeZone: string): Date {
  const w = typeof wall === 'number' ? wall : wall.getTime();
  const first = w - zoneOffset(w, timeZone);
  const off = zoneOffset(first, timeZone);
  let result = w - off;
  // Overlap: prefer the earlier instant if it maps to the same wall clock.
  const earlier = w - zoneOffset(result - 3_600_000, timeZone);
  if (earlier < result && earlier + zoneOffset(earlier, timeZone) === w) result = earlier;
  return new Date(result);
}

/** RFC 3339 UTC without milliseconds: "2026-03-29T05:00:00Z". */
export function isoUtc(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** YYYY-MM-DD of a wall-clock Date. */
export function wallDate(wall: Date): string {
  return wall.toISOString().slice(0, 10);
}

/** HH:MM of a wall-clock Date. */
export function wallTime(wall: Date): string {
  return wall.toISOString().slice(11, 16);
}

/** A wall-clock Date from "YYYY-MM-DD" and "HH:MM". */
export function wallFrom(date: string, time: string): Date {
  return new Date(`${date}T${time || '00:00'}:00Z`);
}

/** "Mon 23 Nov, 10:00–11:00" for an interval, in `timeZone`. */
export function formatRange(start: string, end: string, timeZone: string): string {
  const s = toWall(start, timeZone);
  const e = toWall(end, timeZone);
  const day = (d: Date) => d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
  const sameDay = wallDate(s) === wallDate(e);
  return sameDay ? `${day(s)}, ${wallTime(s)}–${wallTime(e)}` : `${day(s)}, ${wallTime(s)} – ${day(e)}, ${wallTime(e)}`;
}
