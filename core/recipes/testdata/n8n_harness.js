// Runs a rendered n8n recipe the way a Code node (JavaScript, Run Once for
// All Items) runs it behind a Webhook node with Raw Body on, in the runtimes
// n8n has, and answers the request the way the recipe's Switch and Respond
// to Webhook nodes do.
//
// What it reproduces, and where each part comes from:
//   - The code runs in a vm context as the body of
//     `module.exports = async function VmCodeWrapper() {...}()`, as n8n's
//     task runner wraps it (packages/@n8n/task-runner/src/js-task-runner/
//     js-task-runner.ts); `this` is the context, which carries `helpers`
//     with getBinaryDataBuffer (EXPOSED_RPC_METHODS in runner-types.ts).
//   - The Webhook node hands over headers with lower-case names in
//     item.json.headers and, with Raw Body, the request bytes as the binary
//     property "data" (docs.n8n.io, Webhook node).
//   - require: built-in modules only when allowed (NODE_FUNCTION_ALLOW_BUILTIN;
//     the n8nio/runners image allows crypto in n8n-task-runners.json, n8n
//     issue #28639); anything else throws "Cannot find module".
//   - $env: readable on 1.x unless N8N_BLOCK_ENV_ACCESS_IN_NODE=true; denied
//     by default from 2.0 (https://docs.n8n.io/release-notes/v20-breaking-changes,
//     "Block environment variable access from Code node by default", the
//     page docs/recipes.md cites; n8n's own 2.x migration rule
//     process-env-access links that section under an older address) and
//     on Cloud; always
//     denied in an external runner. Denied access throws "access to env
//     vars denied", as n8n's env provider does.
//   - $vars: only where the plan has Variables; otherwise it is empty.
//   - $getWorkflowStaticData('global'): shared by the runs of the workflow,
//     and saved only when a run ends without an error.
//
// Usage: node n8n_harness.js <recipe.js> < runs.json
// runs.json: {"runs": [{"headers": {...}, "bodyBase64": "...",
//             "runtime": "1.x" | "2.x-internal" | "2.x-external" | "cloud",
//             "allowBuiltin": "crypto", "blockEnv": false, "env": {...},
//             "vars": {...}, "workflowSecret": "..."}]}
// Prints one entry per run: {"items": [...], "status": n, "body": {...}},
// or {"thrown": message}.
'use strict';

const fs = require('fs');
const vm = require('vm');

const recipe = fs.readFileSync(process.argv[2], 'utf8');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const SECRET_LINE = "const WORKFLOW_SECRET = '';";
if (!recipe.includes(SECRET_LINE)) throw new Error(`the recipe has no line ${SECRET_LINE}`);

let staticData = {};
const runtimes = {
  '1.x': { envDeniedByDefault: false, externalRunner: false },
  '2.x-internal': { envDeniedByDefault: true, externalRunner: false },
  '2.x-external': { envDeniedByDefault: true, externalRunner: true },
  cloud: { envDeniedByDefault: true, externalRunner: false },
};

function envProvider(run, rt) {
  const blocked = rt.externalRunner || (run.blockEnv !== undefined ? run.blockEnv : rt.envDeniedByDefault);
  const env = run.env || {};
  return new Proxy(
    {},
    {
      get(_, name) {
        if (blocked) throw new Error('access to env vars denied');
        return env[name];
      },
    },
  );
}

function requireFor(run, rt) {
  const allowed = (run.allowBuiltin !== undefined ? run.allowBuiltin : rt.externalRunner ? 'crypto' : '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return (name) => {
    if (!(allowed.includes('*') || allowed.includes(name))) throw new Error(`Cannot find module '${name}'`);
    return require(name);
  };
}

(async () => {
  const results = [];
  for (const run of input.runs) {
    const rt = runtimes[run.runtime || '1.x'];
    if (!rt) throw new Error(`unknown runtime ${run.runtime}`);
    for (const name of Object.keys(run.headers)) {
      if (name !== name.toLowerCase()) throw new Error(`header ${name} is not lower-case as n8n passes it`);
    }
    const raw = Buffer.from(run.bodyBase64, 'base64');
    const item = {
      json: { headers: run.headers, params: {}, query: {}, body: {} },
      binary: { data: { data: raw.toString('base64'), mimeType: 'application/json' } },
    };
    const before = JSON.stringify(staticData);
    const context = vm.createContext({
      require: requireFor(run, rt),
      module: {},
      console,
      Buffer,
      items: [item],
      $input: { first: () => item, last: () => item, all: () => [item], item },
      $env: envProvider(run, rt),
      $vars: { ...(run.vars || {}) },
      $getWorkflowStaticData: (type) => {
        if (type !== 'global') throw new Error(`static data type ${JSON.stringify(type)}`);
        return staticData;
      },
      helpers: {
        async getBinaryDataBuffer(itemIndex, propertyName) {
          if (itemIndex !== 0 || propertyName !== 'data') {
            throw new Error(`getBinaryDataBuffer(${itemIndex}, ${propertyName}): no such binary data`);
          }
          return Buffer.from(raw);
        },
      },
    });
    const code = recipe.replace(SECRET_LINE, `const WORKFLOW_SECRET = ${JSON.stringify(run.workflowSecret || '')};`);
    try {
      const out = await vm.runInContext(`globalThis.global = globalThis; module.exports = async function VmCodeWrapper() {${code}\n}()`, context);
      if (!Array.isArray(out) || out.length !== 1 || !out[0] || typeof out[0].json !== 'object') {
        throw new Error('the recipe must return one item [{json: {...}}]');
      }
      const j = JSON.parse(JSON.stringify(out[0].json));
      // The Switch: "accepted" goes to your nodes, then Respond to Webhook
      // 200 {"status":"accepted"}; everything else to one Respond to Webhook
      // with Response Code {{ $json.response_code }} and Response Body
      // {{ JSON.stringify($json.response) }}.
      const accepted = j.outcome === 'accepted';
      results.push({ items: [{ json: j }], status: accepted ? 200 : j.response_code, body: accepted ? { status: 'accepted' } : j.response });
    } catch (err) {
      staticData = JSON.parse(before); // n8n keeps static data only from runs that succeed
      results.push({ thrown: String(err && err.message) });
    }
  }
  process.stdout.write(JSON.stringify(results));
})();
