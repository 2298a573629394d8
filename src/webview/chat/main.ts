/**
 * Hearth chat webview (browser bundle → media/dist/chat.js). Talks to src/chat through the typed messages in
 * src/protocol/webviewProtocol.ts. Never trusts model text: it goes through markdown-it (html off) and DOMPurify
 * (messageView.ts); everything else is built with textContent.
 *
 * Stable test ids (`data-testid`) for end-to-end tests:
 *   chat-root              the whole panel
 *   chat-list              <select> of conversations (option value = chat id)
 *   chat-new, chat-rename, chat-delete, chat-clear-all   conversation buttons
 *   model-status           loading / no-model / error banner; model-progress (<progress>), select-model,
 *                          download-model, show-log buttons inside it
 *   notice                 a one-off notice (e.g. a damaged chat file was set aside)
 *   messages               the message list; each message is `message` with data-role (user|assistant),
 *                          data-status (complete|streaming|stopped|interrupted|error) and data-id
 *   message-body (links in it: a[data-href], opened through the host after a confirmation), message-footer ("42 tok/s · 1.9k/8k", Stopped...), message-attachment, chat-note (history trimmed)
 *   message-edit, message-delete, regenerate             per-message actions
 *   continue-answer                                        Continue on an answer cut at the token limit
 *   code-block, code-actions, code-copy, code-insert, code-apply   per fenced code block
 *   pending-attachments, attachment-chip, attachment-remove        chips for the next prompt
 *   attach-selection, attach-file, attach-workspace-file, attach-open-editors
 *   edit-banner, edit-cancel                                       editing an earlier prompt
 *   prompt (textarea), send, stop, footer (context usage of the last answer), chat-export
 *   chat-summary, message-pin, memory-room and the rest of the memory controls: see memoryView.ts
 * Keyboard: Enter sends, Shift+Enter new line, Esc stops, Up (in an empty prompt) recalls earlier prompts,
 * typing "#file" opens the workspace file picker.
 */
import type { ChatMessageRecord } from "../../protocol/conversation";
import { compactCount, fill, formatStats } from "../../core/chat/format";
import { LINK_ATTRIBUTE } from "../../core/chat/markdown";
import type { ChatViewState, HostToWebviewMessage, ModelStatusView, PanelCommand, UiStrings, WebviewToHostMessage } from "../../protocol/webviewProtocol";
import { button, el } from "./dom";
import { MemoryView } from "./memoryView";
import { recallPrompt } from "./promptHistory";
import { onLanguageLoaded, renderMarkdownInto, renderMessage, type MessageActions } from "./messageView";

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHostMessage): void };
const vscode = acquireVsCodeApi();
const post = (m: WebviewToHostMessage) => vscode.postMessage(m);

let strings: UiStrings | undefined;
let state: ChatViewState | undefined;
let status: ModelStatusView = { kind: "idle" };
let editing: ChatMessageRecord | undefined;
let recallIndex = -1;
let renderQueued = false;
const INTERACTIVE_MARK = "hearth-chat-interactive";
let streamQueued = false;

const app = document.getElementById("app")!;
const header = el("div", { className: "header" });
const statusBox = el("div", { className: "status", testId: "model-status" });
const notices = el("div", { className: "notices" });
const list = el("div", { className: "messages", testId: "messages", attrs: { role: "log", "aria-live": "polite" } });
const pendingBox = el("div", { className: "chips", testId: "pending-attachments" });
const editBanner = el("div", { className: "edit-banner", testId: "edit-banner" });
const prompt = el("textarea", { className: "prompt", testId: "prompt", attrs: { rows: "3" } });
const attachBar = el("div", { className: "attach-bar" });
const sendButton = el("button", { className: "btn primary", testId: "send", attrs: { type: "button" } });
const stopButton = el("button", { className: "btn", testId: "stop", attrs: { type: "button" } });
const footer = el("div", { className: "footer", testId: "footer" });
const memoryRoom = el("div", { className: "memory-room", testId: "memory-room", attrs: { "aria-live": "polite" } });
const memory = new MemoryView(post, () => scheduleRender());
app.append(header, statusBox, notices, list, memoryRoom, el("div", { className: "composer" }, [
    pendingBox, editBanner, prompt, el("div", { className: "composer-actions" }, [attachBar, el("span", { className: "spacer" }), stopButton, sendButton]),
]), footer);

const actions: MessageActions = {
    edit: (m) => {
        editing = m;
        prompt.value = m.text;
        prompt.focus();
        scheduleRender();
    },
    remove: (m) => post({ type: "deleteMessage", id: m.id }),
    regenerate: () => post({ type: "regenerate" }),
    continueAnswer: () => post({ type: "continue" }),
    code: (action, code, language) => post({ type: "code", action, code, language }),
    openSource: (messageId, n) => post({ type: "openSource", messageId, n }),
    decorate: (root, tools, m, streaming) => strings && memory.decorate(root, tools, m, strings, streaming),
};

/** The toolbar's @workspace toggle: while on, every prompt is answered from the workspace index. */
let searchWorkspace = false;
const scopeButton = el("button", { className: "icon scope-toggle", testId: "scope-workspace", text: "@", attrs: { type: "button", "aria-pressed": "false" } });
scopeButton.addEventListener("click", (e) => {
    e.preventDefault();
    searchWorkspace = !searchWorkspace;
    updateScopeButton();
});
function updateScopeButton(): void {
    scopeButton.setAttribute("aria-pressed", String(searchWorkspace));
    scopeButton.classList.toggle("on", searchWorkspace);
    if (strings) {
        scopeButton.title = searchWorkspace ? strings.searchWorkspaceOn : strings.searchWorkspace;
        scopeButton.setAttribute("aria-label", scopeButton.title);
    }
}

function send(): void {
    const text = prompt.value;
    if (!text.trim() || state?.streamingId) return;
    post({ type: "send", text, editOf: editing?.id, scope: searchWorkspace ? "workspace" : undefined });
    prompt.value = "";
    memory.promptSent();
    editing = undefined;
    recallIndex = -1;
}

sendButton.addEventListener("click", send);
stopButton.addEventListener("click", () => post({ type: "stop" }));
prompt.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        send();
    } else if ((e.key === "ArrowUp" || e.key === "ArrowDown") && !e.shiftKey && !e.isComposing) {
        const next = recallPrompt(e.key === "ArrowUp" ? "up" : "down", {
            value: prompt.value,
            caretAtStart: prompt.selectionStart === 0 && prompt.selectionEnd === 0,
            caretAtEnd: prompt.selectionStart === prompt.value.length,
        }, recallIndex, userPrompts());
        if (next) {
            e.preventDefault();
            recallIndex = next.index;
            prompt.value = next.value;
        }
    }
});
prompt.addEventListener("input", () => {
    memory.promptChanged(prompt.value);
    // "#file" typed as a word opens the workspace file picker (and is removed from the prompt).
    const m = /(^|\s)#file$/.exec(prompt.value.slice(0, prompt.selectionStart));
    if (m) {
        const end = prompt.selectionStart;
        prompt.value = prompt.value.slice(0, end - 5) + prompt.value.slice(end);
        post({ type: "attach", kind: "workspaceFile" });
    }
});
// Links in answers carry no href (src/core/chat/markdown.ts): a click asks the host, which shows the full address
// and opens it only when the user confirms.
const openLink = (e: Event) => {
    const link = (e.target as Element | null)?.closest?.(`[${LINK_ATTRIBUTE}]`);
    if (!link) return;
    e.preventDefault();
    e.stopPropagation();
    post({ type: "openLink", href: link.getAttribute(LINK_ATTRIBUTE) ?? "" });
};
list.addEventListener("click", openLink);
list.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") openLink(e);
});
document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state?.streamingId) {
        e.preventDefault();
        post({ type: "stop" });
    }
});

/** Earlier prompts, newest first, for Up-arrow recall. */
function userPrompts(): string[] {
    return (state?.current?.messages ?? []).filter((m) => m.role === "user" && !m.displayText).map((m) => m.text).reverse();
}

window.addEventListener("message", (event: MessageEvent<HostToWebviewMessage>) => {
    const m = event.data;
    switch (m.type) {
        case "init":
            strings = m.strings;
            state = m.state;
            status = m.status;
            buildStatic();
            scheduleRender();
            break;
        case "state":
            state = m.state;
            // The prompt being edited was deleted, or another chat was opened: stop editing it.
            if (editing && !state.current?.messages.some((x) => x.id === editing!.id)) editing = undefined;
            scheduleRender();
            break;
        case "status":
            status = m.status;
            if (strings) renderStatus(strings);
            break;
        case "stream": {
            const msg = state?.current?.messages.find((x) => x.id === m.messageId);
            if (msg) {
                msg.text += m.text;
                scheduleStream();
            }
            break;
        }
        case "focusPrompt":
            prompt.focus();
            break;
    }
});

function buildStatic(): void {
    const s = strings!;
    prompt.placeholder = s.placeholder;
    sendButton.textContent = s.send;
    stopButton.textContent = s.stop;
    stopButton.title = `${s.stop} (Esc)`;
    attachBar.replaceChildren(
        button("⌶", "attach-selection", () => post({ type: "attach", kind: "selection" }), { title: s.attachSelection, className: "icon" }),
        button("≡", "attach-file", () => post({ type: "attach", kind: "file" }), { title: s.attachFile, className: "icon" }),
        button("#", "attach-workspace-file", () => post({ type: "attach", kind: "workspaceFile" }), { title: s.attachWorkspaceFile, className: "icon" }),
        button("⊞", "attach-open-editors", () => post({ type: "attach", kind: "openEditors" }), { title: s.attachOpenEditors, className: "icon" }),
        scopeButton,
    );
    updateScopeButton();
}

function scheduleRender(): void {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => { renderQueued = false; render(); });
}

/** Streaming: re-render only the streaming message's body, at most once per animation frame. */
function scheduleStream(): void {
    if (streamQueued) return;
    streamQueued = true;
    requestAnimationFrame(() => {
        streamQueued = false;
        const id = state?.streamingId;
        const msg = state?.current?.messages.find((x) => x.id === id);
        const body = id ? list.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"] [data-testid="message-body"]`) : null;
        if (!msg || !body || !strings) return;
        const stick = nearBottom();
        renderMarkdownInto(body, msg.text, strings, actions, true);
        if (stick) list.scrollTop = list.scrollHeight;
    });
}

function nearBottom(): boolean {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
}

function render(): void {
    if (!strings || !state) return;
    const s = strings;
    const st = state;
    // The first full render after init: the panel can be used (measured by the e2e run, see README "Chat panel").
    if (!performance.getEntriesByName(INTERACTIVE_MARK).length) queueMicrotask(() => performance.mark(INTERACTIVE_MARK));
    renderHeader(s, st);
    renderStatus(s);
    notices.replaceChildren(...st.notices.map((n) => el("div", { className: "notice", testId: "notice", text: n })));

    const stick = nearBottom();
    const messages = st.current?.messages ?? [];
    list.replaceChildren(...(messages.length
        ? memory.withSummary(messages.map((m, i) => renderMessage(m, s, actions, { streaming: m.id === st.streamingId, isLast: i === messages.length - 1 })), st.current, st, s)
        : [el("div", { className: "empty", text: s.emptyChat })]));
    memory.renderRoom(memoryRoom, st, s);
    if (stick || st.streamingId) list.scrollTop = list.scrollHeight;

    pendingBox.replaceChildren(...st.pending.map((a) => {
        const cost = a.estimated ? fill(s.estimatedTokens, compactCount(a.tokens)) : fill(s.tokens, compactCount(a.tokens));
        const over = st.attachmentRoom !== undefined && a.tokens > st.attachmentRoom
            ? ` · ${fill(s.truncatedNote, compactCount(st.attachmentRoom), compactCount(a.tokens))}` : "";
        return el("span", { className: `chip${over ? " over" : ""}`, testId: "attachment-chip", title: `${a.path}\n${cost}${over}` }, [
            el("span", { className: "chip-label", text: `${a.label} · ${a.estimated ? "≈" : ""}${compactCount(a.tokens)}${over}` }),
            button("×", "attachment-remove", () => post({ type: "removeAttachment", id: a.id }), { title: s.removeAttachment, className: "chip-remove" }),
        ]);
    }));
    editBanner.replaceChildren(...(editing ? [el("span", { text: s.editing }), button(s.cancelEdit, "edit-cancel", () => { editing = undefined; prompt.value = ""; scheduleRender(); }, { className: "btn small" })] : []));
    editBanner.hidden = !editing;

    const generating = st.streamingId !== undefined;
    stopButton.hidden = !generating;
    sendButton.hidden = generating;
    const last = [...messages].reverse().find((m) => m.role === "assistant" && m.stats);
    footer.textContent = last?.stats ? formatStats(last.stats, s.tokPerSec) : "";
}

function renderHeader(s: UiStrings, st: ChatViewState): void {
    const select = el("select", { className: "chat-list", testId: "chat-list", title: s.chats });
    for (const c of st.conversations) {
        const option = el("option", { text: c.title, attrs: { value: c.id } });
        option.selected = c.id === st.current?.id;
        select.append(option);
    }
    if (!st.conversations.length || !st.current) select.append(el("option", { text: s.newChat, attrs: { value: "", selected: "" } }));
    select.addEventListener("change", () => { if (select.value) post({ type: "selectChat", id: select.value }); });
    const id = st.current?.id;
    header.replaceChildren(
        select,
        button("+", "chat-new", () => post({ type: "newChat" }), { title: s.newChat, className: "icon" }),
        button("✎", "chat-rename", () => id && post({ type: "renameChat", id }), { title: s.renameChat, className: "icon" }),
        button("✕", "chat-delete", () => id && post({ type: "deleteChat", id }), { title: s.deleteChat, className: "icon" }),
        button("⤓", "chat-export", () => id && post({ type: "exportChat", id }), { title: s.exportChat, className: "icon" }),
        button("⌫", "chat-clear-all", () => post({ type: "clearAll" }), { title: s.clearAll, className: "icon" }),
    );
}

function renderStatus(s: UiStrings): void {
    const children: HTMLElement[] = [];
    switch (status.kind) {
        case "starting":
            children.push(el("span", { text: s.startingEngine }));
            break;
        case "loading": {
            const pct = Math.round(status.progress * 100);
            const bar = el("progress", { testId: "model-progress", attrs: { max: "100", value: String(pct) } });
            children.push(el("span", { text: fill(s.loadingModel, status.modelName, pct) }), bar);
            break;
        }
        case "noModel":
            children.push(el("span", { text: s.noModel }), el("div", { className: "status-actions" }, [
                button(s.selectModel, "select-model", () => post({ type: "command", command: "selectModel" }), { className: "btn primary" }),
                button(s.downloadModel, "download-model", () => post({ type: "command", command: "downloadModel" })),
            ]));
            break;
        case "error": {
            // The same actions as the notification: the button that fixes it is where the failure shows.
            const labels: Record<PanelCommand, string> = { selectModel: s.selectModel, downloadModel: s.downloadModel, restartEngine: s.restartEngine, showLog: s.showLog };
            const testIds: Record<PanelCommand, string> = { selectModel: "select-model", downloadModel: "download-model", restartEngine: "restart-engine", showLog: "show-log" };
            children.push(el("span", { text: fill(s.engineError, status.message) }), el("div", { className: "status-actions" }, status.actions.map((a, i) =>
                button(labels[a], testIds[a], () => post({ type: "command", command: a }), { className: i === 0 && a !== "showLog" ? "btn primary" : "btn small" }))));
            break;
        }
        default:
            break;
    }
    statusBox.replaceChildren(...children);
    statusBox.hidden = children.length === 0;
    statusBox.dataset.kind = status.kind;
}

onLanguageLoaded(scheduleRender);
post({ type: "ready" });
