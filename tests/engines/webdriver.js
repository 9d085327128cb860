// WebKit (Safari's engine) for the page tests: Debian's WebKitGTK MiniBrowser, driven by
// WebKitWebDriver over classic WebDriver (W3C, JSON over HTTP: Node's fetch is the whole client),
// on a virtual display of its own (Xvfb picks a free one: MiniBrowser's --headless does not work
// here, and without a display the session fails). Everything listens on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';

/** WebKitGTK's MiniBrowser (Debian ships it in the multiarch folder, /usr/lib/<arch>/webkit2gtk-4.1/). */
export const MINIBROWSER =
  process.env.MINIBROWSER ??
  (() => {
    const dirs = fs.existsSync('/usr/lib') ? fs.readdirSync('/usr/lib') : [];
    return (
      dirs.map((d) => `/usr/lib/${d}/webkit2gtk-4.1/MiniBrowser`).find((f) => fs.existsSync(f)) ??
      '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'
    );
  })();
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'; // the W3C key of an element reference

/** A free TCP port of 127.0.0.1 (the driver takes it right after; nothing else here races for it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net
      .createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
  });
}

/** Waits for `ready()` to hold (polling every 100 ms), or throws `what` after `timeout` ms. */
async function until(ready, what, timeout) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what} within ${timeout / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts Xvfb on a free display (it reports the number it took); resolves with {display, proc}. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x2600x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let out = '';
    proc.stderr.on('data', (d) => {
      err += d;
    });
    proc.once('error', (e) => reject(new Error(`Xvfb could not start (${e.message}): install xvfb`)));
    proc.once('exit', (code) =>
      reject(new Error(`Xvfb exited with ${code}: ${err.trim().split('\n').at(-1) ?? ''}`)),
    );
    proc.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ display: `:${out.trim()}`, proc });
    });
  });
}

/**
 * A WebDriver session of MiniBrowser under Xvfb. `session.cmd(method, path, body)` sends one
 * command of the session (path relative to it) and returns its value, or throws the driver's error
 * in one line; `close()` ends the session, the driver and the display.
 */
export async function startWebKit({ timeout = 60000 } = {}) {
  for (const f of ['/usr/bin/WebKitWebDriver', MINIBROWSER]) {
    if (!fs.existsSync(f))
      throw new Error(`${f} is missing: install Debian's webkit2gtk-driver (scripts/setup.sh does)`);
  }
  const procs = [];
  const close = async () => {
    for (const p of procs.reverse()) if (p.exitCode === null) p.kill('SIGTERM');
  };
  try {
    const x = await startXvfb();
    procs.push(x.proc);
    const port = await freePort();
    const driver = spawn('WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], {
      stdio: 'ignore',
      env: { ...process.env, DISPLAY: x.display },
    });
    procs.push(driver);
    const base = `http://127.0.0.1:${port}`;
    const call = async (method, path, body) => {
      const res = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await res
        .json()
        .catch(() => ({ value: { error: `HTTP ${res.status}`, message: 'not JSON' } }));
      if (!res.ok || json.value?.error)
        throw new Error(
          `WebDriver ${method} ${path}: ${json.value?.error}: ${String(json.value?.message ?? '').split('\n')[0]}`,
        );
      return json.value;
    };
    await until(
      async () => (await call('GET', '/status')).ready !== false,
      'WebKitWebDriver did not answer',
      timeout,
    );
    const { sessionId } = await call('POST', '/session', {
      capabilities: {
        alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } },
      },
    });
    const cmd = (method, path, body) => call(method, `/session/${sessionId}${path}`, body);
    // scripts may wait for a page state (an import, a worker's answer): a minute at most
    await cmd('POST', '/timeouts', { script: 60000, pageLoad: 120000 });
    return {
      display: x.display,
      cmd,
      /** The reference of the first element matching CSS `selector`. */
      async element(selector) {
        const ref = await cmd('POST', '/element', { using: 'css selector', value: selector });
        const id = ref?.[ELEMENT];
        if (!id) throw new Error(`WebDriver: no element reference for ${selector} in ${JSON.stringify(ref)}`);
        return id;
      },
      async close() {
        await cmd('DELETE', '').catch(() => {});
        await close();
      },
    };
  } catch (e) {
    await close();
    throw e;
  }
}
