// Runs the blueprint of a rendered Make recipe the way Make runs a scenario
// behind a Custom webhook, so the tests exercise the recipe's own modules,
// filters and formulas rather than a copy of them.
//
// What it follows, and where from:
//   - Custom webhook with "Get request headers" and "JSON pass-through": the
//     body as text in `value`, headers as a list of {name, value} with
//     lower-case names in `__IMTHEADERS__`; an API key on the webhook makes
//     Make refuse a request without it in x-make-apikey before the scenario
//     runs (https://apps.make.com/gateway).
//   - Modules run in flow order; each module's output is mapped as
//     {{<id>.<field>}}. A router passes the bundle to every route whose
//     filter passes, in order, and to its fallback route when none does.
//     A filter is OR-groups of AND-conditions (help.make.com, "Router" and
//     "Filtering").
//   - Functions: first(), map(array; key; filter key; filter values),
//     sha256(text; encoding; key) (the HMAC when a key is given, a plain hash
//     without one), the variable `timestamp` (Unix seconds), + and -
//     (help.make.com, "Functions" pages).
//   - JSON > Parse JSON fails on text that is not JSON; a module's error
//     handler route runs then, and builtin:Ignore ends it without an error.
//     An error without a handler fails the run, and Make deactivates an
//     instant-trigger scenario at its first error: later requests are only
//     queued, answered 200 "Accepted" (help.make.com/webhooks).
//   - Webhook response sets the answer; a second one in a run is an error;
//     a run that ends without one is answered 200 "Accepted".
//   - Data stores: Get a record, Check the existence of a record,
//     Add/replace a record; a run can make every read (failReads) or write
//     (failWrites) fail, as a data store that is unavailable or full would.
//   - your:Modules stands for the customer's own modules: it does the work
//     (reported as `worked`) or, with failWork, fails as one of them would.
//
// Usage: node make_harness.js <recipe.txt> < input.json
// input.json: {"apiKey": "", "datastores": {"<name>": {"<key>": {...}}},
//              "runs": [{"headers": {...}, "bodyBase64": "...", "now": <unix s>}]}
// Prints one entry per run: {"status", "body", "error", "deactivated", "worked"}.
'use strict';

const crypto = require('crypto');
const fs = require('fs');

const text = fs.readFileSync(process.argv[2], 'utf8');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const begin = text.indexOf('BEGIN BLUEPRINT\n');
const end = text.indexOf('END BLUEPRINT');
if (begin < 0 || end < begin) throw new Error('the recipe has no blueprint');
const blueprint = JSON.parse(text.slice(begin + 'BEGIN BLUEPRINT\n'.length, end));
const datastores = input.datastores || {};

// ---- formulas ----------------------------------------------------------

function tokenize(src) {
  const tokens = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') s += src[j++];
      if (j >= src.length) throw new Error(`unterminated string in ${src}`);
      tokens.push({ t: 'str', v: s });
      i = j + 1;
    } else if ('();+-'.includes(c)) {
      tokens.push({ t: c });
      i++;
    } else {
      const m = /^[A-Za-z0-9_.]+/.exec(src.slice(i));
      if (!m) throw new Error(`unexpected ${c} in ${src}`);
      tokens.push(/^[0-9]+$/.test(m[0]) ? { t: 'num', v: Number(m[0]) } : { t: 'id', v: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

const functions = {
  first: (a) => (Array.isArray(a) && a.length > 0 ? a[0] : undefined),
  map: (arr, key, filterKey, filterValues) => {
    if (!Array.isArray(arr)) return [];
    const wanted = filterKey === undefined ? null : String(filterValues).split(',');
    return arr.filter((o) => wanted === null || (o && wanted.includes(String(o[filterKey])))).map((o) => (o ? o[key] : undefined));
  },
  sha256: (value, encoding, key) => {
    const data = Buffer.from(value === undefined || value === null ? '' : String(value), 'utf8');
    const h = key === undefined || key === null || key === '' ? crypto.createHash('sha256') : crypto.createHmac('sha256', Buffer.from(String(key), 'utf8'));
    return h.update(data).digest(encoding === 'base64' ? 'base64' : 'hex');
  },
};

function evaluate(src, ctx) {
  const tokens = tokenize(src);
  let p = 0;
  const peek = () => tokens[p];
  const take = (t) => {
    if (!tokens[p] || tokens[p].t !== t) throw new Error(`expected ${t} in ${src}`);
    return tokens[p++];
  };
  function primary() {
    const tok = tokens[p++];
    if (!tok) throw new Error(`unexpected end of ${src}`);
    if (tok.t === 'str' || tok.t === 'num') return tok.v;
    if (tok.t !== 'id') throw new Error(`unexpected ${tok.t} in ${src}`);
    if (peek() && peek().t === '(') {
      p++;
      const args = [];
      if (peek() && peek().t !== ')') {
        args.push(expr());
        while (peek() && peek().t === ';') {
          p++;
          args.push(expr());
        }
      }
      take(')');
      const f = functions[tok.v];
      if (!f) throw new Error(`the harness does not know the function ${tok.v}()`);
      return f(...args);
    }
    if (tok.v === 'timestamp') return ctx.now;
    const [head, ...rest] = tok.v.split('.');
    let v = ctx.outputs[head];
    for (const part of rest) v = v === undefined || v === null ? undefined : v[part];
    return v;
  }
  function expr() {
    let v = primary();
    while (peek() && (peek().t === '+' || peek().t === '-')) {
      const op = tokens[p++].t;
      const r = primary();
      v = op === '+' ? Number(v) + Number(r) : Number(v) - Number(r);
    }
    return v;
  }
  const v = expr();
  if (p !== tokens.length) throw new Error(`trailing tokens in ${src}`);
  return v;
}

// fill evaluates a mapped value: text with {{...}} parts, or one {{...}}
// alone, which keeps its type.
function fill(value, ctx) {
  if (typeof value !== 'string') {
    if (Array.isArray(value)) return value.map((v) => fill(v, ctx));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, ctx)]));
    return value;
  }
  const whole = /^\{\{([^{}]*)\}\}$/.exec(value);
  if (whole) return evaluate(whole[1], ctx);
  return value.replace(/\{\{([^{}]*)\}\}/g, (_, e) => {
    const v = evaluate(e, ctx);
    return v === undefined || v === null ? '' : String(v);
  });
}

const empty = (v) => v === undefined || v === null || v === '';
const operators = {
  exist: (a) => !empty(a),
  notexist: (a) => empty(a),
  'text:equal': (a, b) => String(empty(a) ? '' : a) === String(empty(b) ? '' : b),
  'text:notequal': (a, b) => String(empty(a) ? '' : a) !== String(empty(b) ? '' : b),
  'text:contain': (a, b) => !empty(a) && String(a).includes(String(empty(b) ? '' : b)),
  'number:greaterorequal': (a, b) => !empty(a) && !empty(b) && Number(a) >= Number(b),
  'number:lessorequal': (a, b) => !empty(a) && !empty(b) && Number(a) <= Number(b),
  'boolean:equal': (a, b) => String(a) === String(b),
};

function passes(filter, ctx) {
  if (!filter) return true;
  return filter.conditions.some((group) =>
    group.every((c) => {
      const op = operators[c.o];
      if (!op) throw new Error(`the harness does not know the filter operator ${c.o}`);
      return op(fill(c.a, ctx), c.b === undefined ? undefined : fill(c.b, ctx));
    }),
  );
}

// ---- modules -------------------------------------------------------------

class Ignored extends Error {}

function store(name) {
  datastores[name] = datastores[name] || {};
  return datastores[name];
}

function runModule(m, ctx) {
  const mapped = fill(m.mapper || {}, ctx);
  switch (m.module) {
    case 'gateway:CustomWebHook':
      return ctx.trigger;
    case 'datastore:GetRecord':
      if (ctx.failReads) throw new Error('the data store could not be read');
      return { ...(store(m.parameters.datastore)[mapped.key] || {}) };
    case 'datastore:ExistRecord':
      if (ctx.failReads) throw new Error('the data store could not be read');
      return { exist: Object.prototype.hasOwnProperty.call(store(m.parameters.datastore), String(mapped.key)) };
    case 'your:Modules':
      // The customer's own modules, which do the work of a ticket once.
      if (ctx.failWork) throw new Error('a module of yours failed');
      ctx.worked = true;
      return {};
    case 'datastore:AddRecord': {
      const s = store(m.parameters.datastore);
      if (empty(mapped.key)) throw new Error('a data store key is empty');
      if (!m.parameters.overwrite && Object.prototype.hasOwnProperty.call(s, mapped.key)) throw new Error('the record exists');
      if (ctx.failWrites) throw new Error('the data store is full');
      s[mapped.key] = mapped.data || {};
      return { key: mapped.key };
    }
    case 'util:SetVariables':
      return Object.fromEntries(mapped.variables.map((v) => [v.name, v.value]));
    case 'util:SetVariable2':
      return { [mapped.name]: mapped.value };
    case 'json:ParseJSON': {
      let v;
      try {
        v = JSON.parse(mapped.json);
      } catch (err) {
        throw new Error('Source is not valid JSON.');
      }
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
    }
    case 'gateway:WebhookRespond':
      if (ctx.response) throw new Error('a webhook response was already sent');
      ctx.response = { status: Number(mapped.status), body: mapped.body, headers: mapped.headers || [] };
      return {};
    case 'builtin:Ignore':
      throw new Ignored();
  }
  throw new Error(`the harness does not know the module ${m.module}`);
}

function runFlow(flow, ctx) {
  for (const m of flow) {
    if (m.module === 'builtin:BasicRouter') {
      let ran = false;
      for (const route of m.routes.filter((r) => !r.fallback)) {
        if (passes(route.flow[0].filter, ctx)) {
          ran = true;
          runRoute(route.flow, ctx);
        }
      }
      if (!ran) for (const route of m.routes.filter((r) => r.fallback)) runRoute(route.flow, ctx);
      return;
    }
    if (m.filter && !passes(m.filter, ctx)) return; // the bundle stops here
    try {
      ctx.outputs[m.id] = runModule(m, ctx);
    } catch (err) {
      if (err instanceof Ignored || !m.onerror) throw err;
      runRoute(m.onerror, ctx);
      throw new Ignored();
    }
  }
}

// runRoute runs a route whose first filter has passed; Ignore ends it.
function runRoute(flow, ctx) {
  const [first, ...rest] = flow;
  try {
    runFlow([{ ...first, filter: undefined }, ...rest], ctx);
  } catch (err) {
    if (!(err instanceof Ignored)) throw err;
  }
}

// ---- requests ------------------------------------------------------------

let deactivated = false;
const results = [];
for (const run of input.runs) {
  for (const name of Object.keys(run.headers)) {
    if (name !== name.toLowerCase()) throw new Error(`header ${name} is not lower-case as Make passes it`);
  }
  if (input.apiKey && run.headers['x-make-apikey'] !== input.apiKey) {
    results.push({ status: 401, body: 'Unauthorized', scenarioRan: false });
    continue;
  }
  if (deactivated) {
    results.push({ status: 200, body: 'Accepted', deactivated: true });
    continue;
  }
  const body = Buffer.from(run.bodyBase64, 'base64').toString('utf8');
  const ctx = {
    now: run.now,
    failWrites: !!run.failWrites,
    failReads: !!run.failReads,
    failWork: !!run.failWork,
    worked: false,
    outputs: {},
    trigger: { value: body, __IMTHEADERS__: Object.entries(run.headers).map(([name, value]) => ({ name, value })) },
    response: null,
  };
  try {
    runFlow(blueprint.flow, ctx);
  } catch (err) {
    if (!(err instanceof Ignored)) {
      deactivated = true;
      results.push({ error: String(err.message), deactivated: true, status: ctx.response ? ctx.response.status : 0 });
      continue;
    }
  }
  const r = ctx.response || { status: 200, body: 'Accepted' };
  results.push({ status: r.status, body: r.body, scenarioRan: true, worked: ctx.worked });
}
process.stdout.write(JSON.stringify(results));
