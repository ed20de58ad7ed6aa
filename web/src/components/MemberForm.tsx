import { useState, type FormEvent, type ReactNode } from 'react';
import type { Member } from '../api/types';
import { TextField } from './ui';

export interface MemberFormValues {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  memberNumber: string;
}

export const MEMBER_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'memberNumber'];

export function memberToValues(m?: Member | null): MemberFormValues {
  return {
    firstName: m?.firstName ?? '',
    lastName: m?.lastName ?? '',
    email: m?.email ?? '',
    phone: m?.phone ?? '',
    memberNumber: m?.memberNumber ?? '',
  };
}

/** Required-field checks done before sending; everything else is the server's call. */
export function localMemberErrors(v: MemberFormValues, requireNumber: boolean): Record<string, string> {
  const e: Record<string, string> = {};
  if (!v.firstName.trim()) e.firstName = 'First name is required';
  if (!v.lastName.trim()) e.lastName = 'Last name is required';
  if (!v.email.trim()) e.email = 'Email is required';
  if (requireNumber && !v.memberNumber.trim()) e.memberNumber = 'Member number is required';
  return e;
}

export function MemberForm({
  id,
  initial,
  errors,
  memberNumberHint,
  requireNumber,
  onSubmit,
  children,
}: {
  id: string;
  initial: MemberFormValues;
  errors: Record<string, string>;
  memberNumberHint?: string;
  requireNumber?: boolean;
  onSubmit: (values: MemberFormValues) => void;
  children?: ReactNode;
}) {
  const [v, setV] = useState(initial);
  const set = (k: keyof MemberFormValues) => (e: { target: { value: string } }) =>
    setV((prev) => ({ ...prev, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(v);
  };
  return (
    <form id={id} className="form" onSubmit={submit} noValidate>
      <div className="form-row">
        <TextField label="First name" name="firstName" autoComplete="off" required value={v.firstName} onChange={set('firstName')} error={errors.firstName} />
        <TextField label="Last name" name="lastName" autoComplete="off" required value={v.lastName} onChange={set('lastName')} error={errors.lastName} />
      </div>
      <TextField label="Email" name="email" type="email" autoComplete="off" required value={v.email} onChange={set('email')} error={errors.email} />
      <div className="form-row">
        <TextField label="Phone" name="phone" type="tel" autoComplete="off" optional value={v.phone} onChange={set('phone')} error={errors.phone} />
        <TextField
          label="Member number"
          name="memberNumber"
          autoComplete="off"
          optional={!requireNumber}
          required={requireNumber}
          value={v.memberNumber}
          onChange={set('memberNumber')}
          error={errors.memberNumber}
          hint={memberNumberHint}
        />
      </div>
      {children}
    </form>
  );
}
