// The figure's exports: its plots and charts as one PNG, and its model as a cfg-playground model file (a
// figure whose subject is another model, a classifier, a reflowed model or a student, exports
// that one: def.exportModel(fig) gives its text).
import { el, pixelRatio } from '../lib/dom.js';
import { htmlPieces, piecesBox, drawPieces } from '../lib/html-raster.js';

/** Saves `blob` as file `name` (a link clicked in the figure's shadow root). */
export function download(shadow, name, blob) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  shadow.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

/**
 * An HTML legend (an element of class `cfg-legend`) as a canvas: its words and keys as shown
 * (html-raster.js), at the pixel ratio of the plots and charts; null when it shows nothing.
 */
export function legendCanvas(e) {
  const dpr = pixelRatio();
  const pieces = htmlPieces(e);
  const b = piecesBox(pieces);
  if (!b) return null;
  const c = document.createElement('canvas');
  c.width = Math.ceil((b.right - b.left) * dpr);
  c.height = Math.ceil((b.bottom - b.top) * dpr);
  drawPieces(c.getContext('2d'), pieces, b.left, b.top, dpr);
  return c;
}

/**
 * The figure's pictures as one canvas on background `bg`: every plot (its `__plot.composite()`, a
 * canvas or the promise of one), every chart (`Chart.toCanvas`) and HTML legend (`.cfg-legend`,
 * legendCanvas) outside a plot, in `main` (the plots and the side panel, not the training panel).
 * They keep their arrangement on screen: parts whose boxes overlap vertically share a row, left to
 * right, and the rows stack.
 */
export async function picture(main, bg) {
  const found = [...main.querySelectorAll('.plot, svg.cfg-chart, .cfg-legend')]
    .filter((e) =>
      e.classList.contains('plot') ? !!e.__plot : (!!e.__chart || !e.matches('svg')) && !e.closest('.plot'),
    )
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && r.height > 0);
  const parts = (
    await Promise.all(
      found.map(async (p) => ({
        ...p,
        c: await (p.e.classList.contains('cfg-legend')
          ? legendCanvas(p.e)
          : p.e.__plot
            ? p.e.__plot.composite()
            : p.e.__chart.toCanvas()),
      })),
    )
  ).filter((p) => p.c && p.c.width && p.c.height);
  if (!parts.length) return null;
  parts.sort((a, b) => a.r.top - b.r.top || a.r.left - b.r.left);
  const rows = [];
  for (const p of parts) {
    const row = rows.find((q) => p.r.top < q.bottom - 4 && p.r.bottom > q.top + 4);
    if (row) {
      row.parts.push(p);
      row.bottom = Math.max(row.bottom, p.r.bottom);
    } else rows.push({ top: p.r.top, bottom: p.r.bottom, parts: [p] });
  }
  for (const row of rows) row.parts.sort((a, b) => a.r.left - b.r.left);
  const gap = Math.round(8 * pixelRatio());
  const width = Math.max(
    ...rows.map((row) => row.parts.reduce((s, p) => s + p.c.width, 0) + gap * (row.parts.length - 1)),
  );
  const heights = rows.map((row) => Math.max(...row.parts.map((p) => p.c.height)));
  const c = document.createElement('canvas');
  c.width = width;
  c.height = heights.reduce((s, h) => s + h, 0) + gap * (rows.length - 1);
  const ctx = c.getContext('2d');
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, c.width, c.height);
  let y = 0;
  rows.forEach((row, i) => {
    let x = 0;
    for (const p of row.parts) {
      ctx.drawImage(p.c, x, y);
      x += p.c.width + gap;
    }
    y += heights[i] + gap;
  });
  return c;
}

/** The PNG and Model buttons of figure `fig` (its root element `root`). */
export function exportButtons(fig, root) {
  const { def, shadow } = fig;
  return [
    el(
      'button',
      {
        type: 'button',
        class: 'small',
        title: 'Save the figure as a PNG image',
        onclick: async () => {
          let c;
          try {
            c = await picture(
              root.querySelector('.main'),
              getComputedStyle(root).getPropertyValue('--cfg-bg').trim() || '#fff',
            );
          } catch (e) {
            fig.message(`The PNG could not be made: ${e.message}`);
            return;
          }
          c?.toBlob((b) => b && download(shadow, `${def.id}.png`, b), 'image/png');
        },
      },
      'PNG',
    ),
    el(
      'button',
      {
        type: 'button',
        class: 'small',
        title: 'Save the model as a cfg-playground model file',
        onclick: () => {
          let text = null;
          try {
            text = def.exportModel ? def.exportModel(fig) : fig.model?.toJson('f32');
          } catch (e) {
            fig.message(e.message);
            return;
          }
          if (text)
            download(
              shadow,
              `${def.id}-${fig.model?.dataset ?? fig.state.dataset}.json`,
              new Blob([text], { type: 'application/json' }),
            );
          else fig.message('The model is still training: export it when training has finished.');
        },
      },
      'Model',
    ),
  ];
}
