// HTML words as they stand on screen, drawn onto a canvas: the PNG export composes canvases and
// rasterised charts, and with this keeps what is HTML (a plot's title, a figure's HTML legend).
// Each word is drawn where the browser laid it out (so wrapping, centring and spacing are the
// page's), in its element's computed font, weight and colour (so light and dark themes both hold).

/**
 * The visible pieces of element `node`, in CSS pixels on screen: `words` ({ text, rect, font: { size,
 * style, family }, color }) and `swatches` ({ rect, color, dashed, round }: an element without text whose style sets
 * `--swatch` or a background colour, a legend key; `dashed` when its background is a gradient, a
 * dashed key; `round`: its corners' radius).
 */
export function htmlPieces(node) {
  const words = [];
  const swatches = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeType === Node.ELEMENT_NODE) {
      const s = getComputedStyle(n);
      const bg = s.backgroundColor;
      const color =
        s.getPropertyValue('--swatch').trim() || (/^rgba\(.*, 0\)$|^transparent$/.test(bg) ? '' : bg);
      const rect = n.getBoundingClientRect();
      if (color && !n.textContent.trim() && rect.width > 0 && rect.height > 0 && s.visibility === 'visible')
        swatches.push({
          rect,
          color,
          dashed: s.backgroundImage.includes('gradient'),
          round: s.borderTopLeftRadius.endsWith('%')
            ? Math.min(rect.width, rect.height) / 2
            : parseFloat(s.borderTopLeftRadius) || 0,
        });
      continue;
    }
    const s = getComputedStyle(n.parentElement);
    if (s.visibility !== 'visible') continue;
    const font = {
      size: parseFloat(s.fontSize),
      style: `${s.fontStyle} ${s.fontWeight}`,
      family: s.fontFamily,
    };
    for (const m of n.data.matchAll(/\S+/g)) {
      range.setStart(n, m.index);
      range.setEnd(n, m.index + m[0].length);
      const rect = range.getBoundingClientRect();
      if (rect.width > 0 && rect.height > 0) words.push({ text: m[0], rect, font, color: s.color });
    }
  }
  return { words, swatches };
}

/** The box around `pieces` (htmlPieces), or null when there are none. */
export function piecesBox({ words, swatches }) {
  const rs = [...words, ...swatches].map((p) => p.rect);
  if (!rs.length) return null;
  const left = Math.min(...rs.map((r) => r.left));
  const top = Math.min(...rs.map((r) => r.top));
  return {
    left,
    top,
    right: Math.max(...rs.map((r) => r.right)),
    bottom: Math.max(...rs.map((r) => r.bottom)),
  };
}

/**
 * Draws `pieces` (htmlPieces) onto `ctx` at `dpr` device pixels per CSS pixel, the screen point
 * (`ox`, `oy`) at the canvas's origin.
 */
export function drawPieces(ctx, { words, swatches }, ox, oy, dpr) {
  ctx.save();
  for (const { rect: r, color, dashed, round } of swatches) {
    ctx.fillStyle = color;
    const [x, y, h] = [(r.left - ox) * dpr, (r.top - oy) * dpr, r.height * dpr];
    // a dashed key as the lab's CSS draws it: 5 px on, 3 px off
    if (dashed)
      for (let a = 0; a < r.width; a += 8) ctx.fillRect(x + a * dpr, y, Math.min(5, r.width - a) * dpr, h);
    else {
      ctx.beginPath();
      ctx.roundRect(x, y, r.width * dpr, h, round * dpr);
      ctx.fill();
    }
  }
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  for (const { text, rect: r, font, color } of words) {
    const size = font.size * dpr;
    ctx.font = `${font.style} ${size}px ${font.family}`;
    ctx.fillStyle = color;
    const m = ctx.measureText(text);
    const asc = m.fontBoundingBoxAscent ?? size * 0.8;
    const desc = m.fontBoundingBoxDescent ?? size * 0.2;
    // the baseline where the browser puts it: the line box's content area centred on the word's box
    const y = (r.top - oy) * dpr + (r.height * dpr - asc - desc) / 2 + asc;
    ctx.fillText(text, (r.left - ox) * dpr, y);
  }
  ctx.restore();
}
