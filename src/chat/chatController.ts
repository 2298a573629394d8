/**
 * The chat's state and behaviour on the host: conversations (kept in a ConversationStore on disk), the pending
 * attachments, and the one answer being generated. Each answer is one chat turn (chatTurn.ts: budget, stream,
 * save) on the backend the user chose; the controller batches streamed text for the webview and publishes state.
 */
import * as vscode from "vscode";
import { getSetting } from "../config/settings";
import { promptBudget } from "../core/chat/budget";
import { newId, summarize, titleForFirstPrompt } from "../core/chat/chatModel";
import { type Attachment, type ChatMessageRecord, type Conversation, type SourceRef } from "../protocol/conversation";
import type { ConversationStore } from "../core/chat/conversationStore";
import { buildSystemPrompt, mentionsCurrentFile } from "../core/chat/systemPrompt";
import type { LlmBackend } from "../backend/llmBackend";
import type { ModelGate } from "../backend/modelGate";
import type { ChatViewState, HostToWebviewMessage } from "../protocol/webviewProtocol";
import { currentFileAttachment, type EditorTracker } from "./chatAttachments";
import { errorText } from "../core/errorText";
import { runChatTurn, type ChatTurnMemory, type TurnGrounding } from "./chatTurn";
import { parseScope } from "../core/chat/grounding";
import type { KnowledgeIndexStatus } from "../protocol/knowledge";
import type { KnowledgeApi } from "../services";
import { ChatMemory } from "./chatMemory";
import type { ChatMessage } from "../protocol/generation";
import { saveErrorMessage } from "./chatSaveErrors";

/** How often the partial answer is written to disk while streaming. */
const PERSIST_INTERVAL_MS = 1000;
/** How often streamed text is posted to the webview (it renders once per animation frame on its side). */
const STREAM_FLUSH_MS = 40;

interface Streaming {
    conversation: Conversation;
    message: ChatMessageRecord;
    controller: AbortController;
    done: Promise<void>;
}

export interface SendOptions {
    /** Resend from this user message: it and everything after it are replaced. */
    editOf?: string;
    /** Shown instead of the prompt (Explain Error sends a long prompt with a short title). */
    displayText?: string;
    /** Answer from this index (the panel's @workspace toggle); typing @workspace / @library does the same. */
    scope?: "workspace" | "library";
    /** Start a new chat for this turn (an empty open chat is reused). */
    newChat?: boolean;
    /** Sent with this turn instead of the pending attachments (which stay for the user's next prompt). */
    attachments?: Attachment[];
}

export class ChatController implements vscode.Disposable {
    private conversations: Conversation[] = [];
    private currentId: string | undefined;
    private pending: Attachment[] = [];
    private notices: string[] = [];
    private streaming: Streaming | undefined;
    private unsentDelta = "";
    private flushTimer: NodeJS.Timeout | undefined;
    /** Token counts and template overhead learned about the model, kept across turns. */
    private readonly turnMemory: ChatTurnMemory = {};
    private lastSaveError: string | undefined;
    /** Pins, the running summary and when it is written. */
    readonly memory: ChatMemory;
    /** The messages of the last chat request, as sent (tests; what the model really saw). */
    lastRequest: readonly ChatMessage[] | undefined;
    private readonly emitter = new vscode.EventEmitter<HostToWebviewMessage>();
    readonly onMessage = this.emitter.event;
    readonly ready: Promise<void>;

    constructor(
        private readonly backend: LlmBackend,
        private readonly store: ConversationStore,
        private readonly tracker: EditorTracker,
        private readonly log: vscode.LogOutputChannel,
        /** First contact: with no model yet, the answer waits for the user to choose one (Select / Download Model). */
        private readonly gate?: Pick<ModelGate, "ensure">,
        /** The knowledge index: @workspace / @library questions and large attached files are answered from it. */
        private readonly knowledge?: Pick<KnowledgeApi, "search" | "status">,
    ) {
        this.memory = new ChatMemory({
            backend,
            memory: this.turnMemory,
            save: (c) => this.store.save(c).catch((err) => this.reportSaveError(c, err)),
            settings: (c) => ({
                enabled: getSetting("chat.summarizeHistory"),
                systemPrompt: buildSystemPrompt(getSetting("chat.systemPrompt"), lastUserText(c)),
                maxTokens: getSetting("chat.maxTokens"),
            }),
            onDidChange: (c) => { if (c === this.current) this.publish(); },
            isAnswering: () => this.streaming !== undefined,
            log: (m) => this.log.warn(m),
        });
        this.ready = this.load();
    }

    private async load(): Promise<void> {
        try {
            const loaded = await this.store.load();
            this.conversations = loaded.conversations;
            this.currentId = loaded.state.currentId && this.find(loaded.state.currentId) ? loaded.state.currentId : this.conversations[0]?.id;
            this.notices.push(...loaded.problems);
            for (const p of loaded.problems) this.log.warn(`Chat history: ${p}`);
        } catch (err) {
            const text = vscode.l10n.t("Hearth could not read the chat history in {0}: {1}", this.store.dir, errorText(err));
            this.notices.push(text);
            this.log.error(text);
        }
    }

    get current(): Conversation | undefined {
        return this.currentId ? this.find(this.currentId) : undefined;
    }

    get isStreaming(): boolean {
        return this.streaming !== undefined;
    }

    viewState(): ChatViewState {
        const model = this.backend.model;
        return {
            conversations: this.conversations.map(summarize),
            current: this.current,
            pending: this.pending,
            streamingId: this.streaming?.message.id,
            notices: this.notices,
            attachmentRoom: model ? Math.floor(promptBudget(model.contextSize, getSetting("chat.maxTokens")) * 0.75) : undefined,
            memory: this.memory.view(this.current, buildSystemPrompt(getSetting("chat.systemPrompt"), lastUserText(this.current))),
        };
    }

    /** Conversations in memory, newest first (tests and the in-host suite read this). */
    list(): readonly Conversation[] {
        return this.conversations;
    }

    dismissNotices(): void {
        this.notices = [];
    }

    newChat(): void {
        // An empty chat is not saved until it has a message; reuse it rather than piling up empty ones.
        const current = this.current;
        if (current && current.messages.length === 0) return this.publish();
        const now = Date.now();
        const c: Conversation = { id: newId("c"), title: vscode.l10n.t("New Chat"), createdAt: now, updatedAt: now, messages: [] };
        this.conversations.unshift(c);
        this.select(c.id);
    }

    select(id: string): void {
        if (!this.find(id)) return;
        this.currentId = id;
        void this.store.saveState({ currentId: id }).catch((err) => this.log.warn(`Saving chat state: ${errorText(err)}`));
        this.publish();
    }

    rename(id: string, title: string): void {
        const c = this.find(id);
        if (!c || !title.trim()) return;
        c.title = title.trim();
        c.titleByUser = true;
        this.touchAndSave(c);
    }

    async deleteChat(id: string): Promise<void> {
        if (this.streaming?.conversation.id === id) await this.stopAndWait();
        await this.memory.forget(id);
        this.conversations = this.conversations.filter((c) => c.id !== id);
        if (this.currentId === id) this.currentId = this.conversations[0]?.id;
        await this.store.delete(id);
        this.publish();
    }

    async clearAll(): Promise<void> {
        await this.stopAndWait();
        const ids = this.conversations.map((c) => c.id);
        for (const id of ids) await this.memory.forget(id);
        this.conversations = [];
        this.currentId = undefined;
        this.pending = [];
        await Promise.all(ids.map((id) => this.store.delete(id)));
        this.publish();
    }

    async deleteMessage(id: string): Promise<void> {
        const c = this.current;
        if (!c) return;
        if (this.streaming?.message.id === id) await this.stopAndWait();
        if (this.memory.summarisingId === c.id) await this.memory.cancel();
        const removed = c.messages.find((m) => m.id === id);
        c.messages = c.messages.filter((m) => m.id !== id);
        if (removed?.summarised && c.summary) c.summary.coveredMessages = Math.max(0, c.summary.coveredMessages - 1);
        this.touchAndSave(c);
    }

    addAttachments(attachments: Attachment[]): void {
        this.pending.push(...attachments);
        this.publish();
    }

    removeAttachment(id: string): void {
        this.pending = this.pending.filter((a) => a.id !== id);
        this.publish();
    }

    stop(): void {
        this.streaming?.controller.abort();
    }

    async stopAndWait(): Promise<void> {
        const s = this.streaming;
        if (!s) return;
        s.controller.abort();
        await s.done;
    }

    /** Sends a prompt as a new user turn (or replaces an earlier one) and streams the answer; resolves when done. */
    async send(text: string, options: SendOptions = {}): Promise<void> {
        await this.ready;
        if (!text.trim()) return;
        await this.stopAndWait();
        // The answer never waits for a summary: one being written stops here and is planned again afterwards.
        await this.memory.cancel();
        if (!this.current || options.newChat) this.newChat();
        const c = this.current!;
        if (options.editOf) {
            const index = c.messages.findIndex((m) => m.id === options.editOf);
            if (index >= 0) {
                this.memory.truncating(c, c.messages.slice(index));
                c.messages = c.messages.slice(0, index);
            }
        }
        let attachments = options.attachments ?? this.pending;
        if (!options.attachments) this.pending = [];
        if (attachments.length === 0 && !options.attachments && mentionsCurrentFile(text)) {
            const auto = await currentFileAttachment(this.tracker, this.backend).catch(() => undefined);
            if (auto) attachments = [auto];
        }
        const user: ChatMessageRecord = {
            id: newId("m"), role: "user", text, status: "complete", createdAt: Date.now(),
            displayText: options.displayText, attachments: attachments.length ? attachments : undefined,
            scope: options.scope ?? parseScope(text).scope,
        };
        if (c.messages.length === 0) c.title = titleForFirstPrompt(c, options.displayText ?? text);
        c.messages.push(user);
        await this.generate(c);
    }

    /** Replaces the last answer with a new one for the same prompt. */
    async regenerate(): Promise<void> {
        await this.ready;
        await this.stopAndWait();
        await this.memory.cancel();
        const c = this.current;
        if (!c) return;
        while (c.messages.at(-1)?.role === "assistant") c.messages.pop();
        if (c.messages.at(-1)?.role !== "user") return this.publish();
        await this.generate(c);
    }

    /** Continue: goes on with the last answer, which was cut at the token limit, in the same message. */
    async continueAnswer(): Promise<void> {
        await this.ready;
        await this.stopAndWait();
        await this.memory.cancel();
        const c = this.current;
        const last = c?.messages.at(-1);
        if (!c || last?.role !== "assistant" || last.status !== "cut" || !last.text) return this.publish();
        last.status = "streaming";
        await this.generate(c, last);
    }

    private async generate(c: Conversation, continued?: ChatMessageRecord): Promise<void> {
        const answer: ChatMessageRecord = continued ?? { id: newId("m"), role: "assistant", text: "", status: "streaming", createdAt: Date.now() };
        if (!continued) c.messages.push(answer);
        const controller = new AbortController();
        let finish!: () => void;
        const done = new Promise<void>((resolve) => (finish = resolve));
        this.streaming = { conversation: c, message: answer, controller, done };
        this.show(c);
        try {
            const user = c.messages.at(-2)!;
            // Declined or stopped: the turn then fails with "no model" (or is marked stopped) like any request would.
            await this.gate?.ensure(vscode.l10n.t("Hearth needs a model to answer. Choose a GGUF model on this machine or download one; your question is kept and answered then."), controller.signal);
            // The turn saves the conversation (start, while streaming, end); a failure is recorded in the answer.
            await runChatTurn({
                backend: this.backend,
                store: this.store,
                conversation: c,
                answer,
                memory: this.turnMemory,
                systemPrompt: buildSystemPrompt(getSetting("chat.systemPrompt"), user.text),
                maxTokens: getSetting("chat.maxTokens"),
                temperature: getSetting("chat.temperature"),
                signal: controller.signal,
                onDelta: (text) => this.queueDelta(answer.id, text),
                onPlanned: (plan) => {
                    this.lastRequest = plan?.messages;
                    this.publish();
                },
                persistIntervalMs: PERSIST_INTERVAL_MS,
                log: (m) => this.log.warn(m),
                onSaveError: (err) => this.reportSaveError(c, err),
                grounding: this.grounding(user),
                continuing: continued !== undefined,
            });
        } finally {
            this.flushDelta();
            this.streaming = undefined;
            this.show(c);
            finish();
        }
        if (answer.status === "complete" || answer.status === "cut" || (answer.status === "stopped" && answer.text)) void this.memory.afterAnswer(c);
    }

    /** Retrieval for the turn answering `user` (none without a knowledge index). */
    private grounding(user: ChatMessageRecord): TurnGrounding | undefined {
        const knowledge = this.knowledge;
        if (!knowledge) return undefined;
        const question = parseScope(user.text).question || user.text;
        return {
            question,
            scope: user.scope,
            deps: { search: (query, scope, limit, signal) => knowledge.search(query, { scope, limit, signal }) },
            nothingFoundText: user.scope ? nothingFoundText(user.scope, knowledge.status(user.scope)) : "",
        };
    }

    /** The place source `n` of an answer points to, as the index recorded it. */
    source(messageId: string, n: number): SourceRef | undefined {
        for (const c of this.conversations) {
            const m = c.messages.find((x) => x.id === messageId);
            if (m) return m.sources?.find((x) => x.n === n);
        }
        return undefined;
    }

    private queueDelta(messageId: string, text: string): void {
        this.unsentDelta += text;
        this.flushTimer ??= setTimeout(() => this.flushDelta(messageId), STREAM_FLUSH_MS);
    }

    private flushDelta(messageId = this.streaming?.message.id): void {
        if (this.flushTimer) clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
        if (this.unsentDelta && messageId) this.emitter.fire({ type: "stream", messageId, text: this.unsentDelta });
        this.unsentDelta = "";
    }

    /** A change made here (rename, delete a message): this controller owns saving it. */
    private touchAndSave(c: Conversation): void {
        c.updatedAt = Date.now();
        void this.store.save(c).catch((err) => this.reportSaveError(c, err));
        this.show(c);
    }

    /** One message per distinct failure: a full disk must not raise a toast for every streamed second. */
    private reportSaveError(c: Conversation, err: unknown): void {
        const text = errorText(err);
        this.log.error(`Saving chat “${c.title}”: ${text}`);
        if (text === this.lastSaveError) return;
        this.lastSaveError = text;
        void vscode.window.showErrorMessage(saveErrorMessage(err, this.store.dir));
    }

    /** Newest chat first, `c` current if nothing is, and the panel updated. */
    private show(c: Conversation): void {
        this.conversations.sort((a, b) => b.updatedAt - a.updatedAt);
        if (this.currentId === undefined) {
            this.currentId = c.id;
            void this.store.saveState({ currentId: c.id }).catch(() => undefined);
        }
        this.publish();
    }

    /** Sends the whole state to the webview (structural changes; streamed text goes as small `stream` deltas). */
    publish(): void {
        this.flushDelta();
        this.emitter.fire({ type: "state", state: this.viewState() });
    }

    find(id: string): Conversation | undefined {
        return this.conversations.find((c) => c.id === id);
    }

    dispose(): void {
        this.streaming?.controller.abort();
        this.memory.dispose();
        if (this.flushTimer) clearTimeout(this.flushTimer);
        this.emitter.dispose();
    }
}

/** What a grounded question gets when the index has nothing relevant: why, and what to do next. */
function nothingFoundText(scope: "workspace" | "library", status: KnowledgeIndexStatus): string {
    const t = vscode.l10n.t;
    const name = scope === "workspace" ? t("workspace") : t("library");
    if (status.state === "building" && status.progress) {
        return t("I found nothing about this in your {0} index yet: it is still being built ({1} of {2} files). Ask again in a moment.",
            name, status.progress.done, status.progress.total);
    }
    if (status.state === "error") {
        return t("Hearth could not search your {0}: its index could not be built ({1}). See the Hearth log, then run “Hearth: Rebuild Index”.",
            name, status.error ?? "");
    }
    if (status.state === "empty" || status.files === 0) {
        return scope === "library"
            ? t("Your library has no indexed documents yet. Add a folder with “Hearth: Add Folder to Library…”, then ask again.")
            : t("This workspace has no index yet (or it was cleared). Run “Hearth: Rebuild Index”, then ask again.");
    }
    return t("I found nothing about this in your {0} ({1} files indexed), so I won't guess. Try other words, or attach the file you mean.", name, status.files);
}

/** The newest prompt of a chat: the system prompt names its language. */
function lastUserText(c: Conversation | undefined): string {
    const messages = c?.messages ?? [];
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return messages[i]!.text;
    return "";
}
