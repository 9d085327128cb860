// The standalone page: mounts every figure of the article and keeps each figure's settings in the
// URL (#<figure>.<setting>=<value>&...), so that a link reproduces the view.
import { mountElement } from './embed.js';

const hash = new URLSearchParams(location.hash.slice(1));

function save() {
  const text = hash.toString();
  history.replaceState(null, '', text ? `#${text}` : location.pathname + location.search);
}

function mount(host) {
  const prefix = host.id || host.getAttribute('data-cfg-figure');
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

const hosts = [...document.querySelectorAll('[data-cfg-figure]')];
for (const h of hosts) h.dataset.cfgMounted = '1';
// the first figure first, so the page is alive quickly; then the rest
const first = hosts.shift();
window.cfgReady = (first ? mount(first) : Promise.resolve()).then(() => Promise.all(hosts.map(mount)));
