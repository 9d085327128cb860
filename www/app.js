// The standalone page: a live figure driven by the wasm build.
import { el } from './cfg.js';
import { guidedSamples } from './figures/guided-samples.js';

const app = document.getElementById('app');
app.append(
  el('header', {},
    el('h1', {}, 'Classifier-free guidance, live'),
    el('p', { class: 'cfg-lede' },
      'A flow-matching model learns to carry Gaussian noise to 2D data, with its class label dropped to a null label 20% of the time. ',
      'At sampling, the unconditional and conditional velocities are mixed: v = v', el('sub', {}, 'u'), ' + w·(v', el('sub', {}, 'c'), ' − v', el('sub', {}, 'u'), '). ',
      'The network below is a small MLP written in Rust, with hand-written backprop, training right now in your browser.')),
);
const fig = el('figure', { class: 'cfg-figure', id: 'guided-samples' });
app.append(fig);
window.cfgFigure = guidedSamples(fig, {});
