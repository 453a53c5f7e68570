// The web console in a real browser: Debian's chromium, headless, driven by puppeteer-core.
// Usage: node console_test.js BASE_URL SCREENSHOT_PATH [TOKEN]
// Without TOKEN: opens the console, waits for the upstream to be CONNECTED, logs an
// account in (the QR image is shown, then LOGGED_IN), sends a text to the account itself
// and sees it arrive in the live list, then filters the list by kind; saves a screenshot.
// With TOKEN (the bridge has a tokens file): the page asks for the token, takes it, and
// then GetStatus and the event stream work, also after a reload (sessionStorage).
// Every wait is a condition with a deadline; exits 1 with the reason on the first failure.
'use strict';

const puppeteer = require('puppeteer-core');

const [baseUrl, screenshotPath, token] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT_MS = 30000;

function step(text) {
  console.log('console_test: ' + text);
}

async function waitFor(page, what, fn, ...args) {
  try {
    await page.waitForFunction(fn, { timeout: WAIT_MS, polling: 50 }, ...args);
  } catch (error) {
    const state = await page.evaluate(() => ({
      upstream: document.querySelector('#upstream-state').textContent,
      stream: document.querySelector('#stream-state').textContent,
      login: document.querySelector('#login-status').textContent,
      send: document.querySelector('#send-result').textContent,
      token: document.querySelector('#token-prompt').textContent,
      events: [...document.querySelectorAll('#events li')].slice(0, 8).map((li) => li.textContent),
    })).catch(() => ({}));
    throw new Error('timed out after ' + WAIT_MS + ' ms waiting for ' + what + '; page: ' + JSON.stringify(state));
  }
}

async function upstreamConnected(page) {
  await waitFor(page, 'the upstream state CONNECTED',
                () => document.querySelector('#upstream-state').dataset.state === 'UPSTREAM_STATE_CONNECTED');
}

async function logIn(page, account) {
  step('logging ' + account + ' in');
  await page.type('#login-account', account);
  await page.click('#login-button');
  await waitFor(page, 'the QR image', () => {
    const img = document.querySelector('#qr-image');
    return !img.hidden && img.src.startsWith('data:image/png;base64,') && img.complete && img.naturalWidth > 0;
  });
  const size = await page.$eval('#qr-image', (img) => [img.naturalWidth, img.naturalHeight]);
  step('QR image shown, ' + size.join('x') + ' pixels');
  await waitFor(page, 'LOGGED_IN',
                () => document.querySelector('#login-status').dataset.status === 'LOGIN_STATUS_LOGGED_IN');
  const text = await page.$eval('#login-status', (e) => e.textContent);
  if (!text.includes('LOGGED_IN')) throw new Error('the login status reads "' + text + '"');
  step('login status: ' + text);
  await waitFor(page, account + ' with a wxid in the accounts table', (name) => {
    const row = document.querySelector(`#accounts tbody tr[data-account="${name}"]`);
    return row && row.querySelector('.wx-id').textContent !== '' &&
           row.querySelector('.status').textContent === 'LOGGED_IN';
  }, account);
  return page.$eval(`#accounts tbody tr[data-account="${account}"] .wx-id`, (e) => e.textContent);
}

async function sendText(page, account, to, content) {
  step('sending "' + content + '" from ' + account + ' to ' + to);
  for (const [selector, value] of [['#send-account', account], ['#send-to', to], ['#send-text', content]]) {
    await page.$eval(selector, (e) => { e.value = ''; });
    await page.type(selector, value);
  }
  await page.click('#send-button');
  await waitFor(page, 'the send result', () => document.querySelector('#send-result').dataset.outcome !== '');
  const [outcome, result] = await page.$eval('#send-result', (e) => [e.dataset.outcome, e.textContent]);
  if (outcome !== 'ok') throw new Error('SendText failed: ' + result);
  step('send result: ' + result);
  await waitFor(page, 'the text in the live events list', (text) =>
    [...document.querySelectorAll('#events li[data-kind="TEXT"] .text')].some((e) => e.textContent.includes(text)),
  content);
  step('the text arrived in the live list');
}

async function filterByKind(page, kind) {
  step('filtering the list to ' + kind);
  await page.select('#event-filter-kind', kind);
  await waitFor(page, 'a list of only ' + kind + ' events', (k) => {
    const rows = [...document.querySelectorAll('#events li')];
    return rows.length > 0 && rows.every((row) => row.dataset.kind === k);
  }, kind);
}

// GET /v1/events requests the page has made.
let eventStreamsOpened = 0;

async function plainScenario(page) {
  await page.goto(baseUrl + '/', { waitUntil: 'load' });
  await upstreamConnected(page);
  step('upstream CONNECTED');
  const account = 'console-alice';
  const wxId = await logIn(page, account);
  step(account + ' is ' + wxId);
  const content = 'hello from the console ' + Date.now();
  await sendText(page, account, wxId, content);
  await page.screenshot({ path: screenshotPath, fullPage: true });
  step('screenshot saved to ' + screenshotPath);
  // One stream for the list, one for the login: a live stream stays open, never polled.
  const stream = await page.$eval('#stream-state', (e) => e.textContent);
  if (eventStreamsOpened !== 2 || stream !== 'live') {
    throw new Error('the event stream did not stay open: ' + eventStreamsOpened +
                    ' GET /v1/events so far (2 expected), stream state "' + stream + '"');
  }
  await filterByKind(page, 'TEXT');
}

async function tokenScenario(page) {
  await page.goto(baseUrl + '/', { waitUntil: 'load' });
  await waitFor(page, 'the page to ask for the token',
                () => document.querySelector('#token-prompt').textContent.includes('token'));
  const state = await page.$eval('#upstream-state', (e) => e.dataset.state);
  if (state !== '') throw new Error('the upstream state shows without a token: ' + state);
  step('asked: ' + await page.$eval('#token-prompt', (e) => e.textContent));
  await page.type('#token', token);
  await page.click('#token-save');
  await upstreamConnected(page);
  await waitFor(page, 'the live event stream', () => document.querySelector('#stream-state').textContent === 'live');
  step('with the token: upstream CONNECTED, events live');
  await page.screenshot({ path: screenshotPath, fullPage: true });
  step('screenshot saved to ' + screenshotPath);
  await page.reload({ waitUntil: 'load' });
  await upstreamConnected(page);
  const prompt = await page.$eval('#token-prompt', (e) => e.textContent);
  if (prompt !== '') throw new Error('after a reload the page asks again: ' + prompt);
  step('after a reload the token is kept for the tab');
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const failures = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('pageerror', (error) => failures.push('page error: ' + error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('401')) failures.push('console error: ' + message.text());
    });
    // Nothing may be fetched from outside the bridge.
    page.on('request', (request) => {
      const url = request.url();
      if (url.startsWith(baseUrl + '/v1/events')) ++eventStreamsOpened;
      if (!url.startsWith(baseUrl + '/') && !url.startsWith('data:')) failures.push('request outside the bridge: ' + url);
    });
    await (token ? tokenScenario(page) : plainScenario(page));
  } finally {
    await browser.close();
  }
  if (failures.length) throw new Error(failures.join('\n'));
}

main().then(() => step('PASS'), (error) => {
  console.error('console_test: FAIL: ' + error.message);
  process.exit(1);
});
