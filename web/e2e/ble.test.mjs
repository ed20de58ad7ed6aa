// Browser end-to-end test of the BLE readers page against the real binary: an
// administrator calibrates a reader (an out-of-range TX power is refused with
// the server's field error), then sets a zone's range; both survive a reload
// and are what the API answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, apiCall, launchBrowser, login, prerequisiteProblem, startGatehouse, withPage } from './harness.mjs';

const skip = prerequisiteProblem();
const T = { timeout: 120_000 };

describe('BLE readers', { skip: skip ?? false }, () => {
  let server;
  let browser;
  let token;
  let zone;
  let missing = false;
  const call = (method, p, body) => apiCall(server.baseURL, method, p, { token, body });

  before(async () => {
    server = await startGatehouse();
    browser = await launchBrowser();
    const doc = await (await fetch(`${server.baseURL}/api/openapi.json`, { signal: AbortSignal.timeout(10_000) })).json();
    if (!doc.paths?.['/api/ble/readers']?.get) {
      missing = true;
      console.log('SKIP: GET /api/ble/readers not in this backend yet');
      return;
    }
    token = (await apiCall(server.baseURL, 'POST', '/api/auth/login', { body: ADMIN })).token;
    zone = await call('POST', '/api/access/zones', { name: 'Spin studio', typeCd: 'ROOM' });
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, { timeout: 30_000 });

  test('calibrate a reader (server validation shown) and set a zone range', T, async (t) => {
    if (missing) return t.skip('BLE settings not in this backend yet');
    await withPage(browser, server.baseURL, 'ble-readers', async (page) => {
      await login(page);
      await page.waitForURL((u) => u.pathname === '/');
      // Through the navigation, as an administrator finds it.
      await page.getByTestId('nav-access').click();
      await page.getByRole('navigation', { name: 'Access sections' }).getByRole('link', { name: 'BLE readers' }).click();
      await page.getByTestId('ble-readers-empty').waitFor();

      const form = page.getByTestId('ble-reader-form');
      await form.getByLabel('Reader id').fill('spin-door-1');
      await form.getByLabel('TX power (dBm at 1 m)').fill('5');
      await form.getByLabel('Path-loss exponent').fill('2.5');
      await page.getByTestId('ble-reader-save').click();
      // The server's problem+json field error, shown at the field.
      await form.locator('.field-invalid').filter({ hasText: 'TX power' }).waitFor();

      await form.getByLabel('TX power (dBm at 1 m)').fill('-65');
      await page.getByTestId('ble-reader-save').click();
      await page.getByTestId('ble-notice').filter({ hasText: 'spin-door-1' }).waitFor();
      const row = page.getByTestId('ble-reader-row').filter({ hasText: 'spin-door-1' });
      await row.waitFor();
      assert.match(await row.innerText(), /-65\s+2\.5/);

      const zoneRow = page.locator(`[data-testid="ble-zone-row"][data-zone="${zone.name}"]`);
      await zoneRow.getByLabel(`Range of ${zone.name}`).selectOption('5');
      await zoneRow.getByTestId('ble-zone-save').click();
      await page.getByTestId('ble-notice').filter({ hasText: '5 m' }).waitFor();

      await page.reload();
      await page.getByTestId('ble-reader-row').filter({ hasText: 'spin-door-1' }).waitFor();
      assert.equal(await page.locator(`[data-testid="ble-zone-row"][data-zone="${zone.name}"] select`).inputValue(), '5');
    });
    assert.deepEqual(await call('GET', '/api/ble/readers'), [{ readerId: 'spin-door-1', txPower: -65, pathLossExponent: 2.5 }]);
    assert.deepEqual(await call('GET', '/api/ble/zones'), [{ zoneId: zone.id, rangeM: 5 }]);
  });
});
