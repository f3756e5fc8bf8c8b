// Runs a rendered Zapier recipe the way Code by Zapier does: the code is the
// body of an async function that is given inputData and StoreClient, and
// whatever it returns (or leaves in `output`) is the step's output.
//
// Usage: node zapier_harness.js <recipe.js> < runs.json
// runs.json: {"store": {"<uuid>": {"key": value}}, "runs": [{"inputData": {...}}]}
// Prints a JSON array with one entry per run: the step's output, or
// {"thrown": message} when the code threw. Runs share one Storage, as the
// runs of one Zap do.
'use strict';

const fs = require('fs');

const code = fs.readFileSync(process.argv[2], 'utf8');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));

// Storage by Zapier, in memory, with its documented limits: keys under 32
// characters, JSON values under 2500 bytes, get() of a missing key is null.
const stores = input.store || {};
function StoreClient(secret) {
  if (typeof secret !== 'string' || secret === '') throw new Error('StoreClient needs a secret');
  const data = (stores[secret] = stores[secret] || {});
  const checkKey = (key) => {
    if (typeof key !== 'string' || key.length >= 32) throw new Error(`Storage key ${JSON.stringify(key)} is 32 characters or more`);
  };
  return {
    async get(key) {
      checkKey(key);
      return Object.prototype.hasOwnProperty.call(data, key) ? JSON.parse(JSON.stringify(data[key])) : null;
    },
    async set(key, value) {
      checkKey(key);
      const text = JSON.stringify(value);
      if (Buffer.byteLength(text) >= 2500) throw new Error(`Storage value of ${key} is ${Buffer.byteLength(text)} bytes`);
      data[key] = JSON.parse(text);
    },
  };
}

// Only built-in crypto is needed; anything else would not be there.
function sandboxRequire(name) {
  if (name !== 'crypto') throw new Error(`require(${JSON.stringify(name)}) is not available in this harness`);
  return require('crypto');
}

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const step = new AsyncFunction('inputData', 'StoreClient', 'require', `let output;\n${code}\nreturn output;`);

(async () => {
  const results = [];
  for (const run of input.runs) {
    // Zapier gives every Input Data value as a string.
    for (const [k, v] of Object.entries(run.inputData)) {
      if (typeof v !== 'string') throw new Error(`inputData.${k} is not a string`);
    }
    try {
      results.push(await step(Object.freeze({ ...run.inputData }), StoreClient, sandboxRequire));
    } catch (err) {
      results.push({ thrown: String(err && err.message) });
    }
  }
  process.stdout.write(JSON.stringify(results));
})();
