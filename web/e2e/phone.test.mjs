// Browser end-to-end tests of phone credentials against the real binary: the
// QR door display shows a code and rotates it; a member's phone opens the
// code's link, signs in and gets GRANTED (the simulated door opened); the same
// link again is refused as a replay; a member whose contract ended is DENIED
// with the reason shown; the member pass is accepted once by a kiosk.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ORG, ADMIN, apiCall, launchBrowser, prerequisiteProblem, startGatehouse, withPage } from './harness.mjs';

const skip = prerequisiteProblem();
const T = { timeout: 180_000 };
const PHONE = { width: 390, height: 844 };
const PASSWORD = 'correct horse battery';

function dayInOrg(offsetDays) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: ORG.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

describe('phone credentials', { skip: skip ?? false }, () => {
  let server;
  let browser;
  let token;
  let missing = false;
  const fx = {};
  const call = (method, p, body, tok = token) => apiCall(server.baseURL, method, p, { token: tok, body });

  async function memberUser(first, email, contract) {
    const m = await call('POST', '/api/members', { firstName: first, lastName: 'Phone', email });
    if (contract) await call('POST', `/api/members/${m.id}/contracts`, { templateId: fx.template.id, ...contract });
    await call('POST', '/api/users', { email, password: PASSWORD, role: 'MEMBER', memberId: m.id });
    return { ...m, email };
  }

  before(async () => {
    server = await startGatehouse();
    browser = await launchBrowser();
    const doc = await (await fetch(`${server.baseURL}/api/openapi.json`, { signal: AbortSignal.timeout(10_000) })).json();
    if (!doc.paths?.['/api/qr-door/redeem']) {
      missing = true;
      console.log('SKIP: phone credentials not in this backend yet (GET /api/openapi.json lacks POST /api/qr-door/redeem)');
      return;
    }
    token = (await apiCall(server.baseURL, 'POST', '/api/auth/login', { body: ADMIN })).token;
    fx.template = await call('POST', '/api/contract-templates', { name: 'Standard', tierCd: 'STANDARD', tierRank: 1 });
    fx.zone = await call('POST', '/api/access/zones', { name: 'Studio door', typeCd: 'BUILDING' });
    fx.displayKey = (await call('POST', '/api/devices', { name: 'Studio QR display', kind: 'QR_DISPLAY', zoneId: fx.zone.id })).apiKey;
    fx.kioskKey = (await call('POST', '/api/devices', { name: 'Front kiosk', kind: 'KIOSK' })).apiKey;
    fx.ada = await memberUser('Ada', 'ada@phone.e2e', { startDate: dayInOrg(-30) });
    fx.bob = await memberUser('Bob', 'bob@phone.e2e', { startDate: dayInOrg(-60), endDate: dayInOrg(-2) });
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, { timeout: 30_000 });

  async function signInAt(page, link, email) {
    await page.goto(link);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  test('door display rotates; member opens the link → GRANTED, door opened; again → replay; expired contract → DENIED', T, async (t) => {
    if (missing) return t.skip('phone credentials not in this backend yet');
    let link;
    await withPage(browser, server.baseURL, 'qr-display', async (page) => {
      await page.goto('/door-display');
      await page.getByTestId('display-key').fill('not-a-key');
      await page.getByTestId('display-submit').click();
      await page.getByText('This key is not valid').waitFor();
      await page.getByTestId('display-key').fill(fx.displayKey);
      await page.getByTestId('display-submit').click();
      const qr = page.getByTestId('door-qr');
      await qr.waitFor();
      const first = await qr.getAttribute('data-qr-text');
      assert.match(first, new RegExp(`^${server.baseURL}/q/[A-Za-z0-9_-]{20,60}$`));
      // The code rotates at the 30 s step boundary (at most ~31 s away).
      await page.waitForFunction((prev) => document.querySelector('[data-testid="door-qr"]')?.getAttribute('data-qr-text') !== prev, first, {
        timeout: 40_000,
      });
      link = await qr.getAttribute('data-qr-text');
      assert.notEqual(link, first);
    }, { viewport: { width: 1080, height: 1920 } });

    await withPage(browser, server.baseURL, 'qr-redeem', async (page) => {
      await signInAt(page, link, fx.ada.email);
      const result = page.getByTestId('qr-result');
      await page.locator('[data-testid="qr-result"][data-state="granted"]').waitFor();
      assert.match(await result.innerText(), /Door open/);
      const events = await call('GET', `/api/access/zones/${fx.zone.id}/door/events`);
      assert.ok(events.some((e) => e.kind === 'UNLOCK'), `door events: ${JSON.stringify(events)}`);
      // The same link again: refused as a replay.
      await page.goto(link);
      await page.locator('[data-testid="qr-result"][data-state="denied"]').waitFor();
      assert.match(await result.innerText(), /already used/i);
    }, { viewport: PHONE });

    await withPage(browser, server.baseURL, 'qr-expired-contract', async (page) => {
      await signInAt(page, link, fx.bob.email);
      await page.locator('[data-testid="qr-result"][data-state="denied"]').waitFor();
      assert.match(await page.getByTestId('qr-reason').innerText(), /No active contract/);
    }, { viewport: PHONE });
  });

  test('member pass: shown on the phone, accepted once by a kiosk', T, async (t) => {
    if (missing) return t.skip('phone credentials not in this backend yet');
    await withPage(browser, server.baseURL, 'my-pass', async (page) => {
      await signInAt(page, '/me/pass', fx.ada.email);
      const qr = page.getByTestId('pass-qr');
      await qr.waitFor();
      const pass = await qr.getAttribute('data-qr-text');
      const scan = () => call('POST', '/api/checkin', { methodCd: 'QR', credential: { typeCd: 'QR_CODE', identifier: pass } }, fx.kioskKey);
      const first = await scan();
      assert.equal(first.statusCd, 'GRANTED', JSON.stringify(first));
      assert.equal(first.memberId, fx.ada.id);
      const again = await scan();
      assert.equal(again.denialCode, 'CREDENTIAL_INVALID');
      assert.match(again.denialReason, /already used/);
    }, { viewport: PHONE });
  });
});
