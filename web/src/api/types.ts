// API types for the Gatehouse contract (shared/spec/API.md).
//
// All UI code imports its API types from this module only. They come from
// src/api/schema.d.ts, which `npm run gen:api` generates from the backend's
// OpenAPI document (`../bin/gatehouse openapi > openapi.json`). Where the
// generated schema is looser than the contract (roles as plain strings, nullable
// dates the schema does not mark nullable), the types are narrowed here, so a
// regenerated schema that drifts from the contract fails `npm run build`.
import type { components } from './schema';

type S = components['schemas'];

export type Role = 'PLATFORM_ADMIN' | 'CLUB_ADMIN' | 'STAFF' | 'TRAINER' | 'MEMBER';

export type User = Omit<S['User'], 'role'> & { role: Role };
export type Entity = S['Entity'];
export type Me = Omit<S['MeOutBody'], 'role'> & { role: Role | 'DEVICE' };
export type LoginRequest = S['LoginInBody'];
export type LoginResponse = Omit<S['Session'], 'user'> & { user: User };

export interface Page<T> {
  items: T[] | null;
  page: number;
  size: number;
  totalItems: number;
  totalPages: number;
}

export type Member = S['Member'];
export type MemberCreate = S['Fields'];
export type MemberUpdate = S['UpdateBody'];

export type ContractTemplate = S['Template'];
export type ContractTemplateCreate = S['NewTemplate'];

export type ContractStatus = S['Contract']['statusCd'];
export const CONTRACT_STATUSES: ContractStatus[] = ['ACTIVE', 'SUSPENDED', 'CANCELLED'];

/** endDate is null for an open-ended contract (the generated schema omits the null). */
export type Contract = Omit<S['Contract'], 'endDate'> & { endDate?: string | null };
export type ContractCreate = S['ContractBody'];
export type ContractUpdate = S['ContractUpdateBody'];

export type ImportRowError = S['RowError'];
export type ImportResult = S['ImportResult'];

/** RFC 9457 problem details as the backend sends them, with extension members. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: ProblemFieldError[] | null;
  rowErrors?: ImportRowError[] | null;
  [extra: string]: unknown;
}

export type ProblemFieldError = S['ErrorDetail'];
