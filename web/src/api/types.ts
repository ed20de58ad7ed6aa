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

// ---------------------------------------------------------------------------
// Access control, check-in and devices (API.md "Access control", "devices").
// Written by hand from the contract and the seed's field tables; the generated
// schema is used where it has the object (see docs/ui.md, "API types").

export type ZoneType = 'BUILDING' | 'FLOOR' | 'ROOM' | 'AREA' | 'LOCKER';
export const ZONE_TYPES: ZoneType[] = ['BUILDING', 'FLOOR', 'ROOM', 'AREA', 'LOCKER'];

export interface Zone {
  id: number;
  entityId?: number;
  name: string;
  typeCd: ZoneType;
  parentZoneId?: number | null;
  maxOccupancy?: number | null;
  currentOccupancy?: number;
  requiresContractTier?: string | null;
  resetTime?: string;
  active: boolean;
  createdAt?: string;
  version: number;
  door?: ZoneDoor;
  children?: Zone[] | null;
}

export interface ZoneWrite {
  name: string;
  typeCd: ZoneType;
  parentZoneId?: number | null;
  maxOccupancy?: number | null;
  requiresContractTier?: string | null;
  resetTime?: string;
  active?: boolean;
  version?: number;
}

export type Occupancy = S['Occupancy'];

export type UnlockResult = S['DoorResult'];

/** A zone's door binding as the server sends it (Zone.door). */
export type ZoneDoor = S['Door'];
/** Something the door system reports (for the simulated door: the commands it received). */
export type DoorEvent = S['Event'];
/** PUT /api/access/zones/{id}/door. */
export interface DoorBinding {
  provider: string;
  externalDoorId?: string;
  settings?: Record<string, unknown>;
}
/** One OSDP reader of GET /api/access/readers (docs/door-adapters.md, "OSDP adapter"). */
export interface ReaderStatus {
  id: number;
  zoneId: number;
  line: string;
  address: number;
  externalDoorId: string;
  deviceId?: number | null;
  online: boolean;
  secureChannel: boolean;
  keyStored: boolean;
  tamper: boolean;
  lastCardAt?: string | null;
  lastSeenAt?: string | null;
  lastError?: string | null;
}

export type RuleType = 'MEMBERSHIP_TIER' | 'TIME_RESTRICTION' | 'DAY_OF_WEEK' | 'BLACKLIST';
export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

export interface RuleConfig {
  allowedTemplateIds?: number[];
  minTierRank?: number;
  exemptTemplateIds?: number[];
  exemptMinTierRank?: number;
  allowFrom?: string;
  allowUntil?: string;
  allowedDays?: Weekday[];
  blockedMemberIds?: number[];
  [extra: string]: unknown;
}

export interface AccessRule {
  id: number;
  entityId?: number;
  zoneId: number;
  name: string;
  ruleCd: RuleType;
  config: RuleConfig;
  priority: number;
  active: boolean;
  createdAt?: string;
  version: number;
}

export interface AccessRuleWrite {
  zoneId: number;
  name: string;
  ruleCd: RuleType;
  config: RuleConfig;
  priority: number;
  active: boolean;
  version?: number;
}

export type CredentialType = 'NFC_CARD' | 'BLE_TOKEN' | 'QR_CODE' | 'RFID' | 'WIEGAND' | 'PIN';
export const CREDENTIAL_TYPES: CredentialType[] = ['NFC_CARD', 'BLE_TOKEN', 'QR_CODE', 'RFID', 'WIEGAND', 'PIN'];
export type CredentialStatus = 'PROVISIONED' | 'ACTIVE' | 'SUSPENDED' | 'REVOKED';

export interface Credential {
  id: number;
  entityId?: number;
  memberId: number;
  typeCd: CredentialType;
  identifier: string;
  statusCd: CredentialStatus;
  externalId?: string | null;
  issuedAt?: string;
  expiresAt?: string | null;
  lastUsedAt?: string | null;
  version?: number;
}

export type CredentialCreate = S['NewCredential'];

export type DenialCode =
  | 'CONTRACT_INACTIVE'
  | 'TIER_TOO_LOW'
  | 'RULE_FAILED'
  | 'ANTI_PASSBACK'
  | 'ZONE_FULL'
  | 'ZONE_INACTIVE'
  | 'CREDENTIAL_INVALID'
  | 'UNKNOWN_CREDENTIAL';

export interface CheckIn {
  id: number;
  entityId?: number;
  memberId?: number | null;
  zoneId?: number | null;
  methodCd: string;
  directionCd?: string;
  statusCd: 'GRANTED' | 'DENIED';
  denialCode?: DenialCode | string | null;
  denialReason?: string | null;
  credentialId?: number | null;
  deviceId?: string | number | null;
  checkedInAt: string;
  checkedOutAt?: string | null;
  createdAt?: string;
  version?: number;
  /** Not in the contract; shown when the server includes them. */
  memberName?: string | null;
  zoneName?: string | null;
  member?: { id: number; firstName: string; lastName: string; memberNumber?: string } | null;
}

/** The check-in body; `memberNumber` is the kiosk's typed-number lookup. */
export type CheckInRequest = S['CheckInRequest'];

export type DeviceKind = 'KIOSK' | 'READER' | 'QR_DISPLAY' | 'GATEWAY';
export const DEVICE_KINDS: DeviceKind[] = ['KIOSK', 'READER', 'QR_DISPLAY', 'GATEWAY'];
export type Device = Omit<S['DeviceInfo'], 'kind'> & { kind: DeviceKind };
export type NewDevice = Device & { apiKey: string };
export interface DeviceCreate {
  name: string;
  kind: DeviceKind;
  zoneId?: number;
}

// Drift checks: the hand-written access types above must stay assignable from
// what the server sends (regenerate schema.d.ts, then `npm run build`).
type Assignable<From, To> = [From] extends [To] ? true : false;
type Check<T extends true> = T;
export type AccessTypeChecks = [
  Check<Assignable<S['Zone'], Omit<Zone, 'children'>>>,
  Check<Assignable<S['Credential'], Credential>>,
  Check<Assignable<Omit<S['CheckIn'], 'denialCode'>, Omit<CheckIn, 'denialCode'>>>,
  Check<Assignable<Omit<S['Rule'], 'config' | 'ruleCd'>, Omit<AccessRule, 'config' | 'ruleCd'>>>,
  Check<Assignable<S['ZoneInput'], ZoneWrite>>,
];

// ---------------------------------------------------------------------------
// Resources and bookings (API.md "Resources and bookings", docs/bookings.md).
export type Resource = S['Resource'];
export type ResourceDetail = S['ResourceDetail'];
export type ResourceType = S['Resource']['typeCd'];
export const RESOURCE_TYPES: ResourceType[] = ['ROOM', 'AREA', 'EQUIPMENT', 'VEHICLE', 'PERSONNEL'];
export type ResourceWrite = S['ResourceInput'];
export type ResourceUpdate = S['ResourceUpdateBody'];
export type Availability = S['Availability'];
export type FeedToken = S['FeedToken'];
export type Booking = S['Booking'];
export type BookedForType = S['BookingInput']['bookedForType'];
export const BOOKED_FOR_TYPES: BookedForType[] = ['MEMBER', 'EVENT', 'COURSE', 'MAINTENANCE'];
export type BookingCreate = S['BookingInput'];
/** The 201 of POST /api/bookings: the booking, with `skipped` under ?skipConflicts=true. */
export type BookingCreated = S['Created'];
export type Occurrence = S['Occurrence'];
export type RescheduleBody = S['RescheduleBody'];
/** The body of PUT /api/bookings/{id} (edit: title, notes, times, rule). */
export type BookingUpdate = S['BookingUpdate'];
/** The 200 of PUT /api/bookings/{id}: the booking, `skipped`, and `historyBookingId` when a started series was split. */
export type BookingUpdated = S['Updated'];
/** One entry of a booking-conflict problem's `conflicts` (bookingId null: a maintenance window). */
export interface BookingConflict {
  bookingId?: number | null;
  kind?: string;
  start: string;
  end: string;
  wantedStart?: string;
  wantedEnd?: string;
}

// ---------------------------------------------------------------------------
// Courses (API.md "Courses", docs/courses.md).
export type Course = S['Course'];
export type CourseDetail = S['CourseDetail'];
export type CourseSaved = S['CourseSaved'];
export type CourseInput = S['CourseInput'];
export type CourseUpdate = S['CourseUpdateBody'];
export type CourseSession = S['CourseSession'];
export type CourseRegistration = S['CourseRegistration'];
export type CourseParticipant = S['CourseParticipant'];
export type CourseRoster = S['CourseRoster'];
export type CourseSchedule = S['CourseSchedule'];
export type CourseScheduleEntry = S['CourseScheduleEntry'];
export type MyCourse = S['MyCourse'];

// ---------------------------------------------------------------------------
// Phone credentials (API.md "Phone credentials", docs/phone-credentials.md).
/** A BLE reader's RSSI calibration (PUT /api/ble/readers/{readerId}). */
export type BleCalibration = S['BLEReader'];
/** A calibrated reader as GET /api/ble/readers lists it. */
export type BleReader = S['BLEReaderEntry'];
/** The BLE range limits a zone may have, in metres. */
export const BLE_RANGES = [1, 3, 5] as const;
export type BleRange = (typeof BLE_RANGES)[number];
export type BleZoneRange = Omit<S['BLEZoneRange'], 'rangeM'> & { rangeM: BleRange };

/** A rotating token: a QR door code (with its /q/ url) or the member pass. */
export interface PhoneCode {
  token: string;
  url?: string;
  expiresAt: string;
  stepSeconds: number;
}

// ---------------------------------------------------------------------------
// Door integrations (docs/integrations.md). Written by hand until the schema is
// regenerated with the integration endpoints.
export type IntegrationProvider = 'KISI' | 'BRIVO' | 'EXIVO' | 'OPENPATH';
export const INTEGRATION_PROVIDERS: IntegrationProvider[] = ['KISI', 'BRIVO', 'EXIVO', 'OPENPATH'];

export interface IntegrationStatus {
  configured: boolean;
  provider: string | null;
  isEnabled: boolean;
  configuredAt: string | null;
  /** Id of the keyring key sealing the API key (never the API key). */
  keyId?: string;
  settings?: Record<string, unknown>;
  pendingJobs: number;
}

export interface IntegrationConfigure {
  provider: string;
  apiKey: string;
  isEnabled?: boolean;
  settings?: Record<string, unknown>;
}

export type AccessJobKind = 'GRANT' | 'REVOKE' | 'MOVE';
export type AccessJobStatus = 'PENDING' | 'DONE' | 'FAILED_PERMANENT';
export interface AccessJob {
  id: number;
  kind: AccessJobKind;
  bookingId: number;
  memberId: number;
  validFrom: string | null;
  validUntil: string | null;
  status: AccessJobStatus;
  attempts: number;
  nextRunAt: string;
  lastError: string | null;
  createdAt: string;
}

export type AccessLogAction = 'GRANT' | 'REVOKE' | 'RECONCILE';
export type AccessLogOutcome = 'SUCCESS' | 'RETRY' | 'REJECTED' | 'SKIPPED' | 'MISSING';
export interface AccessLogEntry {
  id: number;
  jobId: number | null;
  bookingId: number | null;
  memberId: number | null;
  action: AccessLogAction;
  provider: string;
  outcome: AccessLogOutcome;
  attempt: number;
  externalCredentialId: string | null;
  detail: string | null;
  createdAt: string;
}

/** An AccessCredential: a vendor credential granted for a booking. */
export interface VendorCredential {
  id: number;
  memberId: number;
  bookingId: number | null;
  externalCredentialId: string;
  provider: string;
  isActive: boolean;
  validFrom: string | null;
  validUntil: string | null;
  grantedAt: string;
  revokedAt: string | null;
  createdAt: string;
}

export interface IntegrationTestResult {
  ok: boolean;
  provider: string;
  operation: string;
  message: string;
  latencyMs: number;
}

export interface ReconcileResult {
  grantsQueued: number;
  revokesQueued: number;
  missingAtVendor: number;
  revokedAtVendor: number;
}
