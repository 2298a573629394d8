/**
 * Citations in an answer grounded in the user's files: each [n] in the rendered answer (outside code) that names one
 * of the message's sources becomes a small link showing where it points, and a "Sources" list follows the answer.
 * Both are built with DOM APIs from the sources the host recorded (never from the model's text), and a click only
 * sends the source's number to the host, which opens the place it recorded.
 */
import type { SourceRef } from "../../protocol/conversation";
import { fill } from "../../core/chat/format";
import type { UiStrings } from "../../protocol/webviewProtocol";
import { el } from "./dom";

export type OpenSource = (n: number) => void;

function sourceLink(source: SourceRef, text: string, s: UiStrings, open: OpenSource, className: string): HTMLElement {
    const link = el("a", { className, testId: "source-link", text, title: fill(s.openSource, source.label), attrs: {
        role: "link", tabindex: "0", "data-source": String(source.n),
    } });
    const go = (e: Event) => {
        e.preventDefault();
        open(source.n);
    };
    link.addEventListener("click", go);
    link.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") go(e); });
    return link;
}

/** Replaces "[n]" in the text nodes of `body` (not inside code) with links to source n. */
export function decorateCitations(body: HTMLElement, sources: readonly SourceRef[], s: UiStrings, open: OpenSource): void {
    const byNumber = new Map(sources.map((x) => [x.n, x]));
    const walker = body.ownerDocument.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!(n.parentElement?.closest("pre, code, a"))) nodes.push(n as Text);
    }
    for (const node of nodes) {
        const text = node.data;
        const pattern = /\[(\d{1,3})\]/g;
        if (!pattern.test(text)) continue;
        pattern.lastIndex = 0;
        const parts: (string | HTMLElement)[] = [];
        let last = 0;
        for (const m of text.matchAll(pattern)) {
            const source = byNumber.get(Number(m[1]));
            if (!source) continue;
            parts.push(text.slice(last, m.index));
            parts.push(sourceLink(source, `[${source.n}]`, s, open, "citation"));
            last = (m.index ?? 0) + m[0].length;
        }
        if (last === 0) continue;
        parts.push(text.slice(last));
        node.replaceWith(...parts);
    }
}

/** The list under a grounded answer: "1. src/a.ts:10–24", each opening its place. */
export function sourcesList(sources: readonly SourceRef[], s: UiStrings, open: OpenSource): HTMLElement {
    return el("div", { className: "sources", testId: "sources" }, [
        el("div", { className: "sources-title", text: s.sources }),
        el("ol", {}, sources.map((x) => el("li", { attrs: { value: String(x.n) } }, [sourceLink(x, x.label, s, open, "source")]))),
    ]);
}
