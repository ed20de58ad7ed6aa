import { describe, expect, it } from 'vitest';
import type { AccessRule } from './api/types';
import { daysSummary, emptyRuleValues, isOvernight, ruleSummary, ruleToValues, validateRule, type RuleFormValues } from './rules';

const v = (over: Partial<RuleFormValues>): RuleFormValues => ({ ...emptyRuleValues(over.ruleCd), name: 'Rule', ...over });

describe('validateRule', () => {
  it('requires a name and a whole-number priority', () => {
    const { errors, body } = validateRule(v({ name: ' ', priority: '1.5', templateIds: [1] }), 1);
    expect(body).toBeUndefined();
    expect(errors.name).toBe('Name is required');
    expect(errors.priority).toMatch(/whole number/);
    expect(validateRule(v({ name: 'x'.repeat(201), templateIds: [1] }), 1).errors.name).toMatch(/200/);
  });

  it('MEMBERSHIP_TIER needs at least one template', () => {
    expect(validateRule(v({ ruleCd: 'MEMBERSHIP_TIER' }), 4).errors['config.allowedTemplateIds']).toBeTruthy();
    const { body } = validateRule(v({ ruleCd: 'MEMBERSHIP_TIER', templateIds: [3, 1], priority: '10', allowFrom: '01:00' }), 4);
    // only the chosen type's config is sent
    expect(body).toEqual({ zoneId: 4, name: 'Rule', ruleCd: 'MEMBERSHIP_TIER', config: { allowedTemplateIds: [3, 1] }, priority: 10, active: true });
  });

  it('TIME_RESTRICTION checks HH:MM and allows overnight windows', () => {
    const bad = validateRule(v({ ruleCd: 'TIME_RESTRICTION', allowFrom: '6:00', allowUntil: '25:00' }), 1).errors;
    expect(bad['config.allowFrom']).toMatch(/HH:MM/);
    expect(bad['config.allowUntil']).toMatch(/HH:MM/);
    expect(validateRule(v({ ruleCd: 'TIME_RESTRICTION', allowFrom: '', allowUntil: '' }), 1).errors['config.allowFrom']).toMatch(/required/);
    expect(validateRule(v({ ruleCd: 'TIME_RESTRICTION', allowFrom: '08:00', allowUntil: '08:00' }), 1).errors['config.allowUntil']).toMatch(/differ/);
    const night = validateRule(v({ ruleCd: 'TIME_RESTRICTION', allowFrom: '22:00', allowUntil: '06:00' }), 1);
    expect(night.errors).toEqual({});
    expect(night.body?.config).toEqual({ allowFrom: '22:00', allowUntil: '06:00' });
    expect(isOvernight('22:00', '06:00')).toBe(true);
    expect(isOvernight('06:00', '22:00')).toBe(false);
  });

  it('DAY_OF_WEEK needs a day and sends them in weekday order', () => {
    expect(validateRule(v({ ruleCd: 'DAY_OF_WEEK', days: [] }), 1).errors['config.allowedDays']).toBeTruthy();
    expect(validateRule(v({ ruleCd: 'DAY_OF_WEEK', days: ['SUN', 'MON', 'SAT'] }), 1).body?.config).toEqual({ allowedDays: ['MON', 'SAT', 'SUN'] });
  });

  it('BLACKLIST needs a member', () => {
    expect(validateRule(v({ ruleCd: 'BLACKLIST' }), 1).errors['config.blockedMemberIds']).toBeTruthy();
    expect(validateRule(v({ ruleCd: 'BLACKLIST', memberIds: [42, 99] }), 1).body?.config).toEqual({ blockedMemberIds: [42, 99] });
  });

  it('round-trips a stored rule through the form', () => {
    const r: AccessRule = { id: 1, zoneId: 2, name: 'Nights', ruleCd: 'TIME_RESTRICTION', config: { allowFrom: '22:00', allowUntil: '06:00' }, priority: 5, active: false, version: 3 };
    const vals = ruleToValues(r);
    expect(vals).toMatchObject({ name: 'Nights', priority: '5', active: false, allowFrom: '22:00', allowUntil: '06:00' });
    expect(validateRule(vals, 2).body).toEqual({ zoneId: 2, name: 'Nights', ruleCd: 'TIME_RESTRICTION', config: r.config, priority: 5, active: false });
  });
});

describe('rule summaries', () => {
  it('collapses weekday runs', () => {
    expect(daysSummary(['MON', 'TUE', 'WED', 'THU', 'FRI'])).toBe('Mon–Fri');
    expect(daysSummary(['SAT', 'SUN'])).toBe('Sat, Sun');
    expect(daysSummary(['MON', 'WED', 'THU', 'FRI', 'SUN'])).toBe('Mon, Wed–Fri, Sun');
    expect(daysSummary(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'])).toBe('Every day');
  });
  it('names templates and members', () => {
    expect(ruleSummary({ ruleCd: 'MEMBERSHIP_TIER', config: { allowedTemplateIds: [1, 2] } }, { template: (id) => (id === 1 ? 'Premium' : undefined) })).toBe(
      'Only Premium or template #2',
    );
    expect(ruleSummary({ ruleCd: 'TIME_RESTRICTION', config: { allowFrom: '22:00', allowUntil: '06:00' } })).toBe('22:00–06:00 (overnight)');
    expect(ruleSummary({ ruleCd: 'BLACKLIST', config: { blockedMemberIds: [1, 2, 3, 4, 5] } })).toBe('Blocks member #1, member #2, member #3 and 2 more');
  });
});

describe('server config errors', () => {
  it('moves a "config" error to the field its message names', async () => {
    const { placeConfigErrors } = await import('./rules');
    expect(placeConfigErrors({ config: 'allowUntil: must be HH:MM' })).toEqual({ 'config.allowUntil': 'Must be HH:MM' });
    expect(placeConfigErrors({ config: 'allowFrom and allowUntil are equal: an empty window' })).toHaveProperty('config.allowUntil');
    expect(placeConfigErrors({ config: 'MEMBERSHIP_TIER needs allowedTemplateIds or minTierRank' })).toHaveProperty('config.allowedTemplateIds');
    expect(placeConfigErrors({ config: 'must be a JSON object', name: 'x' })).toEqual({ config: 'must be a JSON object', name: 'x' });
  });

  it('accepts 24:00 as the end of a window and a minimum tier rank instead of templates', () => {
    expect(validateRule(v({ ruleCd: 'TIME_RESTRICTION', allowFrom: '18:00', allowUntil: '24:00' }), 1).errors).toEqual({});
    expect(validateRule(v({ ruleCd: 'TIME_RESTRICTION', allowFrom: '24:00', allowUntil: '06:00' }), 1).errors['config.allowFrom']).toBeTruthy();
    expect(validateRule(v({ ruleCd: 'MEMBERSHIP_TIER', minTierRank: '2' }), 1).body?.config).toEqual({ minTierRank: 2 });
    expect(validateRule(v({ ruleCd: 'MEMBERSHIP_TIER', minTierRank: 'x' }), 1).errors['config.minTierRank']).toBeTruthy();
    expect(validateRule(v({ ruleCd: 'DAY_OF_WEEK', days: ['SAT'], exemptTemplateIds: [7] }), 1).body?.config).toEqual({ allowedDays: ['SAT'], exemptTemplateIds: [7] });
  });
});
