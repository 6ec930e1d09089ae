/** Small DOM helpers the teaching views share. */

/** An element with properties (id, className, type, …) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Readonly<Record<string, string | number | boolean>> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e: HTMLElementTagNameMap[K] = document.createElement(tag);
  Object.assign(e, props);
  e.append(...kids);
  return e;
}

/**
 * A number typed into `input`: when it changes, a value `ok` accepts goes to `apply`; any other is
 * marked on the input (aria-invalid) and reported to `refuse`, which says so in the page's words.
 */
export function onNumber(input: HTMLInputElement, ok: (v: number) => boolean, apply: (v: number) => void, refuse: () => void): void {
  input.addEventListener("change", () => {
    const v = input.value.trim() === "" ? NaN : Number(input.value);
    if (!ok(v)) {
      input.setAttribute("aria-invalid", "true");
      refuse();
      return;
    }
    input.removeAttribute("aria-invalid");
    apply(v);
  });
}
