// The standalone page: mounts each figure of the article as the reader comes near it
// (www/shell/lazy.js) and keeps each figure's settings in the URL (#<figure>.<setting>=<value>&...),
// so that a link reproduces the view. The figures a link names (#<figure>, or settings of theirs)
// mount at once. window.cfgReady resolves when the figures near the viewport at load, and those the
// link names, have mounted. The page-wide `?workers=N` sets the size of the worker pool
// (www/lib/pool.js: 1 to 8; by default the cores but one).
import { mountElement } from './embed.js';
import { mountNear } from './shell/lazy.js';
import { parseState } from './shell/state.js';
import { configurePool, defaultWorkers, MAX_WORKERS } from './lib/pool.js';

const search = new URLSearchParams(location.search);
if (search.has('workers')) {
  const table = [{ key: 'workers', type: 'int', default: defaultWorkers(), min: 1, max: MAX_WORKERS }];
  const { workers } = parseState(
    table,
    (k) => search.get(k) ?? undefined,
    (m) => console.warn(`cfg-playground: ${m}`),
  );
  configurePool({ workers });
}

const hash = new URLSearchParams(location.hash.slice(1));

// the URL as last written: a figure's mount reports its settings, mostly unchanged, and
// replaceState costs a few milliseconds each on a phone, so an unchanged URL is not written again
let saved = hash.toString();
function save() {
  const text = hash.toString();
  if (text === saved) return;
  saved = text;
  history.replaceState(null, '', text ? `#${text}` : location.pathname + location.search);
}

function mount(host) {
  const prefix = prefixOf(host);
  const kebab = (key) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return mountElement(host, {
    // the URL wins over the page's own attributes
    get: (key) => hash.get(`${prefix}.${key}`) ?? host.getAttribute(`data-${kebab(key)}`) ?? undefined,
    onState: (entries) => {
      for (const k of [...hash.keys()]) if (k.startsWith(`${prefix}.`)) hash.delete(k);
      for (const [k, v] of entries) {
        // settings equal to the page's attribute need no URL entry
        if (host.getAttribute(`data-${kebab(k)}`) !== v) hash.set(`${prefix}.${k}`, v);
      }
      save();
    },
  });
}

// a display formula wider than the column scrolls sideways: by itself where the engine lays out
// `display: block math` at the column's width (style.css), in a box of its own elsewhere (WebKit)
if (!CSS.supports('display', 'block math'))
  for (const m of document.querySelectorAll('math[display="block"]')) {
    const box = document.createElement('div');
    box.className = 'math-box';
    m.replaceWith(box);
    box.append(m);
  }

const hosts = [...document.querySelectorAll('[data-cfg-figure]')];
const prefixOf = (h) => h.id || h.getAttribute('data-cfg-figure');
const named = new Set([...hash.keys()].map((k) => k.split('.')[0]));
const targets = hosts.filter((h) => named.has(prefixOf(h)));
window.cfgReady = mountNear(hosts, mount, { first: targets });
