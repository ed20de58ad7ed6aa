import { describe, expect, it } from 'vitest';
import { isActivePath, matchPath } from './router';
import { todayIn } from './format';

describe('matchPath', () => {
  it('matches static and parameter segments', () => {
    expect(matchPath('/members', '/members')).toEqual({});
    expect(matchPath('/members', '/members/')).toEqual({});
    expect(matchPath('/members/:id', '/members/42')).toEqual({ id: '42' });
    expect(matchPath('/members/:id', '/members')).toBeNull();
    expect(matchPath('/members/:id', '/members/42/contracts')).toBeNull();
    expect(matchPath('/settings/*', '/settings/templates/x')).toEqual({});
  });

  it('marks parents of the current path active', () => {
    expect(isActivePath('/members/3', '/members')).toBe(true);
    expect(isActivePath('/membership', '/members')).toBe(false);
    expect(isActivePath('/members', '/')).toBe(false);
    expect(isActivePath('/', '/')).toBe(true);
  });
});

describe('todayIn', () => {
  it('uses the organisation time zone for the calendar day', () => {
    const instant = new Date('2025-03-30T23:30:00Z');
    expect(todayIn('Europe/Berlin', instant)).toBe('2025-03-31');
    expect(todayIn('America/New_York', instant)).toBe('2025-03-30');
  });
});
