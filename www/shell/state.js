// A figure's settings as a declarative table (in the manner of TensorFlow Playground's state.ts):
// each entry names a key, its type, default and bounds. The same table parses embed attributes
// and the URL, validates and clamps every value, and serialises a view back into a link.
//
// Entry: { key, label, type: 'number' | 'int' | 'enum' | 'bool' | 'list' | 'name', default,
//          min?, max?, step?, options?, maxItems?, help? }

const TRUE = new Set(['1', 'true', 'yes', 'on', '']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function clampNumber(p, x) {
  // -0 (from "-0" or "-1e-400") is 0: it would otherwise survive as a value that prints as "0"
  let v = x === 0 ? 0 : x;
  if (p.min !== undefined && v < p.min) v = p.min;
  if (p.max !== undefined && v > p.max) v = p.max;
  return v;
}

/** Parses one raw string; returns { value } or { value, note } (clamped) or { error }. */
export function parseValue(p, raw) {
  const s = String(raw).trim();
  switch (p.type) {
    case 'number':
    case 'int': {
      const x = Number(s);
      if (s === '' || !Number.isFinite(x)) return { error: `'${s}' is not a number` };
      if (p.type === 'int' && !Number.isInteger(x)) return { error: `'${s}' is not a whole number` };
      const v = clampNumber(p, x);
      return v === x ? { value: v } : { value: v, note: `${x} clamped to ${v}` };
    }
    case 'enum':
      return p.options.includes(s) ? { value: s } : { error: `'${s}' is not one of ${p.options.join(', ')}` };
    case 'bool':
      if (TRUE.has(s.toLowerCase())) return { value: true };
      if (FALSE.has(s.toLowerCase())) return { value: false };
      return { error: `'${s}' is not true or false` };
    case 'list': {
      const parts = s
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      if (parts.length === 0) return { error: 'empty list' };
      if (parts.length > (p.maxItems ?? 12)) return { error: `more than ${p.maxItems ?? 12} values` };
      const xs = parts.map(Number);
      if (xs.some((x) => !Number.isFinite(x))) return { error: `'${s}' is not a list of numbers` };
      const clamped = xs.map((x) => clampNumber(p, x));
      const changed = clamped.some((x, i) => x !== xs[i]);
      return changed
        ? { value: clamped, note: `values clamped to [${p.min}, ${p.max}]` }
        : { value: clamped };
    }
    case 'name':
      return /^[\w .-]{1,40}$/.test(s) ? { value: s } : { error: `'${s}' is not a valid name` };
    default:
      return { error: `unknown type ${p.type}` };
  }
}

/**
 * Values for every entry of `table`: `get(key)` gives the raw string or undefined. A bad field
 * falls back to its default, alone, with `warn` called with a message naming it.
 */
export function parseState(table, get, warn = () => {}) {
  const out = {};
  for (const p of table) {
    const raw = get(p.key);
    if (raw === undefined || raw === null) {
      out[p.key] = p.default;
      continue;
    }
    const r = parseValue(p, raw);
    if (r.error) {
      warn(`${p.key}: ${r.error}; using the default (${format(p, p.default)})`);
      out[p.key] = p.default;
    } else {
      if (r.note) warn(`${p.key}: ${r.note}`);
      out[p.key] = r.value;
    }
  }
  return out;
}

/** A value as it appears in a URL or attribute. */
export function format(p, v) {
  if (p.type === 'list') return v.join(',');
  if (p.type === 'bool') return v ? '1' : '0';
  return String(v);
}

/** The [key, string] pairs of the values that differ from the defaults. */
export function changedEntries(table, values) {
  return table
    .filter((p) => format(p, values[p.key]) !== format(p, p.default))
    .map((p) => [p.key, format(p, values[p.key])]);
}
