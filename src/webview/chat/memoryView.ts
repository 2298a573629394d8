/**
 * The chat's long-term memory in the panel: the collapsible "Earlier messages, summarised" item after the messages
 * the summary stands in for (read, edit, delete), the pin button and badge on each message, the line that says what
 * pins and summary cost and how much room is left, and telling the host when the user starts typing (a summary
 * being written then gives way to the next answer).
 *
 * Test ids: chat-summary (the item; data-state = ready | summarising | empty), summary-text, summary-edit,
 * summary-delete, summary-editor (textarea), summary-save, summary-cancel, message-pin, pinned-badge, memory-room.
 */
import { compactCount, fill } from "../../core/chat/format";
import type { ChatMessageRecord, Conversation } from "../../protocol/conversation";
import type { ChatViewState, UiStrings, WebviewToHostMessage } from "../../protocol/webviewProtocol";
import { button, el } from "./dom";

export class MemoryView {
    private composing = false;
    /** Whether the summary item is expanded, per chat (it survives re-renders). */
    private readonly expanded = new Set<string>();
    /** The summary editor, kept as one element while open so re-renders keep its text, focus and caret. */
    private editor: { chatId: string; root: HTMLElement } | undefined;

    constructor(private readonly post: (m: WebviewToHostMessage) => void, private readonly rerender: () => void) {}

    /** Every input in the prompt box: tells the host when it goes from empty to not empty, and back. */
    promptChanged(value: string): void {
        const active = value.trim().length > 0;
        if (active === this.composing) return;
        this.composing = active;
        this.post({ type: "composing", active });
    }

    /** The prompt was sent and cleared: the send itself tells the host, nothing to post. */
    promptSent(): void {
        this.composing = false;
    }

    /** The rendered messages with the summary item after the last summarised one. */
    withSummary(elements: HTMLElement[], c: Conversation | undefined, st: ChatViewState, s: UiStrings): HTMLElement[] {
        if (!c) return elements;
        if (this.editor && this.editor.chatId !== c.id) this.editor = undefined;
        let last = -1;
        c.messages.forEach((m, i) => { if (m.summarised) last = i; });
        if (last < 0 && !c.summary) return elements;
        const item = this.editor?.root ?? this.summaryItem(c, st, s);
        return [...elements.slice(0, last + 1), item, ...elements.slice(last + 1)];
    }

    /** Pin button and badge on a rendered message; summarised messages are marked as such. */
    decorate(root: HTMLElement, tools: HTMLElement, m: ChatMessageRecord, s: UiStrings, streaming: boolean): void {
        if (m.pinned) {
            root.classList.add("pinned");
            root.querySelector(".message-head")?.insertBefore(el("span", { className: "pin-badge", testId: "pinned-badge", text: `⚑ ${s.pinned}` }), tools);
        }
        if (m.summarised) {
            root.classList.add("summarised");
            root.title = s.summarisedHint;
        }
        if (streaming || !m.text) return;
        // ⚐/⚑ (U+2690/2691) are in the fonts VS Code's webviews fall back to; pin emoji are not everywhere.
        const pin = button(m.pinned ? "⚑" : "⚐", "message-pin", () => this.post({ type: "pinMessage", id: m.id, pinned: !m.pinned }), {
            title: m.pinned ? s.unpin : s.pin, className: `icon${m.pinned ? " on" : ""}`,
        });
        pin.setAttribute("aria-pressed", String(!!m.pinned));
        tools.prepend(pin);
    }

    /** "Pinned 340 · summary 120 · room left for the conversation: 1.2k of 3.5k tokens", when there is something to say. */
    renderRoom(box: HTMLElement, st: ChatViewState, s: UiStrings): void {
        const m = st.memory;
        const parts: string[] = [];
        if (m.summarising) parts.push(s.summarising);
        if ((m.pinnedCount > 0 || m.summaryTokens > 0) && m.budget !== undefined && m.room !== undefined) {
            const approx = m.estimated ? "≈" : "";
            parts.push(fill(s.memoryRoom, approx + compactCount(m.pinnedTokens), approx + compactCount(m.summaryTokens),
                approx + compactCount(m.room), compactCount(m.budget)));
        }
        box.textContent = parts.join(" · ");
        box.title = m.estimated ? s.memoryRoomEstimated : "";
        box.hidden = parts.length === 0;
    }

    private summaryItem(c: Conversation, st: ChatViewState, s: UiStrings): HTMLElement {
        const summary = c.summary;
        const busy = st.memory.summarising;
        const state = busy ? "summarising" : summary?.text ? "ready" : "empty";
        const covered = summary?.coveredMessages ?? c.messages.filter((m) => m.summarised).length;
        const item = el("details", { className: "summary-item", testId: "chat-summary", attrs: { "data-state": state } });
        item.open = this.expanded.has(c.id);
        item.addEventListener("toggle", () => { if (item.open) this.expanded.add(c.id); else this.expanded.delete(c.id); });
        item.append(el("summary", { className: "summary-head", title: s.summaryHint }, [
            el("span", { className: "summary-title", text: fill(s.summaryTitle, covered) }),
            busy ? el("span", { className: "summary-status", text: s.summarising }) : undefined,
        ]));
        item.append(summary?.text
            ? el("div", { className: "summary-text", testId: "summary-text", text: summary.text })
            : el("div", { className: "summary-text empty", testId: "summary-text", text: s.summaryEmpty }));
        item.append(el("div", { className: "summary-actions" }, [
            button(s.summaryEdit, "summary-edit", () => this.openEditor(c, s), { className: "btn small" }),
            summary?.text ? button(s.summaryDelete, "summary-delete", () => this.post({ type: "deleteSummary", chatId: c.id }), { className: "btn small" }) : undefined,
        ]));
        return item;
    }

    private openEditor(c: Conversation, s: UiStrings): void {
        const textarea = el("textarea", { className: "summary-editor", testId: "summary-editor", attrs: { rows: "6", "aria-label": s.summaryEdit } });
        textarea.value = c.summary?.text ?? "";
        const close = () => {
            this.editor = undefined;
            this.rerender();
        };
        const save = () => {
            this.post({ type: "editSummary", chatId: c.id, text: textarea.value });
            close();
        };
        textarea.addEventListener("keydown", (e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); }
            // Escape closes the editor; it must not also stop an answer.
            if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
        });
        const root = el("div", { className: "summary-item editing", testId: "chat-summary", attrs: { "data-state": "editing" } }, [
            el("div", { className: "summary-head", text: fill(s.summaryTitle, c.summary?.coveredMessages ?? 0), title: s.summaryHint }),
            textarea,
            el("div", { className: "summary-actions" }, [
                button(s.summarySave, "summary-save", save, { className: "btn small primary" }),
                button(s.summaryCancel, "summary-cancel", close, { className: "btn small" }),
            ]),
        ]);
        this.editor = { chatId: c.id, root };
        this.expanded.add(c.id);
        document.querySelector('[data-testid="chat-summary"]')?.replaceWith(root);
        textarea.focus();
    }
}
