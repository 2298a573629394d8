/**
 * Renders one chat message. Assistant text is markdown → sanitised HTML (src/core/chat/markdown.ts); user text is
 * plain text. Fenced code blocks get a toolbar (Copy, Insert at Cursor, Apply to Selection) whose buttons send the
 * block's text (read back from the DOM, i.e. exactly what the user sees) to the host.
 */
import DOMPurify from "dompurify";
import type { ChatMessageRecord } from "../../protocol/conversation";
import { compactCount, fill, formatStats } from "../../core/chat/format";
import { createMarkdownRenderer } from "../../core/chat/markdown";
import type { CodeAction, UiStrings } from "../../protocol/webviewProtocol";
import { button, el } from "./dom";
import { onHighlightLanguageLoaded, requestHighlightLanguage } from "./highlightLoader";
import { decorateCitations, sourcesList } from "./sourcesView";

const markdown = createMarkdownRenderer(DOMPurify, { onMissingLanguage: requestHighlightLanguage });

export interface MessageActions {
    edit(message: ChatMessageRecord): void;
    remove(message: ChatMessageRecord): void;
    regenerate(): void;
    /** Continue the last answer, cut at the token limit (optional for renderers without it). */
    continueAnswer?(): void;
    code(action: CodeAction, code: string, language: string): void;
    /** A citation or a source of a grounded answer was clicked: the host opens the place it recorded. */
    openSource(messageId: string, n: number): void;
    /** Adds the memory controls (pin button and badge) to a rendered message: memoryView.ts. */
    decorate?(root: HTMLElement, tools: HTMLElement, message: ChatMessageRecord, streaming: boolean): void;
}

/** Rendered HTML by source text: a state update re-renders every message, long chats must not re-highlight. */
const renderCache = new Map<string, string>();
const RENDER_CACHE_SIZE = 300;

/** A language arrived: what was rendered plain must be rendered again, `rerender` shows it. */
export function onLanguageLoaded(rerender: () => void): void {
    onHighlightLanguageLoaded(() => {
        renderCache.clear();
        rerender();
    });
}

function renderCached(text: string): string {
    let html = renderCache.get(text);
    if (html === undefined) {
        html = markdown.render(text);
        renderCache.set(text, html);
        if (renderCache.size > RENDER_CACHE_SIZE) renderCache.delete(renderCache.keys().next().value as string);
    }
    return html;
}

export function renderMarkdownInto(body: HTMLElement, text: string, s: UiStrings, actions: MessageActions, streaming = false): void {
    // While streaming each frame has new text: caching those would only evict the finished messages.
    body.innerHTML = streaming ? markdown.render(text) : renderCached(text);
    for (const pre of Array.from(body.querySelectorAll("pre"))) {
        const code = pre.querySelector("code");
        const language = /language-([\w+#-]+)/.exec(code?.className ?? "")?.[1] ?? "";
        const read = () => (code ?? pre).textContent ?? "";
        const copy = button(s.copy, "code-copy", () => {
            actions.code("copy", read(), language);
            copy.textContent = s.copied;
            setTimeout(() => (copy.textContent = s.copy), 1200);
        }, { className: "btn small" });
        const bar = el("div", { className: "code-actions", testId: "code-actions" }, [
            language ? el("span", { className: "code-lang", text: language }) : undefined,
            copy,
            button(s.insert, "code-insert", () => actions.code("insert", read(), language), { className: "btn small" }),
            button(s.apply, "code-apply", () => actions.code("apply", read(), language), { className: "btn small" }),
        ]);
        const wrap = el("div", { className: "code-block", testId: "code-block" });
        pre.replaceWith(wrap);
        wrap.append(bar, pre);
    }
}

export function renderMessage(m: ChatMessageRecord, s: UiStrings, actions: MessageActions, opts: { streaming: boolean; isLast: boolean }): HTMLElement {
    const root = el("div", { className: `message ${m.role}`, testId: "message", attrs: { "data-role": m.role, "data-status": opts.streaming ? "streaming" : m.status, "data-id": m.id } });
    const tools = el("span", { className: "message-tools" });
    if (m.role === "user") tools.append(button("✎", "message-edit", () => actions.edit(m), { title: s.edit, className: "icon" }));
    if (m.role === "assistant" && opts.isLast && !opts.streaming) tools.append(button("↻", "regenerate", () => actions.regenerate(), { title: s.regenerate, className: "icon" }));
    tools.append(button("✕", "message-delete", () => actions.remove(m), { title: s.delete, className: "icon" }));
    root.append(el("div", { className: "message-head" }, [el("span", { className: "role", text: m.role === "user" ? s.you : s.assistant }), tools]));
    actions.decorate?.(root, tools, m, opts.streaming);

    if (m.attachments?.length) {
        root.append(el("div", { className: "chips" }, m.attachments.map((a) => {
            const note = a.truncatedFrom !== undefined ? ` · ${fill(s.truncatedNote, compactCount(a.tokens), compactCount(a.truncatedFrom))}` : "";
            const auto = a.auto ? ` · ${s.autoAttached}` : "";
            return el("span", { className: "chip sent", testId: "message-attachment", text: `${a.label} · ${compactCount(a.tokens)}${note}${auto}`, title: a.path });
        })));
    }
    if (m.droppedMessages) root.append(el("div", { className: "note", testId: "chat-note", text: fill(s.droppedNote, m.droppedMessages) }));
    if (m.promptCut) root.append(el("div", { className: "note", testId: "chat-note", text: s.promptCutNote }));

    const body = el("div", { className: "body", testId: "message-body" });
    if (m.role === "user") body.textContent = m.displayText ?? m.text;
    else if (m.text) renderMarkdownInto(body, m.text, s, actions);
    else if (opts.streaming) body.append(el("span", { className: "thinking", text: s.thinking }));
    if (m.sources?.length && m.text) decorateCitations(body, m.sources, s, (n) => actions.openSource(m.id, n));
    root.append(body);
    if (m.sources?.length && !opts.streaming) root.append(sourcesList(m.sources, s, (n) => actions.openSource(m.id, n)));

    const footer = footerText(m, s, opts.streaming);
    if (footer) root.append(el("div", { className: `message-footer ${m.status}`, testId: "message-footer", text: footer, title: m.error ?? "" }));
    // An answer cut at the token limit goes on in the same message.
    if (m.role === "assistant" && m.status === "cut" && opts.isLast && !opts.streaming && actions.continueAnswer) {
        root.append(el("div", { className: "message-continue" }, [button(s.continueAnswer, "continue-answer", () => actions.continueAnswer!(), { className: "btn small" })]));
    }
    return root;
}

export function footerText(m: ChatMessageRecord, s: UiStrings, streaming: boolean): string {
    if (m.role !== "assistant" || streaming) return "";
    const parts: string[] = [];
    if (m.status === "stopped") parts.push(s.stopped);
    if (m.status === "interrupted") parts.push(s.interrupted);
    if (m.status === "cut") parts.push(s.cutAtLimit);
    if (m.status === "error") parts.push(`${s.failed}: ${m.error ?? ""}`);
    if (m.stats) parts.push(formatStats(m.stats, s.tokPerSec));
    return parts.join(" · ");
}
