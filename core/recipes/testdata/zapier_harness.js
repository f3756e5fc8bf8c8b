// Runs a rendered Zapier recipe the way Code by Zapier runs a "Run
// Javascript" step, on a simulated clock, so that hundreds of deliveries
// at a real pace and overlapping runs take milliseconds.
//
// What it reproduces, and the page each part follows:
//   - The code is the body of an async function given inputData (every value
//     a string) and StoreClient; what it returns (or leaves in `output`) is
//     the step's output, and a throw ends the run in an error. Zapier runs
//     it on Node 18; this harness runs it on whichever node is installed,
//     in a vm context of its own.
//   - StoreClient, promise-based, with its documented limits enforced by
//     throwing: a UUID4 secret, keys under 32 characters, JSON values under
//     2500 bytes, 500 keys per secret, get() of a missing key is null,
//     getMany/deleteMany taking arguments, an array or an object; no
//     transactions. https://help.zapier.com/hc/en-us/articles/8496293969549
//   - Runs overlap: every Storage call takes a latency drawn from
//     [latencyMs[0], latencyMs[1]] (seeded), and applies when it completes,
//     so two runs that read before either writes see the same value.
//   - Code steps are throttled to 225 runs per 10 s; a run over the limit
//     is held until the limit frees, and a run may be held longer on purpose
//     ("hold", seconds), as Zapier holds and replays runs.
//     https://help.zapier.com/hc/en-us/articles/29971850476173
//   - Date.now() and new Date() read the simulated clock.
//   - "Keys will expire if you do not touch them in 3 months": a key not
//     written for 90 days is gone. Only a write counts as a touch here (the
//     page does not say a read does). The keys of "store" were last written
//     at "storeTouchedMs" (default: the start).
//
// Usage: node zapier_harness.js <recipe.js> < input.json
// input.json: {"startMs": <unix ms>, "latencyMs": [min, max], "seed": n,
//              "store": {"<uuid>": {"key": value}}, "storeTouchedMs": <unix ms>,
//              "runs": [{"inputData": {...}, "at": <unix s, optional>,
//                        "hold": <s, optional>}]}
// A run without "at" starts when the run before it has finished (cases that
// depend on each other); with "at" it starts then (plus hold), whatever
// else is running. Prints {"results": [...], "stats": {...}}: one entry per
// run in input order, the step's output or {"thrown": message}.
'use strict';

const fs = require('fs');
const vm = require('vm');

const code = fs.readFileSync(process.argv[2], 'utf8');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));

const STORE_MAX_KEYS = 500;
const KEY_MAX = 31;
const VALUE_MAX_BYTES = 2499;
const CODE_RUNS_PER_WINDOW = 225;
const CODE_WINDOW_MS = 10000;
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

// The simulated clock and its event queue.
let nowMs = input.startMs || Date.now();
let seq = 0;
const events = [];
function at(ms, fn) {
  events.push({ ms: Math.max(ms, nowMs), seq: seq++, fn });
  events.sort((a, b) => a.ms - b.ms || a.seq - b.seq);
}

// A small seeded generator, so a failing run can be repeated.
let seed = (input.seed || 1) >>> 0;
function random() {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 4294967296;
}
const [latMin, latMax] = input.latencyMs || [0, 0];
const latency = () => latMin + random() * (latMax - latMin);

const stats = { storageCalls: 0, maxKeys: 0, maxValueBytes: 0, maxOverlap: 0, heldByThrottle: 0 };

// Storage by Zapier, one map per secret, and when each key was written.
const stores = input.store || {};
const EXPIRE_MS = 90 * 86400 * 1000;
const touched = {};
for (const [secret, data] of Object.entries(stores)) {
  touched[secret] = Object.fromEntries(Object.keys(data).map((k) => [k, input.storeTouchedMs || nowMs]));
}
function StoreClient(secret) {
  if (typeof secret !== 'string' || !UUID4.test(secret)) throw new Error('StoreClient: the secret must be a UUID4');
  const data = (stores[secret] = stores[secret] || {});
  const writtenAt = (touched[secret] = touched[secret] || {});
  const expire = () => {
    for (const k of Object.keys(data)) {
      if (nowMs - (writtenAt[k] || 0) > EXPIRE_MS) {
        delete data[k];
        delete writtenAt[k];
      }
    }
  };
  const checkKey = (key) => {
    if (typeof key !== 'string' || key === '') throw new Error('StoreClient: keys must be non-empty strings');
    if (key.length > KEY_MAX) throw new Error(`StoreClient: key ${JSON.stringify(key)} is not less than 32 characters`);
  };
  const encode = (key, value) => {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error(`StoreClient: the value of ${key} is not JSON serializable`);
    const bytes = Buffer.byteLength(text);
    if (bytes > VALUE_MAX_BYTES) throw new Error(`StoreClient: the value of ${key} is ${bytes} bytes, not less than 2500`);
    return { text, bytes };
  };
  const keyList = (args) => {
    const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args.length === 1 && args[0] && typeof args[0] === 'object' ? Object.keys(args[0]) : args;
    list.forEach(checkKey);
    return list;
  };
  // op runs apply when the call completes, after its latency.
  const op = (apply) =>
    new Promise((resolve, reject) => {
      stats.storageCalls++;
      at(nowMs + latency(), () => {
        try {
          expire();
          resolve(apply());
        } catch (err) {
          reject(err);
        }
      });
    });
  const put = (entries) => {
    const fresh = entries.filter(([k]) => !Object.prototype.hasOwnProperty.call(data, k)).length;
    if (Object.keys(data).length + fresh > STORE_MAX_KEYS) throw new Error('StoreClient: only 500 keys may be saved per secret');
    for (const [k, e] of entries) {
      data[k] = JSON.parse(e.text);
      writtenAt[k] = nowMs;
      stats.maxValueBytes = Math.max(stats.maxValueBytes, e.bytes);
    }
    stats.maxKeys = Math.max(stats.maxKeys, Object.keys(data).length);
  };
  const read = (k) => (Object.prototype.hasOwnProperty.call(data, k) ? JSON.parse(JSON.stringify(data[k])) : null);
  return {
    get(key) {
      checkKey(key);
      return op(() => read(key));
    },
    getMany(...args) {
      const keys = keyList(args);
      return op(() => Object.fromEntries(keys.map((k) => [k, read(k)])));
    },
    set(key, value) {
      checkKey(key);
      const e = encode(key, value);
      return op(() => put([[key, e]]));
    },
    setMany(obj) {
      const entries = Object.entries(obj || {}).map(([k, v]) => (checkKey(k), [k, encode(k, v)]));
      return op(() => put(entries));
    },
    delete(key) {
      checkKey(key);
      return op(() => void delete data[key]);
    },
    deleteMany(...args) {
      const keys = keyList(args);
      return op(() => keys.forEach((k) => delete data[k]));
    },
    clear() {
      return op(() => Object.keys(data).forEach((k) => delete data[k]));
    },
  };
}

// Only built-in crypto is needed; anything else would not be there.
function sandboxRequire(name) {
  if (name !== 'crypto') throw new Error(`require(${JSON.stringify(name)}) is not available in this harness`);
  return require('crypto');
}

class SimDate extends Date {
  constructor(...args) {
    if (args.length === 0) super(nowMs);
    else super(...args);
  }
  static now() {
    return Math.floor(nowMs);
  }
}
const context = vm.createContext({ Buffer, console, Date: SimDate });
const step = vm.runInContext(`(async function (inputData, StoreClient, require) {\nlet output;\n${code}\nreturn output;\n})`, context, {
  filename: 'zapier-code-step.js',
});

const results = new Array(input.runs.length);
const codeStarts = [];
let running = 0;
let finished = 0;

function start(i) {
  // The Code step throttle: a run over the limit waits for the window.
  const windowStart = nowMs - CODE_WINDOW_MS;
  while (codeStarts.length > 0 && codeStarts[0] <= windowStart) codeStarts.shift();
  if (codeStarts.length >= CODE_RUNS_PER_WINDOW) {
    stats.heldByThrottle++;
    at(codeStarts[0] + CODE_WINDOW_MS, () => start(i));
    return;
  }
  codeStarts.push(nowMs);
  const run = input.runs[i];
  for (const [k, v] of Object.entries(run.inputData)) {
    if (typeof v !== 'string') throw new Error(`run ${i}: inputData.${k} is not a string`);
  }
  running++;
  stats.maxOverlap = Math.max(stats.maxOverlap, running);
  let promise;
  try {
    promise = step(Object.freeze({ ...run.inputData }), StoreClient, sandboxRequire);
  } catch (err) {
    promise = Promise.reject(err);
  }
  promise.then(
    (out) => done(i, out === undefined ? { thrown: 'the step returned nothing' } : out),
    (err) => done(i, { thrown: String(err && err.message) }),
  );
}

function done(i, out) {
  results[i] = out;
  running--;
  finished++;
  // The next run without a time of its own follows this one.
  const next = i + 1;
  if (next < input.runs.length && input.runs[next].at === undefined) schedule(next);
}

function schedule(i) {
  const run = input.runs[i];
  const base = run.at === undefined ? nowMs : run.at * 1000;
  at(base + (run.hold || 0) * 1000, () => start(i));
}

input.runs.forEach((run, i) => {
  if (run.at !== undefined || i === 0) schedule(i);
});

(async () => {
  while (events.length > 0) {
    const e = events.shift();
    nowMs = e.ms;
    e.fn();
    // Let every promise chain run until it waits on Storage again.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (finished !== input.runs.length) throw new Error(`${input.runs.length - finished} runs never finished`);
  process.stdout.write(JSON.stringify({ results, stats }));
})();
