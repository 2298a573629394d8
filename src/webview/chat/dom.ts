/** Tiny DOM helpers: elements are built with textContent only; the one innerHTML is the sanitised markdown. */

export function el<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    props: { className?: string; text?: string; testId?: string; title?: string; attrs?: Record<string, string> } = {},
    children: (Node | undefined)[] = [],
): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (props.className) node.className = props.className;
    if (props.text !== undefined) node.textContent = props.text;
    if (props.testId) node.dataset.testid = props.testId;
    if (props.title) { node.title = props.title; node.setAttribute("aria-label", props.title); }
    for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
    for (const c of children) if (c) node.appendChild(c);
    return node;
}

export function button(text: string, testId: string, onClick: () => void, options: { title?: string; className?: string } = {}): HTMLButtonElement {
    const b = el("button", { text, testId, title: options.title, className: options.className ?? "btn", attrs: { type: "button" } });
    b.addEventListener("click", (e) => { e.preventDefault(); onClick(); });
    return b;
}
