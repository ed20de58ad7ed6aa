// Typed wrappers around the Gatehouse API (one function per endpoint used by the UI).
import { request } from './client';
import type {
  Course,
  CourseDetail,
  CourseInput,
  CourseRegistration,
  CourseRoster,
  CourseSaved,
  CourseSchedule,
  CourseUpdate,
  MyCourse,
  User,
  AccessRule,
  Availability,
  Booking,
  BookingCreate,
  BookingCreated,
  BookingUpdate,
  BookingUpdated,
  FeedToken,
  Occurrence,
  RescheduleBody,
  Resource,
  ResourceDetail,
  ResourceUpdate,
  ResourceWrite,
  AccessRuleWrite,
  CheckIn,
  CheckInRequest,
  Contract,
  ContractCreate,
  ContractTemplate,
  ContractTemplateCreate,
  ContractUpdate,
  Credential,
  CredentialCreate,
  Device,
  DeviceCreate,
  ImportResult,
  LoginRequest,
  LoginResponse,
  Me,
  Member,
  MemberCreate,
  MemberUpdate,
  NewDevice,
  Occupancy,
  Page,
  PhoneCode,
  BleCalibration,
  BleRange,
  BleReader,
  BleZoneRange,
  UnlockResult,
  DoorBinding,
  DoorEvent,
  ReaderStatus,
  Zone,
  ZoneWrite,
  AccessJob,
  AccessJobStatus,
  AccessLogAction,
  AccessLogEntry,
  AccessLogOutcome,
  IntegrationConfigure,
  IntegrationStatus,
  IntegrationTestResult,
  ReconcileResult,
  VendorCredential,
} from './types';

/** A list answered either as a bare array or as a page envelope. */
type ListOf<T> = T[] | Page<T> | null | undefined;

/** Items of a list answer, whether the server sends a bare array or a page envelope. */
export function listItems<T>(v: ListOf<T>): T[] {
  if (!v) return [];
  if (Array.isArray(v)) return v;
  return v.items ?? [];
}

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

  // Access control: zones, rules, occupancy, doors.
  /** The zone tree: top-level zones with their children (one page of 200 top-level zones). */
  zoneTree: async (signal?: AbortSignal) =>
    listItems(await request<ListOf<Zone>>('/api/access/zones', { query: { size: 200 }, signal })),
  getZone: (id: number, signal?: AbortSignal) => request<Zone>(`/api/access/zones/${id}`, { signal }),
  createZone: (body: ZoneWrite) => request<Zone>('/api/access/zones', { method: 'POST', body }),
  updateZone: (id: number, body: ZoneWrite) => request<Zone>(`/api/access/zones/${id}`, { method: 'PUT', body }),
  deactivateZone: (id: number) => request<Zone | undefined>(`/api/access/zones/${id}`, { method: 'DELETE' }),
  occupancy: (id: number, signal?: AbortSignal) => request<Occupancy>(`/api/access/zones/${id}/occupancy`, { signal }),
  unlockZone: (id: number, durationSeconds: number) =>
    request<UnlockResult>(`/api/access/zones/${id}/unlock`, { method: 'POST', body: { durationSeconds } }),
  bindDoor: (id: number, body: DoorBinding) => request<Zone>(`/api/access/zones/${id}/door`, { method: 'PUT', body }),
  /** OSDP reader status (zoneId: only that zone's readers). */
  /** The newest events of a zone's door, newest first (the simulated door lists the commands it received). */
  doorEvents: (zoneId: number, limit = 10, signal?: AbortSignal) =>
    request<DoorEvent[] | null>(`/api/access/zones/${zoneId}/door/events`, { query: { limit }, signal }),
  listReaders: (zoneId?: number, signal?: AbortSignal) =>
    request<ReaderStatus[]>('/api/access/readers', { query: zoneId ? { zoneId } : {}, signal }),

  listRules: async (zoneId: number, signal?: AbortSignal) =>
    listItems(await request<ListOf<AccessRule>>('/api/access/rules', { query: { zoneId, size: 200 }, signal })),
  createRule: (body: AccessRuleWrite) => request<AccessRule>('/api/access/rules', { method: 'POST', body }),
  updateRule: (id: number, body: AccessRuleWrite) => request<AccessRule>(`/api/access/rules/${id}`, { method: 'PUT', body }),
  deleteRule: (id: number) => request<void>(`/api/access/rules/${id}`, { method: 'DELETE' }),

  // Credentials.
  listCredentials: async (memberId: number, signal?: AbortSignal) =>
    listItems(await request<ListOf<Credential>>(`/api/access/credentials/${memberId}`, { query: { size: 200 }, signal })),
  createCredential: (body: CredentialCreate) => request<Credential>('/api/access/credentials', { method: 'POST', body }),
  credentialAction: (id: number, action: 'activate' | 'suspend' | 'revoke') =>
    request<Credential>(`/api/access/credentials/${id}/${action}`, { method: 'POST' }),

  // Check-ins.
  checkinHistory: (memberId: number, q: { from?: string; to?: string; page?: number; size?: number }, signal?: AbortSignal) =>
    request<Page<CheckIn>>(`/api/checkin/history/${memberId}`, { query: q, signal }),
  liveFeed: async (signal?: AbortSignal) =>
    listItems(await request<ListOf<CheckIn>>('/api/checkin/live-feed', { signal, accept: 'application/json' })),
  checkin: (body: CheckInRequest, token?: string) =>
    request<CheckIn>('/api/checkin', { method: 'POST', body, token }),

  // Devices.
  listDevices: (signal?: AbortSignal) => request<Page<Device>>('/api/devices', { query: { size: 200 }, signal }),
  createDevice: (body: DeviceCreate) => request<NewDevice>('/api/devices', { method: 'POST', body }),
  revokeDevice: (id: number) => request<Device>(`/api/devices/${id}/revoke`, { method: 'POST' }),

  /** Who a device key belongs to (the kiosk's setup check). */
  meWithToken: (token: string, signal?: AbortSignal) => request<Me>('/api/auth/me', { token, signal }),

  // Resources and bookings.
  listResources: (q: { typeCd?: string; statusCd?: string } = {}, signal?: AbortSignal) =>
    request<Page<Resource>>('/api/resources', { query: { ...q, size: 200 }, signal }),
  getResource: (id: number, signal?: AbortSignal) => request<ResourceDetail>(`/api/resources/${id}`, { signal }),
  createResource: (body: ResourceWrite) => request<Resource>('/api/resources', { method: 'POST', body }),
  updateResource: (id: number, body: ResourceUpdate) => request<Resource>(`/api/resources/${id}`, { method: 'PUT', body }),
  retireResource: (id: number) => request<Resource>(`/api/resources/${id}`, { method: 'DELETE' }),
  availability: (id: number, from: string, to: string, signal?: AbortSignal) =>
    request<Availability>(`/api/resources/${id}/availability`, { query: { from, to }, signal }),
  calendarToken: (id: number) => request<FeedToken>(`/api/resources/${id}/calendar-token`, { method: 'POST' }),
  /** Every occurrence in [from, to) (all pages of 200); with includeMaintenance also the maintenance windows (bookingId null). */
  listOccurrences: async (q: { resourceId?: number; from: string; to: string; includeMaintenance?: boolean }, signal?: AbortSignal) => {
    const out: Occurrence[] = [];
    for (let page = 0; page < 50; page++) {
      const p = await request<Page<Occurrence>>('/api/bookings', { query: { ...q, page, size: 200 }, signal });
      out.push(...(p.items ?? []));
      if (page + 1 >= p.totalPages) break;
    }
    return out;
  },
  getBooking: (id: number, signal?: AbortSignal) => request<Booking>(`/api/bookings/${id}`, { signal }),
  createBooking: (body: BookingCreate, skipConflicts: boolean) =>
    request<BookingCreated>('/api/bookings', { method: 'POST', body, query: { skipConflicts: skipConflicts || undefined } }),
  updateBooking: (id: number, body: BookingUpdate, skipConflicts: boolean) =>
    request<BookingUpdated>(`/api/bookings/${id}`, { method: 'PUT', body, query: { skipConflicts: skipConflicts || undefined } }),
  rescheduleBooking: (id: number, body: RescheduleBody) =>
    request<Booking>(`/api/bookings/${id}/reschedule`, { method: 'POST', body }),
  /** Cancels one occurrence (`occurrenceStart`) or, without it, the whole booking. */
  cancelBooking: (id: number, occurrenceStart?: string) =>
    request<Booking>(`/api/bookings/${id}/cancel`, { method: 'POST', body: occurrenceStart ? { occurrenceStart } : {} }),

  // Courses.
  listCourses: (q: { statusCd?: string; page?: number; size?: number } = {}, signal?: AbortSignal) =>
    request<Page<Course>>('/api/courses', { query: { size: 200, ...q }, signal }),
  getCourse: (id: number, signal?: AbortSignal) => request<CourseDetail>(`/api/courses/${id}`, { signal }),
  createCourse: (body: CourseInput, skipConflicts: boolean) =>
    request<CourseSaved>('/api/courses', { method: 'POST', body, query: { skipConflicts: skipConflicts || undefined } }),
  updateCourse: (id: number, body: CourseUpdate, skipConflicts: boolean) =>
    request<CourseSaved>(`/api/courses/${id}`, { method: 'PUT', body, query: { skipConflicts: skipConflicts || undefined } }),
  registerForCourse: (id: number, memberId?: number) =>
    request<CourseRegistration>(`/api/courses/${id}/register`, { method: 'POST', body: memberId ? { memberId } : {} }),
  cancelCourseRegistration: (id: number, memberId: number) =>
    request<CourseRegistration>(`/api/courses/${id}/register/${memberId}`, { method: 'DELETE' }),
  courseRegistrations: async (id: number, signal?: AbortSignal) =>
    (await request<CourseRegistration[] | null>(`/api/courses/${id}/registrations`, { signal })) ?? [],
  courseParticipants: (id: number, sessionDate?: string, signal?: AbortSignal) =>
    request<CourseRoster>(`/api/courses/${id}/participants`, { query: { sessionDate }, signal }),
  markAttendance: (id: number, sessionDate: string, attendance: { memberId: number; attended: boolean }[]) =>
    request<CourseRoster>(`/api/courses/${id}/attendance`, { method: 'POST', body: { sessionDate, attendance } }),
  /** Public (no login): the sessions of the ISO week containing `week`. */
  courseSchedule: (entityId: number, week?: string, signal?: AbortSignal) =>
    request<CourseSchedule>(`/api/courses/schedule/${entityId}`, { query: { week }, signal, skipAuthRedirect: true }),
  myCourses: async (signal?: AbortSignal) => (await request<MyCourse[] | null>('/api/me/courses', { signal })) ?? [],

  // Phone credentials.
  /** The current code of a zone's QR door display (the display's device key, or an admin session). */
  qrDoorCode: (zoneId: number, token?: string, signal?: AbortSignal) =>
    request<PhoneCode>(`/api/qr-door/${zoneId}/code`, { token, signal }),
  redeemQrDoor: (token: string) => request<CheckIn>('/api/qr-door/redeem', { method: 'POST', body: { token } }),
  myPass: (signal?: AbortSignal) => request<PhoneCode>('/api/me/pass', { signal }),
  listBleReaders: (signal?: AbortSignal) => request<BleReader[]>('/api/ble/readers', { signal }),
  setBleReader: (readerId: string, body: BleCalibration) =>
    request<BleCalibration>(`/api/ble/readers/${encodeURIComponent(readerId)}`, { method: 'PUT', body }),
  listBleZones: (signal?: AbortSignal) => request<BleZoneRange[]>('/api/ble/zones', { signal }),
  setBleZoneRange: (zoneId: number, rangeM: BleRange) =>
    request<{ rangeM: number }>(`/api/ble/zones/${zoneId}`, { method: 'PUT', body: { rangeM } }),
  listUsers: (signal?: AbortSignal) => request<Page<User>>('/api/users', { query: { size: 200 }, signal }),

  // Door integrations (CLUB_ADMIN).
  integrationStatus: (signal?: AbortSignal) => request<IntegrationStatus>('/api/integrations/access/status', { signal }),
  configureIntegration: (body: IntegrationConfigure) =>
    request<IntegrationStatus>('/api/integrations/access/configure', { method: 'POST', body }),
  setIntegrationEnabled: (isEnabled: boolean) =>
    request<IntegrationStatus>('/api/integrations/access/enable', { method: 'POST', body: { isEnabled } }),
  testIntegration: () => request<IntegrationTestResult>('/api/integrations/access/test', { method: 'POST', body: {} }),
  reconcileIntegration: () => request<ReconcileResult>('/api/integrations/access/reconcile', { method: 'POST', body: {} }),
  listIntegrationJobs: (q: { status?: AccessJobStatus; page?: number; size?: number }, signal?: AbortSignal) =>
    request<Page<AccessJob>>('/api/integrations/access/jobs', { query: q, signal }),
  retryIntegrationJob: (id: number) => request<AccessJob>(`/api/integrations/access/jobs/${id}/retry`, { method: 'POST', body: {} }),
  listIntegrationLogs: (
    q: { memberId?: number; bookingId?: number; action?: AccessLogAction; outcome?: AccessLogOutcome; page?: number; size?: number },
    signal?: AbortSignal,
  ) => request<Page<AccessLogEntry>>('/api/integrations/access/logs', { query: q, signal }),
  listVendorCredentials: (q: { memberId?: number; page?: number; size?: number }, signal?: AbortSignal) =>
    request<Page<VendorCredential>>('/api/integrations/access/credentials', { query: q, signal }),
};

/** A list envelope's items, tolerating `null` for an empty list. */
export function itemsOf<T>(page: Page<T> | undefined | null): T[] {
  return page?.items ?? [];
}
