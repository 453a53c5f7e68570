#!/usr/bin/env node
// wxbridge from Node: log in two accounts, send a text from one to the other, and read it
// from a Subscribe stream. Uses @grpc/grpc-js and @grpc/proto-loader (scripts/setup.sh
// installs both into build/tools/node_modules):
//
//   NODE_PATH=build/tools/node_modules node examples/node/wxbridge_example.js
//
// Flags: --server=HOST:PORT or unix:PATH (default $WXBRIDGE_SERVER or 127.0.0.1:50051),
// --proto_dir=DIR (default: the repository's proto/). Environment: WXBRIDGE_TOKEN (sent
// as "authorization: Bearer <token>" with every call), WXBRIDGE_TLS_CA (set: TLS,
// trusting this CA), WXBRIDGE_TLS_CERT and WXBRIDGE_TLS_KEY (a client certificate, for
// mTLS). Exits 0 when the text arrived.
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const TIMEOUT_MS = 30000;

function flag(name, fallback) {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg ? arg.slice(prefix.length) : fallback;
}

function loadService(protoDir) {
  const definition = protoLoader.loadSync('wxbridge/v1/bridge_service.proto', {
    includeDirs: [protoDir],
    longs: String, // uint64 seq and ids as strings, as in the JSON mapping
    enums: String, // enum values by name
    oneofs: true, // message.message / event.payload name the set field
  });
  return grpc.loadPackageDefinition(definition).wxbridge.v1.BridgeService;
}

// TLS when WXBRIDGE_TLS_CA is set (with a client certificate when WXBRIDGE_TLS_CERT and
// WXBRIDGE_TLS_KEY are), else plaintext.
function channelCredentials() {
  const read = (variable) => (process.env[variable] ? fs.readFileSync(process.env[variable])
    : null);
  if (!process.env.WXBRIDGE_TLS_CA) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(read('WXBRIDGE_TLS_CA'), read('WXBRIDGE_TLS_KEY'),
    read('WXBRIDGE_TLS_CERT'));
}

// The token, sent with every call; none when WXBRIDGE_TOKEN is unset.
function callMetadata() {
  const metadata = new grpc.Metadata();
  if (process.env.WXBRIDGE_TOKEN) {
    metadata.set('authorization', `Bearer ${process.env.WXBRIDGE_TOKEN}`);
  }
  return metadata;
}

// Promisified unary call with a deadline.
function call(client, method, request) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + TIMEOUT_MS);
    client[method](request, callMetadata(), { deadline }, (error, response) =>
      error ? reject(error) : resolve(response));
  });
}

// Collects a Subscribe stream; waitFor resolves with the first matching message.
class EventStream {
  constructor(client, request) {
    this.received = [];
    this.waiters = [];
    this.error = null;
    this.call = client.Subscribe(request, callMetadata());
    this.call.on('data', (message) => {
      this.received.push(message);
      this.waiters = this.waiters.filter((w) => !w.offer(message));
    });
    // The stream failed (e.g. UNAUTHENTICATED): waits fail with it. Cancelled at the end.
    this.call.on('error', (error) => {
      this.error = error;
      this.waiters.forEach((w) => w.fail(error));
      this.waiters = [];
    });
  }

  waitFor(predicate, what) {
    const seen = this.received.find(predicate);
    if (seen) return Promise.resolve(seen);
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)),
        TIMEOUT_MS);
      this.waiters.push({
        offer: (message) => {
          if (!predicate(message)) return false;
          clearTimeout(timer);
          resolve(message);
          return true;
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  cancel() { this.call.cancel(); }
}

async function logIn(client, stream, account) {
  const response = await call(client, 'Login', { account });
  let status = response.status;
  console.log(`${account}: Login -> ${status.status} ` +
    `(${status.qrImage ? status.qrImage.length : 0}-byte QR code PNG)`);
  if (status.status !== 'LOGIN_STATUS_LOGGED_IN') {
    const message = await stream.waitFor((m) => m.event && m.event.account === account &&
      m.event.loginStatus && m.event.loginStatus.status === 'LOGIN_STATUS_LOGGED_IN',
    `${account} to log in`);
    status = message.event.loginStatus;
  }
  console.log(`${account}: LOGGED_IN as ${status.wxId}`);
  return status.wxId;
}

async function main() {
  const server = flag('server', process.env.WXBRIDGE_SERVER || '127.0.0.1:50051');
  const protoDir = flag('proto_dir', path.join(__dirname, '..', '..', 'proto'));
  const sender = flag('sender', 'node-alice');
  const receiver = flag('receiver', 'node-bob');
  const BridgeService = loadService(protoDir);
  const client = new BridgeService(server, channelCredentials());

  // Subscribe before acting, and wait for the hello: from then on nothing is missed.
  const stream = new EventStream(client, {
    accounts: [sender, receiver],
    kinds: ['EVENT_KIND_LOGIN_STATUS', 'EVENT_KIND_TEXT'],
  });
  const { hello } = await stream.waitFor((m) => m.hello, "the stream's hello");
  console.log(`subscribed: bridge ${hello.bridgeVersion}, head seq ${hello.headSeq}`);

  await logIn(client, stream, sender);
  const receiverWxId = await logIn(client, stream, receiver);

  const text = 'hello from Node';
  const reply = await call(client, 'SendText',
    { account: sender, toUserName: receiverWxId, content: text });
  console.log(`${sender}: SendText -> request id ${reply.ack.requestId}, ` +
    `${reply.ack.completion}`);
  const { event } = await stream.waitFor((m) => m.event && m.event.account === receiver &&
    m.event.text && m.event.text.text === text, 'the text to arrive');
  console.log(`${receiver}: received "${event.text.text}" from ` +
    `${event.text.header.fromUserName} (seq ${event.seq})`);
  stream.cancel();
  client.close();
}

main().then(() => process.exit(0), (error) => {
  const code = typeof error.code === 'number' ? `${grpc.status[error.code]}: ` : '';
  console.error(`ERROR: ${code}${error.details || error.message}`);
  process.exit(1);
});
