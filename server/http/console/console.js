// wxbridge web console (docs/console.md). Plain script, no framework, nothing fetched
// from outside the bridge. Text from the bridge is only ever inserted with textContent.
'use strict';

const TOKEN_KEY = 'wxbridge.token';
const MAX_EVENT_ROWS = 500;
// A new events list starts this many events back, so a fresh page is not empty.
const HISTORY_EVENTS = 200;
const STATUS_REFRESH_MS = 5000;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 8000;

const $ = (id) => document.getElementById(id);

// "UPSTREAM_STATE_CONNECTED" -> "CONNECTED".
function shortName(value, prefix) {
  return typeof value === 'string' && value.startsWith(prefix) ? value.slice(prefix.length) : String(value ?? '');
}

function localTime(timestamp) {
  if (!timestamp) return '';
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? String(timestamp) : date.toLocaleTimeString();
}

// ---- Token ---------------------------------------------------------------------------

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

function authHeaders() {
  return token() ? { Authorization: 'Bearer ' + token() } : {};
}

function showTokenState() {
  $('token-state').textContent = token() ? 'token set' : 'no token';
}

// A 401: the bridge wants a (different) token.
function askForToken(message) {
  $('token-prompt').textContent =
    (token() ? 'The bridge refused this token' : 'The bridge asks for a token') +
    (message ? ': ' + message : '.');
  $('token').focus();
}

async function saveToken(event) {
  event.preventDefault();
  const value = $('token').value.trim();
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
  $('token').value = '';
  $('token-prompt').textContent = '';
  showTokenState();
  await refreshStatus();
  eventsView.restart();
}

// ---- JSON API ------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// POST /v1/<method> with `body`; resolves to the response message, rejects with ApiError.
async function call(method, body) {
  let response;
  try {
    response = await fetch('v1/' + method, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeaders() },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, 'UNAVAILABLE', 'the bridge cannot be reached (' + error.message + ')');
  }
  let json = null;
  try {
    json = await response.json();
  } catch (error) {
    // An answer without JSON: reported by status below.
  }
  if (response.ok) return json || {};
  const error = new ApiError(response.status, (json && json.code) || 'HTTP_' + response.status,
                             (json && json.message) || response.statusText);
  if (response.status === 401) askForToken(error.message);
  throw error;
}

function describeError(error) {
  return error instanceof ApiError ? error.code + ': ' + error.message : String(error);
}

// ---- Server-Sent Events over fetch ---------------------------------------------------
// EventSource cannot send Authorization, so the stream is read with fetch and parsed here
// (the SSE format: "field: value" lines, a blank line ends an event, ":" starts a comment).

class EventStream {
  // `params`: query parameters of GET /v1/events (accounts, kinds, after_seq).
  // `handlers`: onHello(hello), onEvent(event), onGap(gap), onState(text).
  constructor(params, handlers) {
    this.params = params;
    this.handlers = handlers;
    this.resumeSeq = params.after_seq ?? null;  // the last seq this stream has covered
    this.controller = null;
    this.timer = null;
    this.minDelay = RECONNECT_MIN_MS;  // the server's "retry:" replaces it
    this.delay = RECONNECT_MIN_MS;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.controller) this.controller.abort();
  }

  url() {
    const query = new URLSearchParams();
    if (this.params.accounts) query.set('accounts', this.params.accounts);
    if (this.params.kinds) query.set('kinds', this.params.kinds);
    if (this.resumeSeq !== null) query.set('after_seq', String(this.resumeSeq));
    const text = query.toString();
    return 'v1/events' + (text ? '?' + text : '');
  }

  async connect() {
    const controller = new AbortController();
    this.controller = controller;
    const headers = { Accept: 'text/event-stream', ...authHeaders() };
    if (this.resumeSeq !== null) headers['Last-Event-ID'] = String(this.resumeSeq);
    this.handlers.onState('connecting');
    try {
      const response = await fetch(this.url(), { headers, signal: controller.signal, cache: 'no-store' });
      if (response.status === 401) {
        let message = '';
        try { message = (await response.json()).message; } catch (error) { /* no body */ }
        askForToken(message);
        this.handlers.onState('waiting for a token');
        return;  // restarted when a token is saved
      }
      if (!response.ok || !response.body) {
        let reason = 'HTTP ' + response.status;
        try { reason = (await response.json()).message || reason; } catch (error) { /* no JSON */ }
        throw new Error(reason);
      }
      this.handlers.onState('live');
      await this.read(response.body.getReader());
      if (!this.stopped) throw new Error('the stream ended');
    } catch (error) {
      if (this.stopped || controller.signal.aborted) return;
      this.handlers.onState('reconnecting in ' + Math.round(this.delay / 1000 * 10) / 10 + ' s (' + error.message + ')');
      this.timer = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, Math.max(RECONNECT_MAX_MS, this.minDelay));
    }
  }

  async read(reader) {
    const decoder = new TextDecoder();
    let buffer = '';
    let message = { event: '', data: [], id: null };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop();  // an incomplete last line waits for more bytes
      for (const line of lines) {
        if (line === '') {
          if (message.data.length) this.dispatch(message);
          message = { event: '', data: [], id: null };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let text = colon < 0 ? '' : line.slice(colon + 1);
          if (text.startsWith(' ')) text = text.slice(1);
          if (field === 'event') message.event = text;
          else if (field === 'data') message.data.push(text);
          else if (field === 'id') message.id = text;
          else if (field === 'retry' && /^\d+$/.test(text)) this.minDelay = this.delay = Number(text);
        }
      }
    }
  }

  dispatch(message) {
    let payload;
    try {
      payload = JSON.parse(message.data.join('\n'));
    } catch (error) {
      return;  // not ours to show
    }
    this.delay = this.minDelay;  // the stream works: the next break retries quickly
    if (message.event === 'hello') {
      if (this.resumeSeq === null) this.resumeSeq = payload.headSeq ?? '0';
      this.handlers.onHello(payload);
    } else if (message.event === 'gap') {
      if (payload.firstAvailableSeq) this.resumeSeq = String(BigInt(payload.firstAvailableSeq) - 1n);
      this.handlers.onGap(payload);
    } else if (message.event === 'event' || message.event === '') {
      if (message.id !== null) this.resumeSeq = message.id;
      else if (payload.seq) this.resumeSeq = payload.seq;
      this.handlers.onEvent(payload);
    }
  }
}

// ---- Events --------------------------------------------------------------------------

// The payload field of an Event (its oneof), e.g. "loginStatus".
const PAYLOAD_FIELDS = ['loginStatus', 'text', 'contact', 'image', 'location', 'app', 'friendRequest',
                        'systemNotice', 'groupChange', 'gatewayError', 'bridgeState', 'commandReply',
                        'unrecognized', 'loopStopped'];

function payloadField(event) {
  return PAYLOAD_FIELDS.find((field) => event[field] !== undefined) || null;
}

// "friendRequest" -> "FRIEND_REQUEST", the EventKind name without its prefix.
function eventKind(event) {
  if (event.kind) return shortName(event.kind, 'EVENT_KIND_');
  const field = payloadField(event);
  return field ? field.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase() : 'UNKNOWN';
}

function summarize(event) {
  const field = payloadField(event);
  const p = field ? event[field] : {};
  const header = p.header || {};
  switch (field) {
    case 'loginStatus':
      return [shortName(p.status, 'LOGIN_STATUS_'), p.wxId, p.message].filter(Boolean).join(' · ');
    case 'text':
      return (header.fromUserName || '?') + ' → ' + (header.toUserName || '?') + ': ' + (p.text || '');
    case 'bridgeState':
      return [shortName(p.state, 'UPSTREAM_STATE_'), p.detail].filter(Boolean).join(' · ');
    case 'contact':
      return [p.userName, p.nickName].filter(Boolean).join(' · ');
    case 'gatewayError':
      return p.message || '';
    case 'commandReply':
      return p.content || '';
    case 'systemNotice':
    case 'groupChange':
      return p.text || '';
    case 'app':
      return [p.title, p.url].filter(Boolean).join(' · ');
    default: {
      const text = JSON.stringify(p);
      return text.length > 200 ? text.slice(0, 200) + '…' : text;
    }
  }
}

// The event as JSON for the details, with long base64 (a QR code, raw bytes) shortened.
function eventJson(event) {
  return JSON.stringify(event, (key, value) =>
    typeof value === 'string' && value.length > 300 ? value.slice(0, 60) + '… (' + value.length + ' characters)' : value, 2);
}

function span(className, text) {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

const eventsView = {
  stream: null,

  // Filters as query parameters: accounts as typed, kind from the select.
  params() {
    const accounts = $('event-filter-account').value.split(',').map((s) => s.trim()).filter(Boolean).join(',');
    return { accounts, kinds: $('event-filter-kind').value };
  },

  restart() {
    if (this.stream) this.stream.stop();
    $('events').replaceChildren();
    const params = this.params();
    if (status.headSeq !== null) {
      // Start a little back: after_seq scans that far and sends only matching events.
      const back = BigInt(status.headSeq) - BigInt(HISTORY_EVENTS);
      const oldest = BigInt(status.oldestSeq || '0');
      const after = back > oldest - 1n ? back : oldest - 1n;
      params.after_seq = String(after > 0n ? after : 0n);
    }
    this.stream = new EventStream(params, {
      onHello: (hello) => showUpstreamState(hello.upstreamState),
      onEvent: (event) => {
        this.add(event);
        onAnyEvent(event);
      },
      onGap: (gap) => this.addRow('gap', 'GAP', '', 'events ' + gap.firstMissingSeq + ' to ' +
                                  (BigInt(gap.firstAvailableSeq) - 1n) + ' were dropped before this page read them', null),
      onState: (text) => { $('stream-state').textContent = text; },
    });
    this.stream.start();
  },

  add(event) {
    this.addRow('event', eventKind(event), event.account || '', summarize(event), event);
  },

  addRow(className, kind, account, summary, event) {
    const row = document.createElement('li');
    row.className = className;
    row.dataset.kind = kind;
    row.dataset.account = account;
    if (event) row.dataset.seq = event.seq || '';
    const line = document.createElement(event ? 'summary' : 'div');
    line.append(span('seq', event ? '#' + (event.seq || '?') : ''), span('time', localTime(event && event.receivedAt)),
                span('kind', kind), span('account', account), span('text', summary));
    if (event) {
      const details = document.createElement('details');
      const json = document.createElement('pre');
      json.textContent = eventJson(event);
      details.append(line, json);
      row.append(details);
    } else {
      row.append(line);
    }
    const list = $('events');
    list.prepend(row);
    while (list.childElementCount > MAX_EVENT_ROWS) list.lastElementChild.remove();
  },
};

// ---- Status --------------------------------------------------------------------------

const status = { headSeq: null, oldestSeq: null, refreshTimer: null };

function showUpstreamState(state) {
  if (!state) return;
  const element = $('upstream-state');
  element.dataset.state = state;
  element.textContent = shortName(state, 'UPSTREAM_STATE_');
}

async function refreshStatus() {
  let reply;
  try {
    reply = await call('GetStatus', {});
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      $('upstream-state').textContent = 'unknown (' + describeError(error) + ')';
      $('upstream-state').dataset.state = '';
    }
    return false;
  }
  showUpstreamState(reply.upstreamState || 'UPSTREAM_STATE_UNSPECIFIED');
  $('bridge-version').textContent = reply.bridgeVersion ? 'wxbridge ' + reply.bridgeVersion : '';
  status.headSeq = reply.headSeq || '0';
  status.oldestSeq = reply.oldestSeq || '0';
  showAccounts(reply.accounts || []);
  return true;
}

// Several events in a row refresh once.
function refreshSoon() {
  clearTimeout(status.refreshTimer);
  status.refreshTimer = setTimeout(refreshStatus, 200);
}

function showAccounts(accounts) {
  const rows = accounts.map((account) => {
    const row = document.createElement('tr');
    row.dataset.account = account.account;
    const cells = [['name', account.account], ['wx-id', account.wxId || ''],
                   ['status', shortName(account.lastStatus, 'LOGIN_STATUS_')], ['updated', localTime(account.updatedAt)]];
    for (const [className, text] of cells) {
      const cell = document.createElement('td');
      cell.className = className;
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  });
  $('accounts').tBodies[0].replaceChildren(...rows);
  $('accounts-empty').hidden = accounts.length > 0;
}

function onAnyEvent(event) {
  if (event.bridgeState) showUpstreamState(event.bridgeState.state);
  if (event.bridgeState || event.loginStatus) refreshSoon();
}

// ---- Login ---------------------------------------------------------------------------
// A login follows its account on a stream of its own (its LOGIN_STATUS events), so the
// list's filters never hide it; the Login call is made once that stream is live.

const login = { stream: null, account: '' };

const LOGIN_DONE = new Set(['LOGIN_STATUS_LOGGED_IN', 'LOGIN_STATUS_FAILED', 'LOGIN_STATUS_TIMED_OUT',
                            'LOGIN_STATUS_LOGGED_OUT']);

function showLoginStatus(account, loginStatus) {
  const state = loginStatus.status || 'LOGIN_STATUS_UNSPECIFIED';
  const element = $('login-status');
  element.dataset.status = state;
  element.textContent = account + ': ' + [shortName(state, 'LOGIN_STATUS_'), loginStatus.wxId, loginStatus.message]
    .filter(Boolean).join(' · ');
  const qr = $('qr-image');
  if (loginStatus.qrImage && state === 'LOGIN_STATUS_WAITING_FOR_SCAN') {
    qr.src = 'data:image/png;base64,' + loginStatus.qrImage;
    qr.hidden = false;
  } else if (state !== 'LOGIN_STATUS_WAITING_FOR_SCAN' && state !== 'LOGIN_STATUS_SCANNED') {
    qr.hidden = true;
    qr.removeAttribute('src');
  }
  if (LOGIN_DONE.has(state)) {
    stopLogin();
    refreshSoon();
    if (state === 'LOGIN_STATUS_LOGGED_IN' && !$('send-account').value) $('send-account').value = account;
  }
}

function stopLogin() {
  if (login.stream) login.stream.stop();
  login.stream = null;
  $('login-button').disabled = false;
}

function startLogin(event) {
  event.preventDefault();
  const account = $('login-account').value.trim();
  if (!account) return;
  stopLogin();
  login.account = account;
  $('login-button').disabled = true;
  $('qr-image').hidden = true;
  $('login-status').dataset.status = '';
  $('login-status').textContent = account + ': asking the bridge…';
  let called = false;
  const callLogin = () => {
    if (called) return;
    called = true;
    call('Login', { account }).then((reply) => {
      if (reply.status && login.account === account && login.stream) showLoginStatus(account, reply.status);
    }, (error) => {
      $('login-status').dataset.status = 'ERROR';
      $('login-status').textContent = account + ': ' + describeError(error);
      stopLogin();
    });
  };
  login.stream = new EventStream({ accounts: account, kinds: 'LOGIN_STATUS' }, {
    onHello: callLogin,
    onEvent: (e) => {
      if (e.loginStatus && e.account === account) showLoginStatus(account, e.loginStatus);
    },
    onGap: () => {},
    onState: (text) => {
      if (text === 'waiting for a token') {
        $('login-status').textContent = account + ': waiting for a token';
        stopLogin();
      } else if (text.startsWith('reconnecting')) {
        // No stream (e.g. the token may not Subscribe): log in anyway; the answer and the
        // status refresh still show how it went.
        callLogin();
      }
    },
  });
  login.stream.start();
}

// ---- Send ----------------------------------------------------------------------------

async function sendText(event) {
  event.preventDefault();
  const result = $('send-result');
  const request = { account: $('send-account').value.trim(), toUserName: $('send-to').value.trim(),
                    content: $('send-text').value };
  $('send-button').disabled = true;
  result.dataset.outcome = '';
  result.textContent = 'sending…';
  try {
    const reply = await call('SendText', request);
    const ack = reply.ack || {};
    result.dataset.outcome = 'ok';
    result.textContent = 'Sent' + (ack.completion ? ' (' + shortName(ack.completion, 'COMPLETION_') + ')' : '') +
                         (ack.cmdId ? ', command ' + ack.cmdId : '');
  } catch (error) {
    result.dataset.outcome = 'error';
    result.textContent = 'Not sent: ' + describeError(error);
  } finally {
    $('send-button').disabled = false;
  }
}

// ---- Start ---------------------------------------------------------------------------

async function main() {
  $('token-form').addEventListener('submit', saveToken);
  $('login-form').addEventListener('submit', startLogin);
  $('send-form').addEventListener('submit', sendText);
  $('event-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    eventsView.restart();
  });
  $('event-filter-kind').addEventListener('change', () => eventsView.restart());
  $('event-filter-account').addEventListener('change', () => eventsView.restart());
  showTokenState();
  await refreshStatus();
  eventsView.restart();
  setInterval(refreshStatus, STATUS_REFRESH_MS);
}

main();
