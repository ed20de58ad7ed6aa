// Typed wrappers around the Gatehouse API (one function per endpoint used by the UI).
import { request } from './client';
import type {
  Contract,
  ContractCreate,
  ContractTemplate,
  ContractTemplateCreate,
  ContractUpdate,
  ImportResult,
  LoginRequest,
  LoginResponse,
  Me,
  Member,
  MemberCreate,
  MemberUpdate,
  Page,
} from './types';

export const api = {
  login: (body: LoginRequest) =>
    request<LoginResponse>('/api/auth/login', { method: 'POST', body, skipAuthRedirect: true }),
  logout: () => request<void>('/api/auth/logout', { method: 'POST', skipAuthRedirect: true }),
  me: (signal?: AbortSignal) => request<Me>('/api/auth/me', { signal }),

  listMembers: (q: { query?: string; page?: number; size?: number }, signal?: AbortSignal) =>
    request<Page<Member>>('/api/members', { query: q, signal }),
  getMember: (id: number, signal?: AbortSignal) => request<Member>(`/api/members/${id}`, { signal }),
  createMember: (body: MemberCreate) => request<Member>('/api/members', { method: 'POST', body }),
  updateMember: (id: number, body: MemberUpdate) =>
    request<Member>(`/api/members/${id}`, { method: 'PUT', body }),
  importMembers: (csv: string, partial: boolean) =>
    request<ImportResult>('/api/members/import', {
      method: 'POST',
      body: csv,
      contentType: 'text/csv',
      query: { partial },
    }),

  listTemplates: (signal?: AbortSignal) =>
    request<Page<ContractTemplate>>('/api/contract-templates', { query: { size: 200 }, signal }),
  createTemplate: (body: ContractTemplateCreate) =>
    request<ContractTemplate>('/api/contract-templates', { method: 'POST', body }),

  listContracts: (memberId: number, signal?: AbortSignal) =>
    request<Page<Contract>>(`/api/members/${memberId}/contracts`, { query: { size: 200 }, signal }),
  createContract: (memberId: number, body: ContractCreate) =>
    request<Contract>(`/api/members/${memberId}/contracts`, { method: 'POST', body }),
  updateContract: (id: number, body: ContractUpdate) =>
    request<Contract>(`/api/contracts/${id}`, { method: 'PUT', body }),
};

/** A list envelope's items, tolerating `null` for an empty list. */
export function itemsOf<T>(page: Page<T> | undefined | null): T[] {
  return page?.items ?? [];
}
