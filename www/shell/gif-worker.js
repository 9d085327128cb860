// The GIF encoder's worker: the separate gif-export wasm module (crate/gif-export: the gif crate
// with NeuQuant palettes), loaded here on the first GIF a reader asks for, never with the page.
// Messages in: { start: { width, height, speed } }, { frame: ArrayBuffer of RGBA, delay (1/100 s) },
// { finish: true }. Out: { ready }, { added: frames so far }, { gif: ArrayBuffer }, { error: text }.
let bindings = null;
let encoder = null;
let added = 0;

async function load() {
  if (!bindings) {
    const m = await import(new URL('../../gif-export.js', import.meta.url).href);
    await m.default({ module_or_path: new URL('../../gif-export_bg.wasm', import.meta.url) });
    bindings = m;
  }
  return bindings;
}

// one message at a time, in order (the first waits for the module to load)
let queue = Promise.resolve();
self.onmessage = ({ data }) => {
  queue = queue.then(async () => {
    try {
      if (data.start) {
        const { GifEncoder } = await load();
        encoder?.free();
        encoder = new GifEncoder(data.start.width, data.start.height, data.start.speed);
        added = 0;
        self.postMessage({ ready: true });
      } else if (data.frame) {
        if (!encoder) throw new Error('no GIF was started');
        encoder.addFrame(new Uint8Array(data.frame), data.delay);
        self.postMessage({ added: ++added });
      } else if (data.finish) {
        if (!encoder) throw new Error('no GIF was started');
        const bytes = encoder.finish();
        encoder.free();
        encoder = null;
        self.postMessage({ gif: bytes.buffer }, [bytes.buffer]);
      }
    } catch (e) {
      self.postMessage({ error: String(e?.message ?? e) });
    }
  });
};
