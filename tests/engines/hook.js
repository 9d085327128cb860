// Loaded first by the page that tests/engines/ serves (drivers.js): records into window.__errors
// what would reach a reader's console as an error, in any engine: uncaught errors, unhandled
// rejections, resources that failed to load, and console.error.
(() => {
  const errors = [];
  window.__errors = errors;
  const text = (x) => (x instanceof Error ? `${x.name}: ${x.message}` : String(x));
  addEventListener(
    'error',
    (e) => {
      const t = e.target;
      if (t && t !== window)
        errors.push(`failed to load: <${t.tagName?.toLowerCase()}> ${t.src || t.href || ''}`);
      // the spec's notice that a resize observation is delivered in the next frame (a figure's layout
      // resized what its ResizeObserver watches): not an exception, and no reader sees it; Chromium
      // does not report it to the page tests either. TODO: lay out outside the observer's callback
      // without the layout shift that moving it into the next frame caused at 390 px.
      else if (/^ResizeObserver loop/.test(e.message)) return;
      else
        errors.push(
          `uncaught: ${text(e.error ?? e.message)}${e.filename ? ` (${e.filename}:${e.lineno})` : ''}`,
        );
    },
    true,
  );
  addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${text(e.reason)}`));
  const consoleError = console.error.bind(console);
  console.error = (...args) => {
    errors.push(`console.error: ${args.map(text).join(' ')}`);
    consoleError(...args);
  };
})();
