// Starts figures as the reader comes near them, not all at load: a figure mounts when it comes
// within a screen of the viewport (or at once when a link names it), one figure at a time, the
// nearest first, each mount in slices that run in the animation loop's slots (loop.js: one slice
// per frame, right after it), so that no task of the load is long and no frame adds a mount's
// work to the figures' frames.
import { slot } from './loop.js';

/** The distance in pixels from `host` to the viewport (0 when it is in view). */
function distance(host) {
  const r = host.getBoundingClientRect();
  if (r.bottom < 0) return -r.bottom;
  if (r.top > innerHeight) return r.top - innerHeight;
  return 0;
}

/**
 * Mounts each of `hosts` with `mount(host)` (async) when it comes within `margin` of the viewport
 * (an IntersectionObserver rootMargin: one screen above and below by default); the hosts in `first`
 * (a link's targets) mount at once, before any other. A host is marked data-cfg-mounted when its
 * mount starts; one that already carries the mark is left alone. Returns a promise that resolves
 * when the hosts near the viewport at the start, and those in `first`, have mounted.
 */
export function mountNear(hosts, mount, { first = [], margin = '100% 0px' } = {}) {
  const near = new Set(first.filter((h) => !h.dataset.cfgMounted));
  const urgent = new Set(near);
  let initial = null; // the hosts cfgReady waits for, known after the observer's first report
  let reportInitial;
  const ready = new Promise((resolve) => {
    reportInitial = resolve;
  });
  let current = null; // the host being mounted
  // (a host of the start that the reader scrolled away from before its turn is not waited for)
  const checkInitial = () => {
    if (initial && [...initial].every((h) => h !== current && !near.has(h))) reportInitial();
  };
  let draining = false;

  async function drain() {
    if (draining) return;
    draining = true;
    for (;;) {
      // each mount starts in a slot of its own (the first too: not inside the observer's report)
      if (near.size) await slot();
      // the link's targets first, then the host nearest the viewport
      let next = null;
      let best = Infinity;
      for (const h of near) {
        const d = urgent.has(h) ? -1 : distance(h);
        if (d < best) {
          best = d;
          next = h;
        }
      }
      if (!next) break;
      near.delete(next);
      urgent.delete(next);
      observer.unobserve(next);
      if (next.dataset.cfgMounted) continue;
      next.dataset.cfgMounted = '1';
      current = next;
      try {
        if (!(await mount(next))) next.dataset.cfgFailed = '1';
      } catch (e) {
        console.error(e);
        next.dataset.cfgFailed = '1';
      }
      current = null;
      checkInitial();
    }
    draining = false;
    checkInitial();
  }

  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (e.isIntersecting && !e.target.dataset.cfgMounted) near.add(e.target);
        // a host the reader passed by before its turn waits until they come back
        else if (!urgent.has(e.target)) near.delete(e.target);
      }
      if (!initial) initial = new Set(near);
      checkInitial();
      drain();
    },
    { rootMargin: margin },
  );
  for (const h of hosts) if (!h.dataset.cfgMounted) observer.observe(h);
  if (!hosts.some((h) => !h.dataset.cfgMounted)) reportInitial();
  return ready;
}
