// Browser end-to-end tests of access control: zones, rules, credentials,
// devices, the live feed (SSE) and kiosk mode, against the real binary.
// Skipped with a clear line while the backend lacks the access API.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encode } from 'uqr';
import { ADMIN, ORG, apiCall, launchBrowser, login, prerequisiteProblem, resultPath, startGatehouse, withPage } from './harness.mjs';

const skip = prerequisiteProblem();
const T = { timeout: 180_000 };
const DESKTOP = { width: 1440, height: 900 };
const TABLET = { width: 820, height: 1180 };
const TABLET_LANDSCAPE = { width: 1180, height: 820 };
const PIN = '2468';

/** Operations the access UI needs; a missing one means the backend has not landed. */
const NEEDED = [
  ['post', '/api/checkin'],
  ['get', '/api/checkin/live-feed'],
  ['get', '/api/access/zones'],
  ['post', '/api/access/rules'],
  ['post', '/api/access/credentials'],
  ['get', '/api/checkin/history/{memberId}'],
];

async function missingOperations(baseURL) {
  const res = await fetch(`${baseURL}/api/openapi.json`, { signal: AbortSignal.timeout(10_000) });
  const doc = await res.json();
  return NEEDED.filter(([method, p]) => {
    const item = doc.paths?.[p] ?? Object.entries(doc.paths ?? {}).find(([k]) => k.replace(/\{[^}]+\}/g, '{}') === p.replace(/\{[^}]+\}/g, '{}'))?.[1];
    return !item?.[method];
  }).map(([m, p]) => `${m.toUpperCase()} ${p}`);
}

function todayInOrg() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ORG.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** A Y4M video (I420) showing `text` as a QR code, for Chromium's fake camera. */
function qrY4m(text, file, { width = 640, height = 480, frames = 6 } = {}) {
  const qr = encode(text, { ecc: 'M', border: 4 });
  const n = qr.size;
  const scale = Math.floor(Math.min(width, height) * 0.8 / n);
  const ox = Math.floor((width - n * scale) / 2);
  const oy = Math.floor((height - n * scale) / 2);
  const y = Buffer.alloc(width * height, 235);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++)
      if (qr.data[r][c])
        for (let dy = 0; dy < scale; dy++) y.fill(16, (oy + r * scale + dy) * width + ox + c * scale, (oy + r * scale + dy) * width + ox + (c + 1) * scale);
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from('FRAME\n'), y, chroma);
  writeFileSync(file, Buffer.concat(parts));
}

describe('access control UI', { skip: skip ?? false }, () => {
  let server;
  let browser;
  let missing = [];
  let token;
  const fx = {};

  const call = (method, p, body) => apiCall(server.baseURL, method, p, { token, body });

  async function member(firstName, lastName, memberNumber, withContract) {
    const m = await call('POST', '/api/members', { firstName, lastName, email: `${firstName.toLowerCase()}@access.e2e`, memberNumber });
    if (withContract) await call('POST', `/api/members/${m.id}/contracts`, { templateId: fx.template.id, startDate: todayInOrg() });
    return m;
  }

  before(async () => {
    server = await startGatehouse();
    browser = await launchBrowser();
    missing = await missingOperations(server.baseURL);
    if (missing.length) {
      console.log(`SKIP: access API not in this backend yet (GET /api/openapi.json lacks ${missing.join(', ')})`);
      return;
    }
    token = (await apiCall(server.baseURL, 'POST', '/api/auth/login', { body: ADMIN })).token;
    fx.template = await call('POST', '/api/contract-templates', { name: 'Standard', tierCd: 'STANDARD', tierRank: 1 });
    fx.premium = await call('POST', '/api/contract-templates', { name: 'Premium', tierCd: 'PREMIUM', tierRank: 2 });
    fx.zone = await call('POST', '/api/access/zones', { name: 'Main entrance', typeCd: 'BUILDING', maxOccupancy: 80 });
    fx.floor = await call('POST', '/api/access/zones', { name: 'First floor', typeCd: 'FLOOR', parentZoneId: fx.zone.id });
    fx.sauna = await call('POST', '/api/access/zones', { name: 'Sauna', typeCd: 'ROOM', parentZoneId: fx.floor.id, maxOccupancy: 12, requiresContractTier: 'PREMIUM' });
    fx.ada = await member('Ada', 'Lovelace', '10001', true);
    fx.card = await call('POST', '/api/access/credentials', { memberId: fx.ada.id, typeCd: 'NFC_CARD', identifier: '0412345678' });
    fx.bob = await member('Bob', 'Nocontract', '10002', false);
    fx.grace = await member('Grace', 'Hopper', '10003', true);
    fx.qr = await call('POST', '/api/access/credentials', { memberId: fx.grace.id, typeCd: 'QR_CODE' });
    fx.linus = await member('Linus', 'Live', '10004', true);
    const device = await call('POST', '/api/devices', { name: 'Entrance kiosk', kind: 'KIOSK', zoneId: fx.zone.id });
    fx.kioskKey = device.apiKey;
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, { timeout: 30_000 });

  function needApi(t) {
    if (!missing.length) return true;
    t.skip(`access API not in this backend yet (${missing.join(', ')})`);
    return false;
  }

  async function setUpKiosk(page) {
    await page.goto('/kiosk');
    await page.getByTestId('kiosk-setup').waitFor();
    await page.getByTestId('kiosk-key').fill(fx.kioskKey);
    await page.getByTestId('kiosk-pin').fill(PIN);
    await page.getByTestId('kiosk-pin2').fill(PIN);
    await page.getByTestId('kiosk-setup-submit').click();
    await page.getByTestId('kiosk').waitFor();
  }

  async function typeNumber(page, kind, digits) {
    await page.getByTestId(`kiosk-mode-${kind}`).click();
    for (const d of digits) await page.getByTestId(`kiosk-key-${d}`).click();
    assert.equal(await page.getByTestId('kiosk-display').innerText(), digits);
    await page.getByTestId('kiosk-submit').click();
  }

  test('kiosk: typed member number → GRANTED, then a member without a contract → DENIED; staff PIN to leave', T, async (t) => {
    if (!needApi(t)) return;
    await withPage(
      browser,
      server.baseURL,
      'kiosk-typed',
      async (page) => {
        // A wrong key is refused on the setup screen.
        await page.goto('/kiosk');
        await page.getByTestId('kiosk-key').fill('not-a-key');
        await page.getByTestId('kiosk-pin').fill(PIN);
        await page.getByTestId('kiosk-pin2').fill(PIN);
        await page.getByTestId('kiosk-setup-submit').click();
        await page.getByText('This key is not valid, or the device was revoked').waitFor();
        await page.screenshot({ path: resultPath('kiosk-setup-tablet.png') });

        await setUpKiosk(page);
        // The PIN is stored only as a hash.
        const stored = await page.evaluate(() => localStorage.getItem('gatehouse.kiosk'));
        assert.ok(!stored.includes(`"${PIN}"`), 'PIN not stored in clear');
        assert.match(JSON.parse(stored).pinHash, /^[0-9a-f]{64}$/);
        await page.screenshot({ path: resultPath('kiosk-tablet-portrait.png') });

        await typeNumber(page, 'memberNumber', '10001');
        const result = page.getByTestId('kiosk-result');
        await result.waitFor();
        assert.equal(await result.getAttribute('data-status'), 'GRANTED');
        assert.match(await result.innerText(), /Ada Lovelace/);
        await page.waitForTimeout(300); // let the result fade in
        await page.screenshot({ path: resultPath('kiosk-granted-tablet.png') });
        // It resets itself after ~4 s.
        await result.waitFor({ state: 'detached', timeout: 8_000 });

        await typeNumber(page, 'memberNumber', '10002');
        await result.waitFor();
        assert.equal(await result.getAttribute('data-status'), 'DENIED');
        const reason = await page.getByTestId('kiosk-result-reason').innerText();
        assert.ok(reason.trim().length > 3, `a denial reason is shown (${reason})`);
        await page.waitForTimeout(300);
        await page.screenshot({ path: resultPath('kiosk-denied-tablet.png') });
        await result.click(); // tap to dismiss early
        await result.waitFor({ state: 'detached', timeout: 3_000 });

        // Card number path: Ada's card; she is already inside (anti-passback) → denied, named.
        await typeNumber(page, 'card', '0412345678');
        await result.waitFor();
        assert.equal(await result.getAttribute('data-status'), 'DENIED');
        assert.match(await result.innerText(), /Ada Lovelace/);
        await result.click();

        // Leaving needs the staff PIN.
        await page.getByTestId('kiosk-staff').click();
        for (const d of '1111') await page.getByTestId(`kiosk-pin-key-${d}`).click();
        await page.getByTestId('kiosk-pin-key-ok').click();
        await page.getByTestId('kiosk-pin-error').filter({ hasText: 'Wrong PIN' }).waitFor();
        for (const d of PIN) await page.getByTestId(`kiosk-pin-key-${d}`).click();
        await page.getByTestId('kiosk-pin-key-ok').click();
        await page.getByTestId('kiosk-staff-menu').waitFor();
        await page.getByTestId('kiosk-exit').click();
        await page.waitForURL((u) => u.pathname === '/login' || u.pathname === '/');
      },
      { viewport: TABLET },
    );
    await withPage(
      browser,
      server.baseURL,
      'kiosk-landscape',
      async (page) => {
        await setUpKiosk(page);
        await page.screenshot({ path: resultPath('kiosk-tablet-landscape.png') });
      },
      { viewport: TABLET_LANDSCAPE },
    );
  });

  test('kiosk: a member QR shown to the (fake) camera is checked in', T, async (t) => {
    if (!needApi(t)) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-qr-'));
    const y4m = path.join(dir, 'qr.y4m');
    qrY4m(fx.qr.identifier, y4m);
    let camBrowser;
    try {
      const { chromium } = await import('playwright-core');
      camBrowser = await chromium.launch({
        executablePath: process.env.GATEHOUSE_CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--use-fake-ui-for-media-stream',
          '--use-fake-device-for-media-stream',
          `--use-file-for-fake-video-capture=${y4m}`,
        ],
        timeout: 30_000,
      });
      await withPage(
        camBrowser,
        server.baseURL,
        'kiosk-camera',
        async (page) => {
          await page.context().grantPermissions(['camera'], { origin: server.baseURL });
          await setUpKiosk(page);
          const result = page.getByTestId('kiosk-result');
          try {
            await result.waitFor({ timeout: 20_000 });
          } catch {
            const state = await page.getByTestId('kiosk-camera').getAttribute('data-state');
            t.skip(`the fake camera did not deliver a readable QR within 20 s (camera state: ${state})`);
            console.log(`SKIP: camera QR test: fake camera gave no readable QR (camera state: ${state})`);
            return;
          }
          assert.equal(await result.getAttribute('data-status'), 'GRANTED');
          assert.match(await result.innerText(), /Grace Hopper/);
          await page.waitForTimeout(300);
          await page.screenshot({ path: resultPath('kiosk-camera-granted.png') });
        },
        { viewport: TABLET_LANDSCAPE },
      );
    } finally {
      await camBrowser?.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('live feed: a new check-in appears without reload; occupancy follows', T, async (t) => {
    if (!needApi(t)) return;
    await withPage(
      browser,
      server.baseURL,
      'live-feed',
      async (page) => {
        await login(page);
        await page.waitForURL((u) => u.pathname === '/');
        await page.getByTestId('nav-access').click();
        await page.getByRole('navigation', { name: 'Access sections' }).getByRole('link', { name: 'Live feed' }).click();
        await page.waitForURL('**/access/live');
        await page.locator('[data-testid="feed-connection"][data-state="open"]').waitFor({ timeout: 15_000 });

        const granted = await call('POST', '/api/checkin', { memberId: fx.linus.id, methodCd: 'MANUAL', zoneId: fx.zone.id });
        assert.equal(granted.statusCd, 'GRANTED', JSON.stringify(granted));
        const row = page.locator(`[data-testid="feed-row"][data-checkin-id="${granted.id}"]`);
        await row.waitFor({ timeout: 5_000 });
        assert.equal(await row.getAttribute('data-status'), 'GRANTED');
        assert.match(await row.innerText(), /Linus Live/);
        assert.match(await row.innerText(), /Main entrance/);

        const denied = await call('POST', '/api/checkin', { memberId: fx.bob.id, methodCd: 'MANUAL', zoneId: fx.zone.id });
        assert.equal(denied.statusCd, 'DENIED');
        const drow = page.locator(`[data-testid="feed-row"][data-checkin-id="${denied.id}"]`);
        await drow.waitFor({ timeout: 5_000 });
        assert.ok((await drow.getByTestId('feed-reason').innerText()).length > 3);

        // The zone's gauge counts the people inside (Ada, Grace maybe, Linus).
        const occ = page.locator(`[data-testid="occ-row"][data-zone-id="${fx.zone.id}"] [data-testid="occupancy-text"]`);
        const current = (await call('GET', `/api/access/zones/${fx.zone.id}/occupancy`)).current;
        await page.waitForFunction(
          ([sel, want]) => document.querySelector(sel)?.textContent?.startsWith(`${want} /`),
          [`[data-testid="occ-row"][data-zone-id="${fx.zone.id}"] [data-testid="occupancy-text"]`, current],
          { timeout: 5_000 },
        );
        assert.match(await occ.innerText(), /\/ 80/);
        await page.screenshot({ path: resultPath('live-feed-desktop.png') });

        // Remote unlock with confirmation.
        await page.locator(`[data-testid="occ-row"][data-zone-id="${fx.zone.id}"]`).getByTestId('unlock-zone').click();
        const dialog = page.getByTestId('unlock-dialog');
        assert.equal(await dialog.getByLabel('Hold open for (seconds)').inputValue(), '5');
        await dialog.getByTestId('unlock-confirm').click();
        await dialog.getByTestId('unlock-result').waitFor();
        await page.screenshot({ path: resultPath('live-feed-unlock.png') });
        await dialog.getByRole('button', { name: 'Done' }).click();

        await page.setViewportSize(TABLET);
        await page.screenshot({ path: resultPath('live-feed-tablet.png'), fullPage: true });
      },
      { viewport: DESKTOP },
    );
  });

  test('door dialog: test the simulated door and see the command it received', T, async (t) => {
    if (!needApi(t)) return;
    await withPage(
      browser,
      server.baseURL,
      'access-door',
      async (page) => {
        await login(page);
        await page.waitForURL((u) => u.pathname === '/');
        await page.goto('/access/zones');
        const row = page.getByTestId('zone-row').filter({ hasText: 'Main entrance' }).first();
        await row.waitFor();
        await row.getByTestId('zone-door').click();
        const dialog = page.getByTestId('door-dialog');
        await dialog.waitFor();
        await dialog.getByTestId('door-test').click();
        // The simulated door records every command; the dialog lists them.
        const ev = dialog.getByTestId('door-event').first();
        await ev.waitFor({ timeout: 15_000 });
        assert.match(await ev.innerText(), /UNLOCK/i);
      },
      { viewport: DESKTOP },
    );
  });

  test('admin: zone tree, rules with validation, credentials, history, devices', T, async (t) => {
    if (!needApi(t)) return;
    await withPage(
      browser,
      server.baseURL,
      'access-admin',
      async (page) => {
        await login(page);
        await page.waitForURL((u) => u.pathname === '/');

        // Zones: the tree, and a new locker inside the sauna.
        await page.goto('/access/zones');
        await page.getByTestId('zone-row').filter({ hasText: 'Sauna' }).waitFor();
        assert.equal(await page.getByTestId('zone-row').count(), 3);
        await page.getByRole('button', { name: 'Add a zone inside Sauna' }).click();
        const zd = page.getByTestId('zone-dialog');
        assert.equal(await zd.getByLabel('Type').inputValue(), 'AREA');
        await zd.getByLabel('Type').selectOption('LOCKER');
        await zd.getByTestId('zone-submit').click();
        await zd.getByText('Name is required').waitFor();
        await zd.getByLabel('Name').fill('Locker 17');
        await zd.getByLabel('Maximum occupancy').fill('1');
        await zd.getByTestId('zone-submit').click();
        await page.getByTestId('zone-row').filter({ hasText: 'Locker 17' }).waitFor();
        await page.screenshot({ path: resultPath('zones-desktop.png'), fullPage: true });

        // Rules: an overnight time window on the sauna, with client-side validation first.
        await page.goto(`/access/rules?zoneId=${fx.sauna.id}`);
        await page.getByTestId('rules-empty').waitFor();
        await page.getByTestId('new-rule').click();
        const rd = page.getByTestId('rule-dialog');
        await rd.getByLabel('Name').fill('Night sauna');
        await rd.getByText('Time window', { exact: true }).click();
        await rd.getByLabel('Allowed from').fill('7:00');
        await rd.getByTestId('rule-submit').click();
        await rd.getByText('Use the 24-hour format HH:MM').first().waitFor();
        await rd.getByLabel('Allowed from').fill('22:00');
        await rd.getByLabel('Allowed until').fill('06:00');
        await rd.getByTestId('overnight-note').waitFor();
        await page.screenshot({ path: resultPath('rule-dialog-desktop.png') });
        await rd.getByTestId('rule-submit').click();
        await page.getByTestId('rule-row').filter({ hasText: '22:00–06:00 (overnight)' }).waitFor();

        // A blacklist rule with the member picker.
        await page.getByTestId('new-rule').click();
        await rd.getByLabel('Name').fill('Banned');
        await rd.getByText('Blocked members', { exact: true }).click();
        await rd.getByTestId('rule-submit').click();
        await rd.getByText('Add at least one member').waitFor();
        await rd.getByTestId('member-picker-search').fill('Bob');
        await rd.getByTestId('member-picker-result').filter({ hasText: 'Bob Nocontract' }).click();
        await rd.getByTestId('blocked-member').filter({ hasText: 'Bob Nocontract' }).waitFor();
        await rd.getByLabel('Priority').fill('10');
        await rd.getByTestId('rule-submit').click();
        await page.getByTestId('rule-row').filter({ hasText: 'Blocks Bob Nocontract' }).waitFor();
        // Higher priority first.
        assert.match(await page.getByTestId('rule-row').first().innerText(), /Banned/);
        await page.screenshot({ path: resultPath('rules-desktop.png'), fullPage: true });
        // The locker inherits the sauna's rules.
        const opt = await page.getByTestId('rules-zone').locator('option', { hasText: 'Locker 17' }).getAttribute('value');
        await page.getByTestId('rules-zone').selectOption(opt);
        await page.getByTestId('inherited-rules').filter({ hasText: 'Sauna' }).waitFor();

        // Member detail: credentials (masked, revealable), lifecycle with confirmation, history.
        await page.goto(`/members/${fx.ada.id}`);
        const row = page.getByTestId('credential-row').first();
        await row.waitFor();
        assert.equal(await row.getByTestId('credential-identifier').innerText(), '•••• 5678');
        await row.getByTestId('reveal-identifier').click();
        assert.equal(await row.getByTestId('credential-identifier').innerText(), '0412345678');
        await row.getByTestId('credential-suspend').click();
        await page.getByTestId('credential-action-confirm').click();
        await page.locator('[data-testid="credential-row"][data-status="SUSPENDED"]').waitFor();
        // Issuing the same identifier again is a conflict, shown at the field.
        await page.getByTestId('issue-credential').click();
        const cd = page.getByTestId('issue-credential-dialog');
        await cd.getByTestId('credential-identifier-input').fill('0412345678');
        await cd.getByTestId('issue-credential-submit').click();
        await cd.locator('.field-invalid .field-error').waitFor();
        await cd.getByTestId('credential-identifier-input').fill('04FFEE0011');
        await cd.getByTestId('issue-credential-submit').click();
        await page.getByTestId('credential-notice').waitFor();
        await page.getByTestId('history-row').first().waitFor();
        await page.screenshot({ path: resultPath('member-access-desktop.png'), fullPage: true });
        await page.setViewportSize(TABLET);
        await page.screenshot({ path: resultPath('member-access-tablet.png'), fullPage: true });
        await page.setViewportSize(DESKTOP);

        // Devices: register one, key shown once, revoke.
        await page.getByTestId('nav-devices').click();
        await page.waitForURL('**/devices');
        await page.getByTestId('device-row').filter({ hasText: 'Entrance kiosk' }).waitFor();
        await page.getByTestId('new-device').click();
        const dd = page.getByTestId('create-device-dialog');
        await dd.getByLabel('Name').fill('Sauna reader');
        await dd.getByLabel('Kind').selectOption('READER');
        await dd.getByTestId('create-device-submit').click();
        const key = page.getByTestId('api-key');
        await key.waitFor();
        assert.ok((await key.innerText()).length > 16);
        await page.screenshot({ path: resultPath('device-key-desktop.png') });
        await page.getByTestId('api-key-done').click();
        const reader = page.getByTestId('device-row').filter({ hasText: 'Sauna reader' });
        await reader.getByRole('button', { name: 'Revoke Sauna reader' }).click();
        await page.getByTestId('revoke-device-confirm').click();
        await reader.getByTestId('device-status').filter({ hasText: 'Revoked' }).waitFor();
        await page.screenshot({ path: resultPath('devices-desktop.png'), fullPage: true });

        // Tablet widths.
        await page.setViewportSize(TABLET);
        await page.goto('/access/zones');
        await page.getByTestId('zone-row').first().waitFor();
        await page.screenshot({ path: resultPath('zones-tablet.png'), fullPage: true });
        await page.goto(`/access/rules?zoneId=${fx.sauna.id}`);
        await page.getByTestId('rule-row').first().waitFor();
        await page.screenshot({ path: resultPath('rules-tablet.png'), fullPage: true });
        await page.goto('/devices');
        await page.getByTestId('device-row').first().waitFor();
        await page.screenshot({ path: resultPath('devices-tablet.png'), fullPage: true });
      },
      { viewport: DESKTOP },
    );
  });
});
