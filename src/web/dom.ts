// Small DOM helpers: every control is a native element with a visible <label>.

let uid = 0;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

/** A labelled <input>; `onChange` runs on every committed change. */
export function field(
  label: string,
  attrs: Record<string, string | number | boolean>,
  onChange: (input: HTMLInputElement) => void,
): { row: HTMLElement; input: HTMLInputElement } {
  const id = `f${++uid}`;
  const input = el('input', { id, ...attrs });
  input.addEventListener('change', () => onChange(input));
  const check = attrs.type === 'checkbox';
  const row = el('div', { class: check ? 'row check' : 'row' }, ...(check ? [input, el('label', { for: id, text: label })] : [el('label', { for: id, text: label }), input]));
  return { row, input };
}

/** A labelled <select> of `options` (value → text). */
export function select(
  label: string,
  options: Record<string, string>,
  value: string,
  onChange: (value: string) => void,
  attrs: Record<string, string> = {},
): { row: HTMLElement; select: HTMLSelectElement } {
  const id = `f${++uid}`;
  const s = el('select', { id, ...attrs });
  for (const [v, text] of Object.entries(options)) s.append(el('option', { value: v, text }));
  s.value = value;
  s.addEventListener('change', () => onChange(s.value));
  return { row: el('div', { class: 'row' }, el('label', { for: id, text: label }), s), select: s };
}

export function button(text: string, attrs: Record<string, string>, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs, text });
  b.addEventListener('click', onClick);
  return b;
}

/** Formats a number for a readout: 4 significant digits, exponent form for tiny or huge values. */
export function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(digits - 1) : v.toPrecision(digits);
}

/** Offers `data` as a file download. */
export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Calls `fn(width)` now and whenever `target`'s content width changes. */
export function onResize(target: HTMLElement, fn: (width: number) => void): void {
  let last = -1;
  new ResizeObserver(() => {
    const w = Math.floor(target.clientWidth);
    if (w !== last && w > 0) {
      last = w;
      fn(w);
    }
  }).observe(target);
}
