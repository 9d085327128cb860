// Loads the wasm build this browser runs best, once per page or worker: the relaxed-SIMD
// variant (fused multiply-add) where WebAssembly.validate accepts a relaxed-SIMD instruction,
// else the plain-SIMD one. Paths are relative to this file, so any sub-path works.

// A module with one function (v128, v128, v128) -> v128 whose body is f32x4.relaxed_madd
// (opcode 0xfd 0x105): it validates exactly where relaxed SIMD is supported.
const RELAXED_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version 1
  0x01,
  0x08,
  0x01,
  0x60,
  0x03,
  0x7b,
  0x7b,
  0x7b,
  0x01,
  0x7b, // types: (v128 v128 v128) -> v128
  0x03,
  0x02,
  0x01,
  0x00, // functions: one, of type 0
  0x0a,
  0x0d,
  0x01,
  0x0b,
  0x00,
  0x20,
  0x00,
  0x20,
  0x01,
  0x20,
  0x02,
  0xfd,
  0x85,
  0x02,
  0x0b, // code
]);

/** Whether this browser runs the relaxed-SIMD build. */
export const relaxedSimd = (() => {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
})();

/** The build's name: "relaxed-simd" or "simd128". */
export const variant = relaxedSimd ? 'relaxed-simd' : 'simd128';

let ready = null;
let compiled = null;

/** The build's two files, relative to this file (any sub-path works). */
function files() {
  const name = relaxedSimd ? 'cfg-playground-relaxed' : 'cfg-playground';
  return {
    js: new URL(`../../${name}.js`, import.meta.url).href,
    wasm: new URL(`../../${name}_bg.wasm`, import.meta.url),
  };
}

/**
 * The build's compiled WebAssembly.Module, compiled once per page (the worker pool posts it to
 * its workers, which instantiate it without compiling again).
 */
export function wasmModule() {
  if (!compiled) {
    const url = files().wasm;
    compiled = (async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`the wasm build could not be loaded (${response.status})`);
      // compileStreaming needs the application/wasm type; a host that serves another gets the
      // plain compile
      if (WebAssembly.compileStreaming && response.headers.get('content-type') === 'application/wasm')
        return WebAssembly.compileStreaming(response);
      return WebAssembly.compile(await response.arrayBuffer());
    })();
  }
  return compiled;
}

/**
 * Makes `module` (a compiled WebAssembly.Module of this build, posted by the page) the one the
 * bindings instantiate: a pool worker calls it before loadBindings, and compiles nothing.
 */
export function useModule(module) {
  if (!(module instanceof WebAssembly.Module)) throw new Error('not a compiled WebAssembly module');
  compiled ??= Promise.resolve(module);
}

/** The initialised bindings (Model, Trainer, Flow, Painter, datasets(), ...). */
export function loadBindings() {
  if (!ready) {
    const { js } = files();
    ready = Promise.all([import(js), wasmModule()]).then(async ([m, module]) => {
      await m.default({ module_or_path: module });
      return m;
    });
  }
  return ready;
}
