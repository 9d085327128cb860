// The controls of a figure, generated from its settings table: a select for an enum or a class
// name, a checkbox for a bool, a text field for a list, a number with a "new seed" button for the
// seed, a slider with its value for the rest. Each row shows the setting's help as a tooltip.
import { el, fmt } from '../lib/dom.js';

export class Controls {
  /**
   * `table`: the figure's settings; `state`: their values; `classes()`: the class names of the
   * model shown; `onInput(key, value)`: the reader changed a setting; `freshSeed()`: a new seed.
   */
  constructor({ id, table, state, classes, onInput, freshSeed }) {
    Object.assign(this, { id, table, state, classes, onInput, freshSeed });
    this.inputs = new Map();
  }

  /** The options of a class setting: the model's class names, and 'null' when allowed. */
  classOptions(p) {
    return [...this.classes(), ...(p.allowNull ? ['null'] : [])];
  }

  /** The row of setting `key` (null when not shown). */
  row(key) {
    return this.inputs.get(key)?.row ?? null;
  }

  keys() {
    return this.inputs.keys();
  }

  /** Builds the control row of setting `key` (its value is shown by reflect()). */
  make(key) {
    const p = this.table.find((q) => q.key === key);
    if (!p) return null;
    const id = `${this.id}-${p.key}-${Math.random().toString(36).slice(2, 7)}`;
    let input;
    let out = null;
    const onInput = (v) => this.onInput(p.key, v);
    if (p.type === 'enum' || p.type === 'name') {
      input = el('select', { id, onchange: () => onInput(input.value) });
    } else if (p.type === 'bool') {
      input = el('input', { id, type: 'checkbox', onchange: () => onInput(input.checked) });
    } else if (p.type === 'list') {
      input = el('input', {
        id,
        type: 'text',
        inputmode: 'decimal',
        onchange: () => {
          const xs = input.value.split(',').map(Number).filter(Number.isFinite);
          if (xs.length)
            onInput(xs.slice(0, p.maxItems ?? 12).map((x) => Math.min(p.max, Math.max(p.min, x))));
        },
      });
    } else if (p.key === 'seed') {
      input = el('input', {
        id,
        type: 'number',
        min: p.min,
        max: p.max,
        step: 1,
        onchange: () => {
          const v = Math.round(Number(input.value));
          if (Number.isFinite(v)) onInput(Math.min(p.max, Math.max(p.min, v)));
        },
      });
      out = el(
        'button',
        {
          type: 'button',
          class: 'small',
          title: 'A new random seed',
          'aria-label': 'new random seed',
          onclick: () => onInput(this.freshSeed()),
        },
        '⟳',
      );
    } else {
      input = el('input', {
        id,
        type: 'range',
        min: p.min,
        max: p.max,
        step: p.step ?? 'any',
        oninput: () => onInput(Number(input.value)),
      });
      out = el('output', { for: id });
    }
    const row = el(
      'div',
      { class: `ctl ctl-${p.type}`, title: p.help ?? '' },
      el('label', { for: id }, p.label),
      input,
      out,
    );
    if (p.type === 'bool') row.classList.add('ctl-check');
    this.inputs.set(p.key, { p, input, out, row });
    return row;
  }

  /** Shows the value of setting `key` in its control. */
  reflect(key) {
    const c = this.inputs.get(key);
    if (!c) return;
    const v = this.state[key];
    const { p, input, out } = c;
    if (p.type === 'enum' || p.type === 'name') {
      const opts = p.type === 'name' ? this.classOptions(p) : p.options;
      if (input.options.length !== opts.length || [...input.options].some((o, i) => o.value !== opts[i])) {
        input.replaceChildren(...opts.map((o) => el('option', { value: o }, o)));
      }
      input.value = v;
    } else if (p.type === 'bool') input.checked = v;
    else if (p.type === 'list') input.value = v.join(', ');
    else {
      input.value = v;
      if (out && out.tagName === 'OUTPUT')
        out.textContent =
          p.type === 'int' ? String(v) : fmt(v, (p.step ?? 1) < 0.01 ? 4 : (p.step ?? 1) < 0.1 ? 2 : 1);
    }
  }
}
