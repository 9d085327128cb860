// Reserved places, in the post's order, for the figures of the guidance-methods work
// (classifier guidance, rectified flow, guidance distillation).
// Each holds the height of a figure and says what will appear there, so that the figures can
// drop in without reshaping the page. Not a figure yet: no model, no controls.
import { el } from '../cfg.js';

const SLOTS = {
  'classifier-guidance': ['Classifier guidance', 'A time-conditioned classifier p(c | x_t, t), trained with the same MLP code, guiding the unconditional field, next to CFG at matched strength, with the classifier’s gradient field.'],
  'rectified-flow': ['Rectified flow', 'Trajectories before and after reflow, their straightness, and sample quality against the number of Euler steps.'],
  distillation: ['Guidance distillation', 'A student that takes w as an input, against its teacher’s guided trajectories, with the endpoint gap per w.'],
};

export function slot(id) {
  const [title, what] = SLOTS[id];
  return {
    id,
    title,
    post: 'coming next',
    trainable: false,
    params: [],
    controls: [],
    loadModel: async () => null,
    caption: () => [],
    async create(fig) {
      fig.plots.append(el('div', { class: 'slot', role: 'note', style: 'min-height: 560px' },
        el('p', {}, el('b', {}, 'Reserved for the next figure. '), what),
        el('p', { class: 'slot-note' }, 'This place keeps the page’s layout stable until that figure lands.')));
      return { frame: () => false };
    },
  };
}
