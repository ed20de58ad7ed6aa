// End-to-end harness: a real gatehouse binary on a temp SQLite database, and
// Debian's Chromium driven by playwright-core. Every wait is bounded.
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const CHROMIUM = process.env.GATEHOUSE_CHROMIUM || '/usr/bin/chromium';
export const BIN = path.resolve(webDir, process.env.GATEHOUSE_BIN || '../bin/gatehouse');
export const RESULTS_DIR = path.join(webDir, 'test-results');
export const REQUIRE = process.env.GATEHOUSE_REQUIRE_SERVICES === '1';

export const ADMIN = { email: 'admin@e2e.test', password: 'correct horse battery' };
export const ORG = { name: 'E2E Club', timezone: 'Europe/Berlin' };

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Why the suite cannot run here, or null. Prints the SKIP line; with
 * GATEHOUSE_REQUIRE_SERVICES=1 a missing prerequisite throws instead.
 */
export function prerequisiteProblem() {
  let reason = null;
  if (!existsSync(CHROMIUM)) reason = `SKIP: chromium not installed (apt-get install chromium) [looked for ${CHROMIUM}]`;
  else if (!existsSync(BIN)) reason = `SKIP: gatehouse binary not found at ${BIN} (build it: go build -o bin/gatehouse ./cmd/gatehouse, or set GATEHOUSE_BIN)`;
  if (reason && REQUIRE) throw new Error(`${reason.replace(/^SKIP: /, '')} and GATEHOUSE_REQUIRE_SERVICES=1`);
  if (reason) console.log(reason);
  return reason ? reason.replace(/^SKIP: /, '') : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd, args, env, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
        reject(err);
      } else resolve({ stdout, stderr });
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Initialises a fresh database, starts `gatehouse serve`, waits for /readyz. */
export async function startGatehouse({ readyTimeoutMs = 30_000 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-e2e-'));
  const db = `sqlite:${path.join(dir, 'e2e.db')}`;
  const env = {
    ...process.env,
    GATEHOUSE_SECRET_KEY: process.env.GATEHOUSE_SECRET_KEY || randomBytes(32).toString('base64'),
  };
  delete env.GATEHOUSE_ADDR;
  delete env.GATEHOUSE_DB;
  delete env.GATEHOUSE_AMQP_URL;

  await run(
    BIN,
    ['init', '--org', ORG.name, '--timezone', ORG.timezone, '--admin-email', ADMIN.email, '--admin-password', ADMIN.password, '--db', db],
    env,
    60_000,
  );

  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, ['serve', '--addr', `127.0.0.1:${port}`, '--db', db], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk) => {
    log += chunk.toString();
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const deadline = Date.now() + readyTimeoutMs;
  let lastErr = null;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`gatehouse serve exited early (${JSON.stringify(exited)})\n${log}`);
    try {
      const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) break;
      lastErr = new Error(`/readyz answered ${res.status}`);
    } catch (e) {
      lastErr = e;
    }
    await sleep(200);
  }
  if (Date.now() >= deadline) {
    child.kill('SIGKILL');
    throw new Error(`gatehouse did not become ready within ${readyTimeoutMs} ms: ${lastErr?.message}\n${log}`);
  }

  return {
    baseURL,
    dir,
    logs: () => log,
    async stop() {
      // Keep the server log next to the screenshots for post-mortems.
      try {
        writeFileSync(resultPath('server.log'), log);
      } catch {
        // best effort
      }
      if (!exited) {
        child.kill('SIGTERM');
        const until = Date.now() + 5_000;
        while (!exited && Date.now() < until) await sleep(50);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/** Calls the API directly (test setup); returns parsed JSON, throws on non-2xx. */
export async function apiCall(baseURL, method, urlPath, { token, body } = {}) {
  const res = await fetch(baseURL + urlPath, {
    method,
    headers: {
      Accept: 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${urlPath} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export function resultPath(name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return path.join(RESULTS_DIR, name.replace(/[^a-z0-9._-]+/gi, '-'));
}

/**
 * Runs `fn(page)` in a fresh browser context; on failure saves a full-page
 * screenshot to test-results/<name>-failure.png and rethrows.
 */
export async function withPage(browser, baseURL, name, fn, { viewport = { width: 1280, height: 860 } } = {}) {
  const context = await browser.newContext({ baseURL, viewport, locale: 'en-GB', timezoneId: ORG.timezone });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  try {
    await fn(page);
  } catch (e) {
    const file = resultPath(`${name}-failure.png`);
    await page.screenshot({ path: file, fullPage: true, timeout: 5_000 }).catch(() => undefined);
    e.message += `\n(screenshot: ${file})${consoleErrors.length ? `\n(page errors: ${consoleErrors.join(' | ')})` : ''}`;
    throw e;
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** Signs in through the login form. */
export async function login(page, { email = ADMIN.email, password = ADMIN.password } = {}) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
