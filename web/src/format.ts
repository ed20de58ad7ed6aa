// Formatting helpers. Dates from the API are "YYYY-MM-DD" (organisation-local days);
// instants are RFC 3339 UTC and are shown in the organisation's time zone.

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const m = DATE_RE.exec(date);
  if (!m) return date;
  // Construct in UTC and format in UTC so the calendar day never shifts.
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export function formatInstant(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return d.toLocaleString('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
    });
  } catch {
    return d.toLocaleString('en-GB');
  }
}

/** Today as YYYY-MM-DD in the given IANA time zone (browser zone if omitted/invalid). */
export function todayIn(timeZone?: string, now: Date = new Date()): string {
  try {
    // en-CA formats as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  }
}

export function fullName(m: { firstName: string; lastName: string }): string {
  return `${m.firstName} ${m.lastName}`.trim();
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
