// Runs a rendered n8n recipe the way a Code node (JavaScript, Run Once for
// All Items) does: the code is the body of an async function whose `this`
// carries helpers.getBinaryDataBuffer, with $input, $env, $vars and
// $getWorkflowStaticData in scope and require limited to crypto (as with
// NODE_FUNCTION_ALLOW_BUILTIN=crypto).
//
// Usage: node n8n_harness.js <recipe.js> < runs.json
// runs.json: {"runs": [{"headers": {...}, "bodyBase64": "...", "env": {...},
//             "vars": {...}, "envBlocked": false}]}
// Headers are passed as the Webhook node passes them: lower-case names.
// With the Raw Body option the raw request is the item's binary property
// "data". Prints a JSON array with each run's returned items, or
// {"thrown": message}. Runs share the workflow's global static data.
'use strict';

const fs = require('fs');

const code = fs.readFileSync(process.argv[2], 'utf8');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));

const staticData = {};
function $getWorkflowStaticData(type) {
  if (type !== 'global') throw new Error(`static data type ${JSON.stringify(type)}`);
  return staticData;
}

function sandboxRequire(name) {
  if (name !== 'crypto') throw new Error(`Cannot find module '${name}' [not in NODE_FUNCTION_ALLOW_BUILTIN]`);
  return require('crypto');
}

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const node = new AsyncFunction('$input', '$env', '$vars', '$getWorkflowStaticData', 'require', code);

(async () => {
  const results = [];
  for (const run of input.runs) {
    for (const name of Object.keys(run.headers)) {
      if (name !== name.toLowerCase()) throw new Error(`header ${name} is not lower-case as n8n passes it`);
    }
    const raw = Buffer.from(run.bodyBase64, 'base64');
    const item = {
      json: { headers: run.headers, params: {}, query: {}, body: {} },
      binary: { data: { data: raw.toString('base64'), mimeType: 'application/json' } },
    };
    const $input = { first: () => item, last: () => item, all: () => [item], item };
    const helpers = {
      async getBinaryDataBuffer(itemIndex, propertyName) {
        if (itemIndex !== 0 || propertyName !== 'data') {
          throw new Error(`getBinaryDataBuffer(${itemIndex}, ${propertyName}): no such binary data`);
        }
        return Buffer.from(raw);
      },
    };
    const env = run.envBlocked
      ? new Proxy({}, { get() { throw new Error('access to env vars denied'); } })
      : { ...(run.env || {}) };
    try {
      const out = await node.call({ helpers }, $input, env, { ...(run.vars || {}) }, $getWorkflowStaticData, sandboxRequire);
      if (!Array.isArray(out) || out.some((i) => !i || typeof i.json !== 'object')) {
        throw new Error('a Code node in "Run Once for All Items" mode must return [{json: {...}}]');
      }
      results.push(out);
    } catch (err) {
      results.push({ thrown: String(err && err.message) });
    }
  }
  process.stdout.write(JSON.stringify(results));
})();
