// The figure's exports: its plots as one PNG, and its model as a cfg-playground model file (a
// figure whose subject is another model, a classifier, a reflowed model or a student, exports
// that one: def.exportModel(fig) gives its text).
import { el } from '../lib/cfg.js';

/** Saves `blob` as file `name` (a link clicked in the figure's shadow root). */
export function download(shadow, name, blob) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  shadow.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

/** The PNG and Model buttons of figure `fig` (its root element `root`). */
export function exportButtons(fig, root) {
  const { def, plots, shadow } = fig;
  return [
    el('button', { type: 'button', class: 'small', title: 'Save the figure as a PNG image', onclick: async () => {
      // a plot's composite() is a canvas, or the promise of one (an SVG chart, rasterised)
      let cs;
      try {
        cs = (await Promise.all([...plots.querySelectorAll('.plot')].map((p) => p.__plot?.composite()))).filter(Boolean);
      } catch (e) {
        fig.message(`The PNG could not be made: ${e.message}`);
        return;
      }
      if (!cs.length) return;
      const c = document.createElement('canvas');
      c.width = cs.reduce((s, x) => s + x.width, 0);
      c.height = Math.max(...cs.map((x) => x.height));
      const ctx = c.getContext('2d');
      ctx.fillStyle = getComputedStyle(root).getPropertyValue('--cfg-bg').trim() || '#fff';
      ctx.fillRect(0, 0, c.width, c.height);
      let x = 0;
      for (const s of cs) { ctx.drawImage(s, x, 0); x += s.width; }
      c.toBlob((b) => b && download(shadow, `${def.id}.png`, b), 'image/png');
    } }, 'PNG'),
    el('button', { type: 'button', class: 'small', title: 'Save the model as a cfg-playground model file', onclick: () => {
      let text = null;
      try {
        text = def.exportModel ? def.exportModel(fig) : fig.model?.toJson('f32');
      } catch (e) {
        fig.message(e.message);
        return;
      }
      if (text) download(shadow, `${def.id}-${fig.model?.dataset ?? fig.state.dataset}.json`, new Blob([text], { type: 'application/json' }));
      else fig.message('The model is still training: export it when training has finished.');
    } }, 'Model'),
  ];
}
