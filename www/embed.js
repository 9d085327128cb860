// Embeds cfg-playground figures in any page:
//   <div data-cfg-figure="cfg-grid" data-dataset="overlapping" data-hide="seed,solver"></div>
//   <script type="module" src="https://.../www/embed.js"></script>
// Every data-* attribute (other than data-cfg-figure and data-hide) sets the figure's setting of
// that name (data-train-steps sets trainSteps). Bad values fall back to the default with a
// console warning naming the setting. data-hide lists controls to hide, and also takes
// "train" (the training panel) and "export" (the PNG, Model and Load buttons). data-model="URL"
// starts the figure on that model file, data-points="URL" opens a points file as draw-your-own's
// drawing (www/shell/load.js; relative to the host page).
// Each figure mounts when the reader comes within a screen of it (www/shell/lazy.js); mountAll()
// mounts every figure at once.
import { mountFigure } from './shell/figure.js';
import { mountNear } from './shell/lazy.js';

/** Figure id → module, in the post's order. */
export const FIGURES = {
  hero: () => import('./figures/hero/index.js'),
  'unconditional-flow': () => import('./figures/unconditional-flow/index.js'),
  'forward-pass': () => import('./figures/forward-pass/index.js'),
  'euler-steps': () => import('./figures/euler-steps/index.js'),
  'velocity-field': () => import('./figures/velocity-field/index.js'),
  'classifier-guidance': () => import('./figures/classifier-guidance/index.js'),
  'conditional-face': () => import('./figures/conditional-face/index.js'),
  'cfg-grid': () => import('./figures/cfg-grid/index.js'),
  'probability-path': () => import('./figures/probability-path/index.js'),
  tradeoff: () => import('./figures/tradeoff/index.js'),
  temperature: () => import('./figures/temperature/index.js'),
  'which-distribution': () => import('./figures/which-distribution/index.js'),
  'rectified-flow': () => import('./figures/rectified-flow/index.js'),
  'rectified-cfg': () => import('./figures/rectified-cfg/index.js'),
  distillation: () => import('./figures/distillation/index.js'),
  'guidance-lab': () => import('./figures/guidance-lab/index.js'),
  'draw-your-own': () => import('./figures/draw-your-own/index.js'),
};

const kebab = (key) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Mounts the figure named by `host`'s data-cfg-figure attribute, configured by its attributes. */
export async function mountElement(host, extra = {}) {
  const id = host.getAttribute('data-cfg-figure');
  const load = FIGURES[id];
  if (!load) {
    const msg = `cfg-playground: unknown figure '${id}' (known: ${Object.keys(FIGURES).join(', ')})`;
    console.warn(msg);
    host.textContent = msg;
    return null;
  }
  const def = (await load()).default;
  const hide = (host.getAttribute('data-hide') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const get = (key) => host.getAttribute(`data-${kebab(key)}`) ?? undefined;
  try {
    return await mountFigure(host, def, { get, hide, ...extra });
  } catch (e) {
    console.error(e);
    host.textContent = `cfg-playground: the figure '${id}' could not start (${e.message})`;
    return null;
  }
}

/** Mounts every figure element in `root` that is not mounted yet. */
export function mountAll(root = document) {
  return Promise.all(
    [...root.querySelectorAll('[data-cfg-figure]')]
      .filter((h) => !h.dataset.cfgMounted)
      .map((h) => {
        h.dataset.cfgMounted = '1';
        return mountElement(h);
      }),
  );
}

// A page that mounts figures itself (the standalone article, which keeps their state in the URL)
// says so with <meta name="cfg-playground-manual">.
if (typeof document !== 'undefined' && !document.querySelector('meta[name="cfg-playground-manual"]')) {
  const start = () => mountNear([...document.querySelectorAll('[data-cfg-figure]')], mountElement);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
