// Access rules: the form's values, client-side validation per rule type, and a
// one-line summary of a rule. Field error keys match the server's error
// locations ("body.config.allowFrom" → "config.allowFrom"), so server field
// errors land next to the same inputs.
import type { AccessRule, AccessRuleWrite, RuleConfig, RuleType, Weekday } from './api/types';

export const RULE_TYPES: { value: RuleType; label: string; description: string }[] = [
  { value: 'MEMBERSHIP_TIER', label: 'Membership plan', description: 'Only members with a contract from the chosen templates.' },
  { value: 'TIME_RESTRICTION', label: 'Time window', description: 'Only between two times of day, in the organisation’s time zone.' },
  { value: 'DAY_OF_WEEK', label: 'Weekdays', description: 'Only on the chosen days of the week.' },
  { value: 'BLACKLIST', label: 'Blocked members', description: 'Never these members, whatever their contract.' },
];

export const WEEKDAYS: { value: Weekday; short: string; long: string }[] = [
  { value: 'MON', short: 'Mon', long: 'Monday' },
  { value: 'TUE', short: 'Tue', long: 'Tuesday' },
  { value: 'WED', short: 'Wed', long: 'Wednesday' },
  { value: 'THU', short: 'Thu', long: 'Thursday' },
  { value: 'FRI', short: 'Fri', long: 'Friday' },
  { value: 'SAT', short: 'Sat', long: 'Saturday' },
  { value: 'SUN', short: 'Sun', long: 'Sunday' },
];

export function ruleTypeLabel(t: string): string {
  return RULE_TYPES.find((r) => r.value === t)?.label ?? t;
}

export interface RuleFormValues {
  name: string;
  ruleCd: RuleType;
  priority: string;
  active: boolean;
  templateIds: number[];
  /** MEMBERSHIP_TIER: also admit any plan of at least this tier rank ("" = not used). */
  minTierRank: string;
  /** TIME_RESTRICTION / DAY_OF_WEEK: members of these templates are exempt. */
  exemptTemplateIds: number[];
  allowFrom: string;
  allowUntil: string;
  days: Weekday[];
  memberIds: number[];
}

export const RULE_FIELDS = [
  'name',
  'ruleCd',
  'priority',
  'active',
  'config',
  'config.allowedTemplateIds',
  'config.minTierRank',
  'config.exemptTemplateIds',
  'config.allowFrom',
  'config.allowUntil',
  'config.allowedDays',
  'config.blockedMemberIds',
];

export function emptyRuleValues(ruleCd: RuleType = 'MEMBERSHIP_TIER'): RuleFormValues {
  return {
    name: '',
    ruleCd,
    priority: '0',
    active: true,
    templateIds: [],
    minTierRank: '',
    exemptTemplateIds: [],
    allowFrom: '06:00',
    allowUntil: '22:00',
    days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
    memberIds: [],
  };
}

export function ruleToValues(r: AccessRule): RuleFormValues {
  const c: RuleConfig = r.config ?? {};
  const base = emptyRuleValues(r.ruleCd);
  return {
    ...base,
    name: r.name,
    priority: String(r.priority ?? 0),
    active: r.active,
    templateIds: Array.isArray(c.allowedTemplateIds) ? c.allowedTemplateIds.map(Number) : [],
    minTierRank: typeof c.minTierRank === 'number' ? String(c.minTierRank) : '',
    exemptTemplateIds: Array.isArray(c.exemptTemplateIds) ? c.exemptTemplateIds.map(Number) : [],
    allowFrom: typeof c.allowFrom === 'string' ? c.allowFrom : r.ruleCd === 'TIME_RESTRICTION' ? '' : base.allowFrom,
    allowUntil: typeof c.allowUntil === 'string' ? c.allowUntil : r.ruleCd === 'TIME_RESTRICTION' ? '' : base.allowUntil,
    days: Array.isArray(c.allowedDays) ? (c.allowedDays as Weekday[]) : r.ruleCd === 'DAY_OF_WEEK' ? [] : base.days,
    memberIds: Array.isArray(c.blockedMemberIds) ? c.blockedMemberIds.map(Number) : [],
  };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** HH:MM, 00:00–23:59; `endOfDay` also accepts 24:00 (the end of a window). */
export function isTime(v: string, endOfDay = false): boolean {
  return HHMM.test(v) || (endOfDay && v === '24:00');
}

/** A window whose end is before its start runs past midnight (22:00–06:00). */
export function isOvernight(from: string, until: string): boolean {
  return isTime(from) && isTime(until) && until < from;
}

function exemption(v: RuleFormValues): RuleConfig {
  return v.exemptTemplateIds.length ? { exemptTemplateIds: [...v.exemptTemplateIds] } : {};
}

/**
 * The config for the chosen type. Only that type's keys are sent: the server
 * rejects unknown keys (MEMBERSHIP_TIER's template ids in a TIME_RESTRICTION…).
 */
export function configOf(v: RuleFormValues): RuleConfig {
  switch (v.ruleCd) {
    case 'MEMBERSHIP_TIER': {
      const c: RuleConfig = {};
      if (v.templateIds.length) c.allowedTemplateIds = [...v.templateIds];
      if (v.minTierRank.trim() !== '') c.minTierRank = Number(v.minTierRank);
      return c;
    }
    case 'TIME_RESTRICTION':
      return { allowFrom: v.allowFrom.trim(), allowUntil: v.allowUntil.trim(), ...exemption(v) };
    case 'DAY_OF_WEEK':
      // In weekday order, whatever order they were ticked in.
      return { allowedDays: WEEKDAYS.map((d) => d.value).filter((d) => v.days.includes(d)), ...exemption(v) };
    case 'BLACKLIST':
      return { blockedMemberIds: [...v.memberIds] };
  }
}

const CONFIG_KEYS = ['allowedTemplateIds', 'minTierRank', 'exemptTemplateIds', 'exemptMinTierRank', 'allowFrom', 'allowUntil', 'allowedDays', 'blockedMemberIds'];

/**
 * The server reports every config problem under the field "config" with the
 * key in the message ("allowUntil: …"). Moves such a message to the field of
 * that key ("config.allowUntil") so it shows next to the right input.
 */
export function placeConfigErrors(errors: Record<string, string>): Record<string, string> {
  const msg = errors.config;
  if (!msg) return errors;
  const out = { ...errors };
  const key = /^allowFrom and allowUntil/.test(msg)
    ? 'allowUntil'
    : CONFIG_KEYS.find((k) => msg.startsWith(`${k}:`) || msg.startsWith(`${k} `) || (/\bneeds\b/.test(msg) && msg.includes(k)));
  if (key) {
    delete out.config;
    const target = key === 'exemptMinTierRank' ? 'exemptTemplateIds' : key;
    if (!out[`config.${target}`]) out[`config.${target}`] = msg.replace(new RegExp(`^${key}:\\s*`, 'i'), '').replace(/^./, (c) => c.toUpperCase());
  }
  return out;
}

/**
 * Validates the form. Returns the field errors (empty when valid) and, when
 * valid, the request body for POST/PUT /api/access/rules.
 */
export function validateRule(
  v: RuleFormValues,
  zoneId: number,
): { errors: Record<string, string>; body?: AccessRuleWrite } {
  const errors: Record<string, string> = {};
  const name = v.name.trim();
  if (!name) errors.name = 'Name is required';
  else if (name.length > 200) errors.name = 'Name must be at most 200 characters';

  const p = v.priority.trim();
  if (!/^-?\d+$/.test(p)) errors.priority = 'Priority must be a whole number';
  else if (Math.abs(Number(p)) > 1000) errors.priority = 'Priority must be between -1000 and 1000';

  switch (v.ruleCd) {
    case 'MEMBERSHIP_TIER': {
      const rank = v.minTierRank.trim();
      if (rank !== '' && (!/^\d+$/.test(rank) || Number(rank) > 1000)) errors['config.minTierRank'] = 'Tier rank must be a whole number from 0 to 1000';
      else if (v.templateIds.length === 0 && rank === '') errors['config.allowedTemplateIds'] = 'Choose at least one contract template, or a minimum tier rank';
      break;
    }
    case 'TIME_RESTRICTION': {
      const from = v.allowFrom.trim();
      const until = v.allowUntil.trim();
      if (!from) errors['config.allowFrom'] = 'Start time is required';
      else if (!isTime(from)) errors['config.allowFrom'] = 'Use the 24-hour format HH:MM, e.g. 06:00';
      if (!until) errors['config.allowUntil'] = 'End time is required';
      else if (!isTime(until, true)) errors['config.allowUntil'] = 'Use the 24-hour format HH:MM, e.g. 22:00 (24:00 for midnight)';
      else if (isTime(from) && from === until) errors['config.allowUntil'] = 'End time must differ from the start time';
      break;
    }
    case 'DAY_OF_WEEK':
      if (v.days.length === 0) errors['config.allowedDays'] = 'Choose at least one day';
      break;
    case 'BLACKLIST':
      if (v.memberIds.length === 0) errors['config.blockedMemberIds'] = 'Add at least one member';
      break;
    default:
      errors.ruleCd = 'Choose a rule type';
  }
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    body: { zoneId, name, ruleCd: v.ruleCd, config: configOf(v), priority: Number(p), active: v.active },
  };
}

/** Collapses runs of consecutive weekdays: MON,TUE,WED,FRI → "Mon–Wed, Fri". */
export function daysSummary(days: readonly string[]): string {
  const idx = WEEKDAYS.map((d) => d.value as string);
  const sorted = [...new Set(days)].filter((d) => idx.includes(d)).sort((a, b) => idx.indexOf(a) - idx.indexOf(b));
  if (sorted.length === 7) return 'Every day';
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && idx.indexOf(sorted[j + 1]) === idx.indexOf(sorted[j]) + 1) j++;
    const a = WEEKDAYS[idx.indexOf(sorted[i])].short;
    const b = WEEKDAYS[idx.indexOf(sorted[j])].short;
    parts.push(j - i >= 2 ? `${a}–${b}` : j > i ? `${a}, ${b}` : a);
    i = j + 1;
  }
  return parts.join(', ') || 'No days';
}

/** One line saying what a rule allows, for lists. */
export function ruleSummary(
  r: Pick<AccessRule, 'ruleCd' | 'config'>,
  names: { template?: (id: number) => string | undefined; member?: (id: number) => string | undefined } = {},
): string {
  const c = r.config ?? {};
  switch (r.ruleCd) {
    case 'MEMBERSHIP_TIER': {
      const ids = c.allowedTemplateIds ?? [];
      const labels = ids.map((id) => names.template?.(id) ?? `template #${id}`);
      const parts = [...labels];
      if (typeof c.minTierRank === 'number') parts.push(`any plan of tier rank ${c.minTierRank}+`);
      return parts.length ? `Only ${parts.join(' or ')}` : 'No template allowed';
    }
    case 'TIME_RESTRICTION': {
      const from = c.allowFrom ?? '?';
      const until = c.allowUntil ?? '?';
      return `${from}–${until}${isOvernight(from, until) ? ' (overnight)' : ''}${exemptNote(c, names)}`;
    }
    case 'DAY_OF_WEEK':
      return `${daysSummary(c.allowedDays ?? [])}${exemptNote(c, names)}`;
    case 'BLACKLIST': {
      const ids = c.blockedMemberIds ?? [];
      if (ids.length === 0) return 'Nobody blocked';
      const shown = ids.slice(0, 3).map((id) => names.member?.(id) ?? `member #${id}`);
      return `Blocks ${shown.join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}`;
    }
    default:
      return JSON.stringify(c);
  }
}

function exemptNote(c: RuleConfig, names: { template?: (id: number) => string | undefined }): string {
  const ids = c.exemptTemplateIds ?? [];
  const parts = ids.map((id) => names.template?.(id) ?? `template #${id}`);
  if (typeof c.exemptMinTierRank === 'number') parts.push(`tier rank ${c.exemptMinTierRank}+`);
  return parts.length ? `; ${parts.join(', ')} exempt` : '';
}
