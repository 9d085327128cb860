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
