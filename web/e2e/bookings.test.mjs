// Browser end-to-end tests of the booking calendar: drag-and-drop reschedule
// (and a refused move onto a booked slot), create-by-select of a weekly series,
// editing a booking (title; weekly → every other week) and maintenance windows,
// resources with availability and the .ics feed link — against the real binary.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, ORG, apiCall, launchBrowser, login, prerequisiteProblem, resultPath, startGatehouse, withPage } from './harness.mjs';

const skip = prerequisiteProblem();
const T = { timeout: 180_000 };
const DESKTOP = { width: 1440, height: 900 };
const TABLET = { width: 820, height: 1180 };

/** Offset of ORG.timezone at an instant, in ms (Intl only). */
function offsetAt(ms) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: ORG.timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const g = (t) => Number(parts.find((p) => p.type === t).value);
  return Date.UTC(g('year'), g('month') - 1, g('day'), g('hour') % 24, g('minute'), g('second')) - ms;
}
/** "YYYY-MM-DD" + "HH:MM" in the organisation's zone → RFC 3339 UTC. */
function orgTime(date, time) {
  const wall = Date.parse(`${date}T${time}:00Z`);
  const ms = wall - offsetAt(wall - offsetAt(wall));
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
function addDays(date, n) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
function todayInOrg() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ORG.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
/** Monday of next week in the organisation's zone (always in the future). */
function nextMonday() {
  const today = todayInOrg();
  const dow = new Date(`${today}T00:00:00Z`).getUTCDay();
  return addDays(today, 7 - ((dow + 6) % 7));
}

describe('booking calendar UI', { skip: skip ?? false }, () => {
  let server;
  let browser;
  let token;
  let missing = false;
  const fx = {};
  const call = (method, p, body) => apiCall(server.baseURL, method, p, { token, body });

  before(async () => {
    server = await startGatehouse();
    browser = await launchBrowser();
    const doc = await (await fetch(`${server.baseURL}/api/openapi.json`, { signal: AbortSignal.timeout(10_000) })).json();
    if (!doc.paths?.['/api/bookings/{id}/reschedule']) {
      missing = true;
      console.log('SKIP: booking API not in this backend yet (GET /api/openapi.json lacks POST /api/bookings/{id}/reschedule)');
      return;
    }
    token = (await apiCall(server.baseURL, 'POST', '/api/auth/login', { body: ADMIN })).token;
    fx.monday = nextMonday();
    fx.tuesday = addDays(fx.monday, 1);
    fx.wednesday = addDays(fx.monday, 2);
    fx.court = await call('POST', '/api/resources', { name: 'Squash court 1', typeCd: 'ROOM', capacity: 4, locationDescription: 'Basement' });
    fx.studio = await call('POST', '/api/resources', { name: 'Yoga studio', typeCd: 'ROOM', capacity: 20 });
    fx.ada = await call('POST', '/api/members', { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@bookings.e2e', memberNumber: '20001' });
    fx.a = await call('POST', '/api/bookings', {
      resourceId: fx.court.id, title: 'Club match', bookedForType: 'EVENT',
      startDateTime: orgTime(fx.tuesday, '10:00'), endDateTime: orgTime(fx.tuesday, '11:00'),
    });
    fx.b = await call('POST', '/api/bookings', {
      resourceId: fx.court.id, title: 'Ada’s squash', bookedForType: 'MEMBER', bookedForId: fx.ada.id,
      startDateTime: orgTime(fx.tuesday, '14:00'), endDateTime: orgTime(fx.tuesday, '15:00'),
    });
    fx.c = await call('POST', '/api/bookings', {
      resourceId: fx.court.id, title: 'Junior training', bookedForType: 'COURSE',
      startDateTime: orgTime(fx.monday, '17:00'), endDateTime: orgTime(fx.monday, '18:30'), recurrenceRule: 'FREQ=WEEKLY;COUNT=6',
    });
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, { timeout: 30_000 });

  /** The calendar event of a booking (its inner content node). */
  const eventOf = (page, bookingId) => page.locator(`[data-testid="calendar-event"][data-booking-id="${bookingId}"]`);
  /** The slot row of a time in the week grid. */
  const slot = (page, time) => page.locator(`td.fc-timegrid-slot-lane[data-time="${time}:00"]`);
  const column = (page, date) => page.locator(`td.fc-timegrid-col[data-date="${date}"]`);

  /** Drags an event by a point 8 px below its top to `time` on `date` (same point of the slot). */
  async function dragTo(page, bookingId, date, time) {
    const ev = page.locator('.fc-timegrid-event', { has: eventOf(page, bookingId) }).first();
    await ev.scrollIntoViewIfNeeded();
    const from = await ev.boundingBox();
    const col = await column(page, date).boundingBox();
    const row = await slot(page, time).boundingBox();
    await page.mouse.move(from.x + from.width / 2, from.y + 8);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, from.y + 30, { steps: 5 });
    await page.mouse.move(col.x + col.width / 2, row.y + 8, { steps: 15 });
    await page.mouse.up();
  }

  /** The event's top is at the slot row of `time` (± 3 px). */
  async function assertAt(page, bookingId, time, message) {
    const ev = page.locator('.fc-timegrid-event-harness', { has: eventOf(page, bookingId) }).first();
    await ev.waitFor();
    let evTop;
    let rowTop;
    for (let i = 0; i < 20; i++) {
      evTop = (await ev.boundingBox()).y;
      rowTop = (await slot(page, time).boundingBox()).y;
      if (Math.abs(evTop - rowTop) <= 3) return;
      await page.waitForTimeout(100);
    }
    assert.fail(`${message}: event top ${evTop} vs ${time} row ${rowTop}`);
  }

  test('drag a booking to a free slot; a move onto a booked slot is refused and reverted', T, async (t) => {
    if (missing) return t.skip('booking API missing');
    await withPage(
      browser,
      server.baseURL,
      'bookings-drag',
      async (page) => {
        await login(page);
        await page.waitForURL((u) => u.pathname === '/');
        await page.goto(`/bookings?resourceId=${fx.court.id}&date=${fx.tuesday}`);
        await eventOf(page, fx.a.id).waitFor();
        await eventOf(page, fx.b.id).waitFor();
        // Colour by type, the repeat icon on the series only.
        assert.match(await page.locator('.fc-event', { has: eventOf(page, fx.c.id) }).getAttribute('class'), /kind-course/);
        assert.match(await page.locator('.fc-event', { has: eventOf(page, fx.b.id) }).getAttribute('class'), /kind-member/);
        assert.equal(await eventOf(page, fx.c.id).getByTestId('repeat-icon').count(), 1);
        assert.equal(await eventOf(page, fx.a.id).getByTestId('repeat-icon').count(), 0);
        await assertAt(page, fx.a.id, '10:00', 'seeded at 10:00 organisation time');
        await page.screenshot({ path: resultPath('calendar-week-desktop.png') });

        // 1. Free slot: 10:00 → 12:00.
        await dragTo(page, fx.a.id, fx.tuesday, '12:00');
        await page.getByTestId('calendar-notice').filter({ hasText: 'Club match' }).waitFor();
        const moved = await call('GET', `/api/bookings/${fx.a.id}`);
        assert.equal(moved.startDateTime, orgTime(fx.tuesday, '12:00'));
        assert.equal(moved.endDateTime, orgTime(fx.tuesday, '13:00'));
        await page.reload();
        await eventOf(page, fx.a.id).waitFor();
        await assertAt(page, fx.a.id, '12:00', 'after reload the booking is at its new time');

        // 2. Occupied slot: 12:00 → 14:00 collides with Ada's squash.
        await dragTo(page, fx.a.id, fx.tuesday, '14:00');
        const alert = page.getByTestId('calendar-conflict');
        await alert.waitFor();
        assert.match(await alert.innerText(), /Club match/);
        assert.match(await alert.innerText(), /Ada’s squash/, 'names the conflicting booking');
        assert.match(await alert.innerText(), /14:00–15:00/);
        await assertAt(page, fx.a.id, '12:00', 'the refused move is reverted');
        const still = await call('GET', `/api/bookings/${fx.a.id}`);
        assert.equal(still.startDateTime, orgTime(fx.tuesday, '12:00'));
        await page.screenshot({ path: resultPath('calendar-conflict-desktop.png') });
      },
      { viewport: DESKTOP },
    );
  });

  test('select a slot to create a weekly recurring booking; it shows the repeat icon', T, async (t) => {
    if (missing) return t.skip('booking API missing');
    await withPage(
      browser,
      server.baseURL,
      'bookings-create',
      async (page) => {
        await login(page);
        await page.waitForURL((u) => u.pathname === '/');
        await page.goto(`/bookings?resourceId=${fx.studio.id}&date=${fx.wednesday}`);
        await page.locator('.fc-timegrid-slot-lane').first().waitFor();
        const col = await column(page, fx.wednesday).boundingBox();
        await slot(page, '16:00').scrollIntoViewIfNeeded();
        const r1 = await slot(page, '16:00').boundingBox();
        const r2 = await slot(page, '16:30').boundingBox();
        await page.mouse.move(col.x + col.width / 2, r1.y + 4);
        await page.mouse.down();
        await page.mouse.move(col.x + col.width / 2, r2.y + r2.height - 4, { steps: 10 });
        await page.mouse.up();

        const dialog = page.getByTestId('create-booking-dialog');
        await dialog.waitFor();
        assert.equal(await page.getByTestId('booking-date').inputValue(), fx.wednesday);
        assert.equal(await page.getByTestId('booking-start').inputValue(), '16:00');
        assert.equal(await page.getByTestId('booking-end').inputValue(), '17:00');
        assert.equal(await page.getByTestId('booking-resource').inputValue(), String(fx.studio.id));
        await page.getByTestId('booking-title').fill('Morning flow');
        // Member bookings need the member: pick Ada.
        await page.getByTestId('booking-member-search').fill('Lovelace');
        await page.getByTestId('booking-member-result').first().click();
        await page.getByTestId('booking-member').waitFor();
        await page.getByTestId('repeat-freq').selectOption('WEEKLY');
        await page.getByTestId('repeat-day-FR').check();
        await page.getByTestId('repeat-end').selectOption('COUNT');
        await page.getByTestId('repeat-count').fill('6');
        assert.equal(await page.getByTestId('repeat-rrule').innerText(), 'FREQ=WEEKLY;BYDAY=WE,FR;COUNT=6');
        await page.screenshot({ path: resultPath('booking-dialog-desktop.png') });
        await page.getByTestId('create-booking-submit').click();
        await dialog.waitFor({ state: 'hidden' });
        await page.getByTestId('calendar-notice').filter({ hasText: 'Morning flow' }).waitFor();

        const created = page.locator('[data-testid="calendar-event"]', { hasText: 'Morning flow' });
        await created.first().waitFor();
        assert.equal(await created.count(), 2, 'Wednesday and Friday of this week');
        assert.equal(await created.first().getByTestId('repeat-icon').count(), 1, 'recurring occurrences carry the repeat icon');
        // Next week too (the series continues).
        await page.locator('.fc-next-button').click();
        await created.first().waitFor();
        assert.equal(await created.count(), 2);
        const list = await call('GET', `/api/bookings?resourceId=${fx.studio.id}&from=${orgTime(fx.monday, '00:00')}&to=${orgTime(addDays(fx.monday, 28), '00:00')}`);
        const occ = list.items.filter((o) => o.title === 'Morning flow');
        assert.equal(occ.length, 6);
        assert.ok(occ.every((o) => o.recurring));
        assert.equal(occ[0].start, orgTime(fx.wednesday, '16:00'));

        // Cancel one occurrence from the edit dialog.
        await created.first().click();
        await page.getByTestId('occurrence-dialog').waitFor();
        await page.getByTestId('cancel-occurrence').click();
        await page.getByTestId('calendar-notice').filter({ hasText: 'was cancelled' }).waitFor();
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="calendar-event"]').length === 1);
      },
      { viewport: DESKTOP },
    );
  });

  test('edit a booking in the dialog: its title, then a weekly series to every other week; maintenance in all resources', T, async (t) => {
    if (missing) return t.skip('booking API missing');
    const pool = await call('POST', '/api/resources', {
      name: 'Pool', typeCd: 'AREA',
      maintenanceSchedule: { windows: [{ recurrenceRule: 'FREQ=WEEKLY;BYDAY=MO', startTime: '07:00', durationMinutes: 60, note: 'Pool cleaning' }] },
    });
    await withPage(
      browser,
      server.baseURL,
      'bookings-edit',
      async (page) => {
        await login(page);
        await page.waitForURL((u) => u.pathname === '/');
        // All resources: the maintenance window shows, grey and not draggable.
        await page.goto(`/bookings?date=${fx.monday}`);
        const maint = page.locator('[data-testid="calendar-maintenance"]', { hasText: 'Pool cleaning' });
        await maint.first().waitFor();
        const maintEvent = page.locator('.fc-event', { has: maint.first() });
        assert.match(await maintEvent.getAttribute('class'), /kind-maintenance/);
        assert.doesNotMatch(await maintEvent.getAttribute('class'), /fc-event-draggable/);
        assert.equal(await maint.first().getAttribute('data-resource-name'), 'Pool');

        // 1. The title of a single booking.
        await page.goto(`/bookings?resourceId=${fx.court.id}&date=${fx.tuesday}`);
        await eventOf(page, fx.b.id).click();
        await page.getByTestId('occurrence-dialog').waitFor();
        await page.getByTestId('edit-booking').click();
        const dialog = page.getByTestId('edit-booking-dialog');
        await dialog.waitFor();
        assert.equal(await page.getByTestId('edit-booking-title').inputValue(), 'Ada’s squash');
        assert.equal(await page.getByTestId('edit-booking-start').inputValue(), '14:00');
        await page.getByTestId('edit-booking-title').fill('Ada’s squash lesson');
        await page.getByTestId('edit-booking-submit').click();
        await page.getByTestId('calendar-notice').filter({ hasText: 'Ada’s squash lesson' }).waitFor();
        const b = await call('GET', `/api/bookings/${fx.b.id}`);
        assert.equal(b.title, 'Ada’s squash lesson');
        assert.equal(b.startDateTime, orgTime(fx.tuesday, '14:00'), 'a title edit leaves the time alone');

        // 2. The weekly series: every other week, from the builder prefilled from its rule.
        await page.goto(`/bookings?resourceId=${fx.court.id}&date=${fx.monday}`);
        await eventOf(page, fx.c.id).first().click();
        await page.getByTestId('occurrence-dialog').waitFor();
        await page.getByTestId('edit-booking').click();
        await dialog.waitFor();
        assert.equal(await page.getByTestId('repeat-freq').inputValue(), 'WEEKLY');
        assert.equal(await page.getByTestId('repeat-count').inputValue(), '6');
        await page.getByTestId('repeat-interval').fill('2');
        assert.equal(await page.getByTestId('repeat-rrule').innerText(), 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=6');
        await page.screenshot({ path: resultPath('booking-edit-dialog-desktop.png') });
        await page.getByTestId('edit-booking-submit').click();
        await page.getByTestId('calendar-notice').filter({ hasText: 'Junior training' }).waitFor();
        const c = await call('GET', `/api/bookings/${fx.c.id}`);
        assert.match(c.recurrenceRule, /INTERVAL=2/);
        const list = await call('GET', `/api/bookings?resourceId=${fx.court.id}&from=${orgTime(fx.monday, '00:00')}&to=${orgTime(addDays(fx.monday, 28), '00:00')}`);
        const occ = list.items.filter((o) => o.bookingId === fx.c.id).map((o) => o.start);
        assert.deepEqual(occ, [orgTime(fx.monday, '17:00'), orgTime(addDays(fx.monday, 14), '17:00')]);
        // The week in between is empty in the calendar.
        await page.locator('.fc-next-button').click();
        await page.locator(`td.fc-timegrid-col[data-date="${addDays(fx.monday, 7)}"]`).waitFor();
        await page.waitForTimeout(300);
        assert.equal(await eventOf(page, fx.c.id).count(), 0);
      },
      { viewport: DESKTOP },
    );
  });

  test('resources, availability and the .ics feed link; tablet calendar', T, async (t) => {
    if (missing) return t.skip('booking API missing');
    await withPage(
      browser,
      server.baseURL,
      'bookings-resources',
      async (page) => {
        await login(page);
        await page.waitForURL((u) => u.pathname === '/');
        await page.goto('/bookings/resources');
        await page.getByTestId('resource-row').filter({ hasText: 'Squash court 1' }).getByRole('link', { name: 'Squash court 1' }).click();
        await page.waitForURL((u) => u.pathname === `/bookings/resources/${fx.court.id}`);
        await page.getByTestId('availability-summary').waitFor();
        await page.locator('.avail-date').fill(fx.tuesday);
        await page.getByTestId('timeline-busy').first().waitFor();
        await page.getByTestId('create-feed-token').click();
        const url = await page.getByTestId('feed-url').innerText();
        assert.match(url, /\/api\/resources\/\d+\/calendar\.ics\?token=ghf_/);
        const ics = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        assert.equal(ics.status, 200);
        assert.match(await ics.text(), /BEGIN:VCALENDAR[\s\S]*SUMMARY:Club match/);
        await page.screenshot({ path: resultPath('resource-detail-desktop.png'), fullPage: true });

        // A new resource through the UI.
        await page.goto('/bookings/resources');
        await page.getByTestId('new-resource').click();
        await page.getByTestId('resource-name').fill('Sauna');
        await page.getByTestId('resource-submit').click();
        await page.waitForURL(/\/bookings\/resources\/\d+$/);
        await page.getByRole('heading', { level: 1, name: /Sauna/ }).waitFor();
      },
      { viewport: DESKTOP },
    );
    await withPage(
      browser,
      server.baseURL,
      'bookings-tablet',
      async (page) => {
        await login(page);
        await page.waitForURL((u) => u.pathname === '/');
        await page.goto(`/bookings?date=${fx.tuesday}`);
        await eventOf(page, fx.a.id).waitFor();
        await page.screenshot({ path: resultPath('calendar-week-tablet.png') });
        await page.getByRole('button', { name: 'Month' }).click();
        await page.locator('.fc-daygrid-day').first().waitFor();
        await page.screenshot({ path: resultPath('calendar-month-tablet.png') });
      },
      { viewport: TABLET },
    );
  });
});
