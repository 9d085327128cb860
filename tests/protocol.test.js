// The worker protocol (www/lib/rpc.js) between a client and a served handler table, connected
// through a stand-in Worker that passes structured clones both ways, as the browser does:
// results, errors with their fields, unknown requests, progress, cancellation of a long request
// (the handler stops, its late progress is dropped), a failing worker and termination.
// No build needed: this imports the sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerClient, serve, pause, transferred } from '../www/lib/rpc.js';

/** A Worker stand-in whose other end is `serve(handlers)` in this thread. */
function connect(handlers) {
  const scope = { postMessage: null, onmessage: null };
  let page = null;
  globalThis.Worker = class {
    constructor() {
      page = this;
      this.terminated = false;
      scope.postMessage = (m, transfer) => {
        const copy = structuredClone(m, { transfer });
        setTimeout(() => !this.terminated && this.onmessage?.({ data: copy }), 0);
      };
    }
    postMessage(m, transfer = []) {
      const copy = structuredClone(m, { transfer });
      setTimeout(() => !this.terminated && scope.onmessage?.({ data: copy }), 0);
    }
    terminate() {
      this.terminated = true;
    }
  };
  serve(handlers, scope);
  const client = new WorkerClient('stand-in');
  return { client, page: () => page };
}

test('results, errors with their fields, and unknown requests', async () => {
  const { client } = connect({
    add: ({ a, b }) => a + b,
    later: async ({ x }) => {
      await pause();
      return { x };
    },
    fails: () => {
      throw Object.assign(new Error('diverged (loss NaN)'), { step: 42 });
    },
    bytes: () => {
      const v = new Float64Array([1, 2, 3]);
      return transferred(v, [v.buffer]);
    },
  });
  assert.equal(await client.call('add', { a: 2, b: 3 }), 5);
  assert.deepEqual(await client.call('later', { x: [1, 'a'] }), { x: [1, 'a'] });
  assert.deepEqual([...(await client.call('bytes'))], [1, 2, 3]);
  await assert.rejects(
    client.call('fails'),
    (e) => e.message === 'diverged (loss NaN)' && e.step === 42 && !e.cancelled,
  );
  await assert.rejects(client.call('nope'), /unknown request 'nope'/);
  await assert.rejects(client.call('toString'), /unknown request 'toString'/);
  assert.equal(client.busy, false);
});

test('progress arrives before the result; a cancelled request stops and drops its progress', async () => {
  let stopped = null;
  const { client } = connect({
    count: async ({ n }, ctx) => {
      for (let i = 0; i < n; i++) {
        if (ctx.cancelled) {
          stopped = i;
          return 'stopped';
        }
        ctx.progress(i);
        await pause();
      }
      return 'all';
    },
  });
  const seen = [];
  assert.equal(await client.call('count', { n: 5 }, { onProgress: (p) => seen.push(p) }), 'all');
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);

  const late = [];
  const long = client.call('count', { n: 1e9 }, { onProgress: (p) => late.push(p) });
  while (late.length < 3) await new Promise((r) => setTimeout(r, 1));
  client.cancel(long);
  await assert.rejects(long, (e) => e.cancelled === true);
  const at = late.length;
  // the handler sees the cancellation and stops; nothing more reaches the page
  while (stopped === null) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(late.length, at);
  assert.ok(stopped >= 3 && stopped < 1e9);
  // other requests go on
  assert.equal(await client.call('count', { n: 1 }), 'all');
});

test('a terminated client and a failing worker reject what is pending', async () => {
  const { client, page } = connect({ wait: () => new Promise(() => {}) });
  const a = client.call('wait');
  client.terminate();
  await assert.rejects(a, (e) => e.cancelled === true);
  await assert.rejects(client.call('wait'), (e) => e.cancelled === true);

  const failed = [];
  const second = connect({ wait: () => new Promise(() => {}) });
  second.client.onFail = (m) => failed.push(m);
  const b = second.client.call('wait');
  second.page().onerror({ message: 'SyntaxError in worker' });
  await assert.rejects(b, /SyntaxError in worker/);
  assert.deepEqual(failed, ['SyntaxError in worker']);
  assert.ok(page());
});
