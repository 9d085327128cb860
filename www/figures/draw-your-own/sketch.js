// The reader's drawing for the draw-your-own figure: points per brush with their brush jitter, an
// undo history and caps, the example smiley, and one sketch per figure instance. Input only: every
// computation on the drawing happens in wasm.
// one brush per class, as many as a drawn data set may have (caps::MAX_DRAWN_CLASSES); the
// figure shows the first four and one more past the last brush in use
export const NAMES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
/** Brushes shown before any is used past them. */
export const SHOWN = 4;
/** How many brush buttons to show for a drawing: the first four, and one past the last in use. */
export const shownBrushes = (brushes) => {
  let last = -1;
  brushes.forEach((b, i) => {
    if (b.pts.length > 0) last = i;
  });
  return Math.min(brushes.length, Math.max(SHOWN, last + 2));
};
/** Blur of every drawn point (σ of its Gaussian kernel). */
export const STD = 0.06;
const MAX_CLASS = 2000;
const MAX_TOTAL = 4000;
/** The drawing area is [−LIMIT, LIMIT]²; points outside it are dropped. */
export const LIMIT = 3;

/** A small seeded generator for the brush's scatter (input, not data processing). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distance between dabs along a stroke, and points per dab, for brush radius r. */
const spacing = (r) => Math.max(0.04, 0.35 * r);
const perDab = (r) => Math.max(1, Math.round(15 * r));
/** Points of a single click or key press: a visible blot. */
const perSpot = (r) => Math.min(30, Math.max(4, Math.round(60 * r)));

/** The reader's drawing: points per brush, an undo history, caps. */
class Sketch {
  constructor() {
    this.brushes = NAMES.map((name) => ({ name, pts: [], xy: null }));
    this.history = [];
    this.version = 0;
    this.random = mulberry32(20240611);
    this.stroke = null;
    this.full = '';
  }

  total() {
    return this.brushes.reduce((s, b) => s + b.pts.length, 0);
  }

  changed() {
    this.version += 1;
    for (const b of this.brushes) b.xy = null;
  }

  /** The points of brush i as x, y pairs (cached). */
  xyOf(i) {
    const b = this.brushes[i];
    b.xy ??= new Float32Array(b.pts.flat());
    return b.xy;
  }

  /** The points of every brush; `names` rides along (a loaded file names its classes). */
  snapshot() {
    const snap = this.brushes.map((b) => b.pts.slice());
    snap.names = this.brushes.map((b) => b.name);
    return snap;
  }

  /** Sets every brush's points, and its name from `snap.names` (default: A, B, C, …). */
  restore(snap) {
    this.brushes.forEach((b, i) => {
      b.pts = (snap[i] ?? []).slice();
      b.name = snap.names?.[i] ?? NAMES[i];
    });
    this.changed();
  }

  /** Scatters `count` points uniformly within radius r of (x, y); returns how many it kept. */
  scatter(i, x, y, r, count) {
    const pts = this.brushes[i].pts;
    let kept = 0;
    for (let j = 0; j < count; j++) {
      if (pts.length >= MAX_CLASS) {
        this.full = `Brush ${this.brushes[i].name} is full (${MAX_CLASS} points per class). Undo a stroke or clear to draw more.`;
        break;
      }
      if (this.total() >= MAX_TOTAL) {
        this.full = `The drawing is full (${MAX_TOTAL} points in all). Undo a stroke or clear to draw more.`;
        break;
      }
      const a = 2 * Math.PI * this.random();
      const d = r * Math.sqrt(this.random());
      const px = x + d * Math.cos(a);
      const py = y + d * Math.sin(a);
      if (Math.abs(px) > LIMIT || Math.abs(py) > LIMIT) continue;
      pts.push([Math.round(px * 1000) / 1000, Math.round(py * 1000) / 1000]);
      kept += 1;
    }
    return kept;
  }

  begin(i, r, x, y, count = perSpot(r)) {
    this.full = '';
    this.stroke = { i, r, lx: x, ly: y, count: 0 };
    this.stroke.count += this.scatter(i, x, y, r, count);
    this.changed();
  }

  /** Extends the stroke to (x, y), a dab every `spacing` along the way. */
  to(x, y) {
    const st = this.stroke;
    if (!st) return;
    const sp = spacing(st.r);
    let d = Math.hypot(x - st.lx, y - st.ly);
    if (d < sp) return;
    const ux = (x - st.lx) / d;
    const uy = (y - st.ly) / d;
    while (d >= sp) {
      st.lx += ux * sp;
      st.ly += uy * sp;
      d -= sp;
      st.count += this.scatter(st.i, st.lx, st.ly, st.r, perDab(st.r));
    }
    this.changed();
  }

  end() {
    const st = this.stroke;
    this.stroke = null;
    if (st && st.count > 0) this.push({ kind: 'stroke', i: st.i, count: st.count });
  }

  push(entry) {
    this.history.push(entry);
    if (this.history.length > 300) this.history.shift();
  }

  undo() {
    const h = this.history.pop();
    if (!h) return false;
    if (h.kind === 'stroke') this.brushes[h.i].pts.length -= h.count;
    else this.restore(h.snap);
    this.full = '';
    this.changed();
    return true;
  }

  /** Replaces the whole drawing (undoably). */
  replace(snap) {
    this.push({ kind: 'snapshot', snap: this.snapshot() });
    this.restore(snap);
    this.full = '';
  }

  /** The drawing as the core's drawn data set: non-empty brushes only. */
  drawn() {
    return {
      std: STD,
      classes: this.brushes.filter((b) => b.pts.length > 0).map((b) => ({ name: b.name, points: b.pts })),
    };
  }
}

/** The example: a smiley, its face, eyes and mouth each drawn with its own brush. */
export function exampleDrawing() {
  const s = new Sketch();
  const arc = (cx, cy, rad, from, to, n = 48) =>
    Array.from({ length: n + 1 }, (_, k) => {
      const a = ((from + ((to - from) * k) / n) * Math.PI) / 180;
      return [cx + rad * Math.cos(a), cy + rad * Math.sin(a)];
    });
  const line = (i, r, pts) => {
    s.begin(i, r, pts[0][0], pts[0][1], perDab(r));
    for (const [x, y] of pts.slice(1)) s.to(x, y);
    s.end();
  };
  line(0, 0.12, arc(0, 0, 2.2, 90, 450, 96));
  for (const ex of [-0.85, 0.85]) line(1, 0.3, arc(ex, 0.8, 0.16, 0, 720, 24));
  line(2, 0.12, arc(0, 0.2, 1.3, 205, 335, 40));
  return s.snapshot();
}

/**
 * A loaded data set (the core's drawn data: {classes: [{name, points}]}) as a drawing: its classes
 * on the first brushes, keeping their names; the other brushes get a free letter.
 */
export function drawingOf(drawn) {
  if (drawn.classes.length > NAMES.length)
    throw new Error(`it has ${drawn.classes.length} classes and the drawing ${NAMES.length} brushes`);
  const snap = NAMES.map((_, i) => (drawn.classes[i]?.points ?? []).map(([x, y]) => [x, y]));
  const used = new Set(drawn.classes.map((c) => c.name));
  const spare = [...NAMES, ...'IJKLMNOP'].filter((n) => !used.has(n));
  snap.names = NAMES.map((_, i) => drawn.classes[i]?.name ?? spare.shift());
  return snap;
}

const sketches = new WeakMap();
export function sketchOf(fig) {
  let s = sketches.get(fig);
  if (!s) {
    s = new Sketch();
    s.restore(exampleDrawing());
    s.modelVersion = -1;
    s.pendingVersion = -1;
    s.trainTotal = 0;
    s.autoTrain = false;
    sketches.set(fig, s);
  }
  return s;
}
