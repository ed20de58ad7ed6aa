import { describe, expect, it } from 'vitest';
import { buildRRule, defaultRepeat, describeRepeat, nthOf, parseRepeat, validateRepeat, weekdayOf, type RepeatSpec } from './rrule';

const START = '2026-11-24'; // a Tuesday, the 4th Tuesday of November (not the last: 30 days)

function spec(over: Partial<RepeatSpec>): RepeatSpec {
  return { ...defaultRepeat(START), ...over };
}

describe('buildRRule', () => {
  it('is null for "does not repeat"', () => {
    expect(buildRRule(defaultRepeat(START))).toBeNull();
  });
  it('daily, with an interval and a count', () => {
    expect(buildRRule(spec({ freq: 'DAILY' }))).toBe('FREQ=DAILY');
    expect(buildRRule(spec({ freq: 'DAILY', interval: 2, end: 'COUNT', count: 5 }))).toBe('FREQ=DAILY;INTERVAL=2;COUNT=5');
  });
  it('weekly on chosen days, in week order, until a date', () => {
    expect(buildRRule(spec({ freq: 'WEEKLY', byDay: ['TH', 'TU'], end: 'UNTIL', until: '2027-03-31' }))).toBe(
      'FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270331',
    );
  });
  it('monthly by day of month', () => {
    expect(buildRRule(spec({ freq: 'MONTHLY', monthlyMode: 'DAY_OF_MONTH', monthDay: 24 }))).toBe('FREQ=MONTHLY;BYMONTHDAY=24');
  });
  it('monthly on the 2nd Tuesday and on the last Friday', () => {
    expect(buildRRule(spec({ freq: 'MONTHLY', monthlyMode: 'NTH_WEEKDAY', nth: 2, nthWeekday: 'TU', end: 'COUNT', count: 12 }))).toBe(
      'FREQ=MONTHLY;BYDAY=2TU;COUNT=12',
    );
    expect(buildRRule(spec({ freq: 'MONTHLY', monthlyMode: 'NTH_WEEKDAY', nth: -1, nthWeekday: 'FR' }))).toBe('FREQ=MONTHLY;BYDAY=-1FR');
  });
  it('ignores an unfinished until date', () => {
    expect(buildRRule(spec({ freq: 'DAILY', end: 'UNTIL', until: '' }))).toBe('FREQ=DAILY');
  });
});

describe('parseRepeat round trip', () => {
  const rules = [
    'FREQ=DAILY',
    'FREQ=DAILY;INTERVAL=3;COUNT=10',
    'FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261231',
    'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU',
    'FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6',
    'FREQ=MONTHLY;BYDAY=2TU',
    'FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20271231',
  ];
  for (const r of rules) {
    it(r, () => {
      const s = parseRepeat(r, START);
      expect(s).not.toBeNull();
      expect(buildRRule(s!)).toBe(r);
    });
  }
  // The server stores rules canonically (internal/recur Rule.String: COUNT/UNTIL before BYxxx);
  // the edit dialog reads them back into the builder, which must give the same rule again.
  const canonical: [string, string][] = [
    ['FREQ=WEEKLY;COUNT=6;BYDAY=MO', 'FREQ=WEEKLY;BYDAY=MO;COUNT=6'],
    ['FREQ=WEEKLY;INTERVAL=2;UNTIL=20270331;BYDAY=TU,TH', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270331'],
    ['FREQ=MONTHLY;COUNT=12;BYDAY=-1FR', 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=12'],
  ];
  for (const [stored, built] of canonical) {
    it(`reads the server's ${stored} back into the builder`, () => {
      const s = parseRepeat(stored, START)!;
      expect(s).not.toBeNull();
      expect(buildRRule(s)).toBe(built);
      expect(parseRepeat(buildRRule(s), START)).toEqual(s);
    });
  }
  it('edits a read-back weekly rule into every other week', () => {
    const s = parseRepeat('FREQ=WEEKLY;COUNT=6', START)!;
    expect(s).toMatchObject({ freq: 'WEEKLY', interval: 1, byDay: ['TU'], end: 'COUNT', count: 6 });
    expect(buildRRule({ ...s, interval: 2 })).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6');
  });
  it('returns null for a UTC UNTIL (shown as text in the edit dialog)', () => {
    expect(parseRepeat('FREQ=DAILY;UNTIL=20270331T225959Z', START)).toBeNull();
  });
  it('accepts the RRULE: prefix and lower case', () => {
    expect(buildRRule(parseRepeat('RRULE:freq=weekly;byday=th,tu', START)!)).toBe('FREQ=WEEKLY;BYDAY=TU,TH');
  });
  it('fills a WEEKLY rule without BYDAY from the start day', () => {
    expect(parseRepeat('FREQ=WEEKLY', START)!.byDay).toEqual(['TU']);
  });
  it('returns null for rules the builder cannot show', () => {
    for (const r of ['FREQ=YEARLY', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', 'FREQ=MONTHLY;BYDAY=2TU,4TU', 'FREQ=WEEKLY;BYDAY=XX', 'FREQ=DAILY;COUNT=2;UNTIL=20270101', 'nonsense']) {
      expect(parseRepeat(r, START), r).toBeNull();
    }
  });
  it('an empty rule is "does not repeat"', () => {
    expect(parseRepeat('', START)!.freq).toBe('NONE');
  });
});

describe('helpers', () => {
  it('weekday and nth of a date', () => {
    expect(weekdayOf('2026-11-24')).toBe('TU');
    expect(weekdayOf('2026-11-29')).toBe('SU');
    expect(nthOf('2026-11-10')).toMatchObject({ nth: 2, isLast: false });
    expect(nthOf('2026-11-27')).toMatchObject({ nth: 4, isLast: true }); // last Friday of November 2026
    expect(nthOf('2026-10-30')).toMatchObject({ nth: -1, isLast: true }); // 5th Friday
  });
  it('describes a rule', () => {
    expect(describeRepeat(spec({ freq: 'WEEKLY', byDay: ['WE', 'MO'], end: 'COUNT', count: 10 }))).toBe('Weekly on Mon, Wed, 10 times');
    expect(describeRepeat(spec({ freq: 'MONTHLY', monthlyMode: 'NTH_WEEKDAY', nth: -1, nthWeekday: 'FR' }))).toBe('Monthly on the last Friday');
    expect(describeRepeat(spec({ freq: 'DAILY', interval: 2 }))).toBe('Every 2 days');
  });
  it('validates against the start', () => {
    expect(validateRepeat(spec({ freq: 'WEEKLY', byDay: ['MO'] }), START).byDay).toMatch(/Tuesday/);
    expect(validateRepeat(spec({ freq: 'WEEKLY', byDay: [] }), START).byDay).toMatch(/at least one/);
    expect(validateRepeat(spec({ freq: 'DAILY', end: 'UNTIL', until: '2026-11-01' }), START).until).toMatch(/before/);
    expect(validateRepeat(spec({ freq: 'WEEKLY', byDay: ['TU', 'TH'], end: 'COUNT', count: 4 }), START)).toEqual({});
  });
});
