// The repeat builder of the booking dialog: a small form model <-> an RFC 5545
// RRULE string as the backend's internal/recur reads it (docs/recurrence.md).
// Only what the builder offers is produced; parseRepeat() reads those rules back
// (and returns null for anything else, which the dialog then shows as raw text).

export type WeekdayCode = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';
export const WEEKDAYS: WeekdayCode[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
export const WEEKDAY_SHORT: Record<WeekdayCode, string> = { MO: 'Mon', TU: 'Tue', WE: 'Wed', TH: 'Thu', FR: 'Fri', SA: 'Sat', SU: 'Sun' };
export const WEEKDAY_LONG: Record<WeekdayCode, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};

export type RepeatFreq = 'NONE' | 'DAILY' | 'WEEKLY' | 'MONTHLY';
/** Monthly: on a day of the month ("on the 14th") or on an nth weekday ("2nd Tuesday", "last Friday"). */
export type MonthlyMode = 'DAY_OF_MONTH' | 'NTH_WEEKDAY';
export type RepeatEnd = 'NEVER' | 'UNTIL' | 'COUNT';
/** 1…4 or -1 (last). */
export type Nth = 1 | 2 | 3 | 4 | -1;

export interface RepeatSpec {
  freq: RepeatFreq;
  /** Every n days/weeks/months (≥ 1). */
  interval: number;
  /** WEEKLY: the days, in week order. */
  byDay: WeekdayCode[];
  monthlyMode: MonthlyMode;
  /** MONTHLY DAY_OF_MONTH: 1…31. */
  monthDay: number;
  /** MONTHLY NTH_WEEKDAY. */
  nth: Nth;
  nthWeekday: WeekdayCode;
  end: RepeatEnd;
  /** UNTIL as YYYY-MM-DD: through the end of that day in the organisation's zone. */
  until: string;
  count: number;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Weekday of a YYYY-MM-DD calendar date. */
export function weekdayOf(date: string): WeekdayCode {
  const m = DATE_RE.exec(date);
  if (!m) return 'MO';
  const dow = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay(); // 0 = Sunday
  return WEEKDAYS[(dow + 6) % 7];
}

/** Which weekday-of-the-month a date is: 1…4, or -1 when it is the last one (5th, or 4th that is last). */
export function nthOf(date: string): { nth: Nth; ordinal: number; isLast: boolean } {
  const m = DATE_RE.exec(date);
  if (!m) return { nth: 1, ordinal: 1, isLast: false };
  const day = +m[3];
  const daysInMonth = new Date(Date.UTC(+m[1], +m[2], 0)).getUTCDate();
  const ordinal = Math.ceil(day / 7);
  const isLast = day + 7 > daysInMonth;
  return { nth: ordinal >= 5 ? -1 : (ordinal as Nth), ordinal, isLast };
}

/** A builder state that fits a first occurrence on `startDate` (YYYY-MM-DD). */
export function defaultRepeat(startDate: string): RepeatSpec {
  const wd = weekdayOf(startDate);
  const m = DATE_RE.exec(startDate);
  return {
    freq: 'NONE',
    interval: 1,
    byDay: [wd],
    monthlyMode: 'DAY_OF_MONTH',
    monthDay: m ? +m[3] : 1,
    nth: nthOf(startDate).nth,
    nthWeekday: wd,
    end: 'NEVER',
    until: '',
    count: 10,
  };
}

function sortDays(days: WeekdayCode[]): WeekdayCode[] {
  return WEEKDAYS.filter((d) => days.includes(d));
}

/** The RRULE (without the "RRULE:" prefix), or null for "does not repeat". */
export function buildRRule(spec: RepeatSpec): string | null {
  if (spec.freq === 'NONE') return null;
  const parts = [`FREQ=${spec.freq}`];
  const interval = Math.max(1, Math.floor(spec.interval || 1));
  if (interval > 1) parts.push(`INTERVAL=${interval}`);
  if (spec.freq === 'WEEKLY' && spec.byDay.length) parts.push(`BYDAY=${sortDays(spec.byDay).join(',')}`);
  if (spec.freq === 'MONTHLY') {
    if (spec.monthlyMode === 'DAY_OF_MONTH') parts.push(`BYMONTHDAY=${spec.monthDay}`);
    else parts.push(`BYDAY=${spec.nth}${spec.nthWeekday}`);
  }
  if (spec.end === 'COUNT') parts.push(`COUNT=${Math.max(1, Math.floor(spec.count || 1))}`);
  if (spec.end === 'UNTIL' && DATE_RE.test(spec.until)) parts.push(`UNTIL=${spec.until.replace(/-/g, '')}`);
  return parts.join(';');
}

/**
 * Reads a rule the builder can show. `startDate` fills the parts the rule leaves
 * implicit (a WEEKLY rule without BYDAY repeats on the start's weekday).
 * Returns null for rules outside the builder (YEARLY, BYSETPOS, several BYDAY ordinals…).
 */
export function parseRepeat(rule: string | null | undefined, startDate: string): RepeatSpec | null {
  const spec = defaultRepeat(startDate);
  if (!rule || !rule.trim()) return spec;
  const body = rule.trim().replace(/^RRULE:/i, '');
  const kv = new Map<string, string>();
  for (const part of body.split(';')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 1) return null;
    kv.set(part.slice(0, eq).toUpperCase(), part.slice(eq + 1).toUpperCase());
  }
  const freq = kv.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY') return null;
  spec.freq = freq;
  for (const key of kv.keys()) {
    if (!['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL'].includes(key)) return null;
  }
  if (kv.has('INTERVAL')) {
    const n = Number(kv.get('INTERVAL'));
    if (!Number.isInteger(n) || n < 1) return null;
    spec.interval = n;
  }
  const byDay = kv.get('BYDAY');
  const byMonthDay = kv.get('BYMONTHDAY');
  if (freq === 'DAILY' && (byDay || byMonthDay)) return null;
  if (freq === 'WEEKLY') {
    if (byMonthDay) return null;
    if (byDay) {
      const days = byDay.split(',');
      if (!days.every((d) => (WEEKDAYS as string[]).includes(d))) return null;
      spec.byDay = sortDays(days as WeekdayCode[]);
    }
  }
  if (freq === 'MONTHLY') {
    if (byDay && byMonthDay) return null;
    if (byMonthDay) {
      const n = Number(byMonthDay);
      if (!Number.isInteger(n) || n < 1 || n > 31) return null;
      spec.monthlyMode = 'DAY_OF_MONTH';
      spec.monthDay = n;
    } else if (byDay) {
      const m = /^(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)$/.exec(byDay);
      if (!m) return null;
      spec.monthlyMode = 'NTH_WEEKDAY';
      spec.nth = Number(m[1]) as Nth;
      spec.nthWeekday = m[2] as WeekdayCode;
    }
  }
  const count = kv.get('COUNT');
  const until = kv.get('UNTIL');
  if (count && until) return null;
  if (count) {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1) return null;
    spec.end = 'COUNT';
    spec.count = n;
  } else if (until) {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(until);
    if (!m) return null;
    spec.end = 'UNTIL';
    spec.until = `${m[1]}-${m[2]}-${m[3]}`;
  }
  return spec;
}

const NTH_LABEL: Record<string, string> = { '1': '1st', '2': '2nd', '3': '3rd', '4': '4th', '-1': 'last' };

export function nthLabel(nth: Nth): string {
  return NTH_LABEL[String(nth)];
}

/** A sentence for the rule, e.g. "Weekly on Mon, Wed, 10 times". */
export function describeRepeat(spec: RepeatSpec): string {
  if (spec.freq === 'NONE') return 'Does not repeat';
  const n = Math.max(1, spec.interval);
  const unit = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month' }[spec.freq];
  let s = n === 1 ? { DAILY: 'Daily', WEEKLY: 'Weekly', MONTHLY: 'Monthly' }[spec.freq] : `Every ${n} ${unit}s`;
  if (spec.freq === 'WEEKLY' && spec.byDay.length) s += ` on ${sortDays(spec.byDay).map((d) => WEEKDAY_SHORT[d]).join(', ')}`;
  if (spec.freq === 'MONTHLY') {
    s += spec.monthlyMode === 'DAY_OF_MONTH' ? ` on day ${spec.monthDay}` : ` on the ${nthLabel(spec.nth)} ${WEEKDAY_LONG[spec.nthWeekday]}`;
  }
  if (spec.end === 'COUNT') s += `, ${spec.count} ${spec.count === 1 ? 'time' : 'times'}`;
  if (spec.end === 'UNTIL' && spec.until) s += `, until ${spec.until}`;
  return s;
}

/**
 * Problems the server would refuse, worded for the form (the first occurrence
 * must be the start itself; UNTIL not before the start). Keyed by builder field.
 */
export function validateRepeat(spec: RepeatSpec, startDate: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (spec.freq === 'NONE') return errors;
  if (!Number.isInteger(spec.interval) || spec.interval < 1) errors.interval = 'Enter a whole number of 1 or more';
  if (spec.freq === 'WEEKLY') {
    if (!spec.byDay.length) errors.byDay = 'Choose at least one day';
    else if (!spec.byDay.includes(weekdayOf(startDate))) errors.byDay = `Include ${WEEKDAY_LONG[weekdayOf(startDate)]}: the booking starts on one`;
  }
  if (spec.end === 'UNTIL') {
    if (!DATE_RE.test(spec.until)) errors.until = 'Choose the last day';
    else if (spec.until < startDate) errors.until = 'The last day cannot be before the start';
  }
  if (spec.end === 'COUNT' && (!Number.isInteger(spec.count) || spec.count < 1)) errors.count = 'Enter 1 or more';
  return errors;
}
