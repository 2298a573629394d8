/**
 * A chat's long-term memory on the host: when the running summary is written (after an answer, never while the user
 * is typing the next prompt), pins, edits and deletion of the summary, and the figures the panel shows (what pins
 * and summary cost, what room is left). Free of `vscode`: unit-tested with a fake backend.
 */
import type { LlmBackend } from "../backend/llmBackend";
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS, historyText, promptBudget } from "../core/chat/budget";
import { pinBudget } from "../core/chat/memory";
import { conversationLanguage } from "../core/chat/summaryPrompts";
import type { ChatMessageRecord, Conversation } from "../protocol/conversation";
import type { ChatMemoryView } from "../protocol/webviewProtocol";
import { ChatSummariser, type SummariserSettings, type SummaryOutcome } from "./chatSummariser";
import type { ChatTurnMemory } from "./chatTurn";

/** After the user cleared the prompt without sending, wait this long before summarising what was put off. */
const RETRY_AFTER_IDLE_MS = 2000;

export interface ChatMemoryOptions {
    backend: LlmBackend;
    memory: ChatTurnMemory;
    save(c: Conversation): Promise<void>;
    settings(c?: Conversation): SummariserSettings;
    /** The summary, a pin or the summarising state changed: republish. */
    onDidChange(c: Conversation): void;
    /** True while an answer streams (the summariser waits for it). */
    isAnswering(): boolean;
    log?(message: string): void;
    retryAfterIdleMs?: number;
}

export type PinResult = { ok: true } | { ok: false; tokens: number; room: number };

export class ChatMemory {
    readonly summariser: ChatSummariser;
    private composing = false;
    /** Chats whose summary was put off (the user was typing) or cancelled: written when the user is idle again. */
    private readonly putOff = new Set<Conversation>();
    private retryTimer: ReturnType<typeof setTimeout> | undefined;
    /** Exact token counts by text (pins, summaries, system prompt), filled in the background for the panel. */
    private readonly counts = new Map<string, number>();
    private counting = false;
    private lastOutcome: Promise<SummaryOutcome> = Promise.resolve("unneeded");

    constructor(private readonly o: ChatMemoryOptions) {
        this.summariser = new ChatSummariser({
            backend: o.backend, memory: o.memory, save: o.save, settings: o.settings, onDidChange: o.onDidChange, log: o.log,
        });
    }

    get summarisingId(): string | undefined {
        return this.summariser.activeId;
    }

    /** An answer finished: summarise now, unless the user is already typing the next prompt. */
    afterAnswer(c: Conversation): Promise<SummaryOutcome> {
        if (this.composing) {
            this.putOff.add(c);
            return Promise.resolve("cancelled");
        }
        return this.summarise(c);
    }

    /** The webview says the prompt box went from empty to not empty (or back). */
    setComposing(active: boolean): void {
        this.composing = active;
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        if (active) {
            void this.cancel();
        } else if (this.putOff.size) {
            this.retryTimer = setTimeout(() => this.retry(), this.o.retryAfterIdleMs ?? RETRY_AFTER_IDLE_MS);
        }
    }

    /** The user sent what they typed: they are no longer composing (the answer's end starts the summary). */
    promptSent(): void {
        this.composing = false;
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
    }

    /** Stops a summary being written (a new answer starts, the chat changes); it is planned again later. */
    async cancel(): Promise<void> {
        const id = this.summariser.activeId;
        await this.summariser.cancel();
        if (id) await this.lastOutcome;
    }

    /** The chat is being deleted: nothing may write it again (a put-off summary would recreate its file). */
    async forget(id: string): Promise<void> {
        for (const c of [...this.putOff]) if (c.id === id) this.putOff.delete(c);
        if (this.summariser.activeId === id) await this.cancel();
        for (const c of [...this.putOff]) if (c.id === id) this.putOff.delete(c);
    }

    /** Resolves when no summary is being written (tests, shutdown). */
    async idle(): Promise<void> {
        await this.lastOutcome;
    }

    /**
     * Pins or unpins a message. Pins together may use PIN_SHARE of the prompt budget; a pin over that is refused
     * with the figures. Pinning a summarised message brings it back verbatim.
     */
    async pin(c: Conversation, id: string, pinned: boolean): Promise<PinResult> {
        const m = c.messages.find((x) => x.id === id);
        if (!m || !!m.pinned === pinned) return { ok: true };
        await this.cancel();
        if (pinned) {
            const model = this.o.backend.model;
            const others = c.messages.filter((x) => x.pinned && x !== m);
            const tokens = await this.countExact([historyText(m), ...others.map(historyText)]);
            const used = tokens.slice(1).reduce((a, b) => a + b, 0);
            const room = model ? pinBudget(model.contextSize, this.o.settings(c).maxTokens) - used : Number.POSITIVE_INFINITY;
            if (tokens[0]! > room) return { ok: false, tokens: tokens[0]!, room: Math.max(0, room) };
            m.pinned = true;
            if (m.summarised) {
                m.summarised = false;
                if (c.summary) c.summary.coveredMessages = Math.max(0, c.summary.coveredMessages - 1);
            }
        } else {
            delete m.pinned;
        }
        await this.changed(c);
        return { ok: true };
    }

    /** The user's own text replaces the summary; the next request sends it and later updates build on it. */
    async editSummary(c: Conversation, text: string): Promise<void> {
        await this.cancel();
        const covered = c.messages.filter((m) => m.summarised).length;
        c.summary = {
            text: text.trim(),
            coveredMessages: covered,
            tokens: (await this.countExact([text.trim()]))[0]!,
            language: c.summary?.language ?? conversationLanguage(c.messages),
            updatedAt: Date.now(),
            edited: true,
        };
        await this.changed(c);
    }

    /** Forgets: the summarised messages stay out of the requests and no summary stands in for them. */
    async deleteSummary(c: Conversation): Promise<void> {
        if (!c.summary) return;
        await this.editSummary(c, "");
    }

    /**
     * Messages are about to be removed from `c` (edit and resend of an earlier prompt). A summary covering any of
     * them describes a conversation that no longer exists: it goes, and what remains is summarised again when needed.
     */
    truncating(c: Conversation, removed: readonly ChatMessageRecord[]): void {
        if (!removed.some((m) => m.summarised)) return;
        void this.cancel();
        delete c.summary;
        for (const m of c.messages) delete m.summarised;
    }

    /** What the panel shows about this chat's memory. */
    view(c: Conversation | undefined, systemPrompt: string): ChatMemoryView {
        const settings = this.o.settings(c);
        const pins = c?.messages.filter((m) => m.pinned) ?? [];
        const model = this.o.backend.model;
        const overhead = Math.max(MESSAGE_OVERHEAD_TOKENS, this.o.memory.overheadPerMessage ?? 0);
        const texts = [systemPrompt, ...pins.map(historyText), c?.summary?.text ?? ""];
        const exact = texts.every((t) => this.counts.has(t));
        if (!exact && model) void this.refreshCounts(texts, c);
        const tokens = texts.map((t) => this.counts.get(t) ?? estimateTokens(t));
        const [system, ...rest] = tokens;
        const summaryTokens = rest.pop()!;
        const pinnedTokens = rest.reduce((a, b) => a + b + overhead, 0);
        const budget = model ? promptBudget(model.contextSize, settings.maxTokens) : undefined;
        return {
            enabled: settings.enabled,
            summarising: c !== undefined && this.summariser.activeId === c.id,
            pinnedCount: pins.length,
            pinnedTokens,
            summaryTokens,
            budget,
            room: budget === undefined ? undefined : Math.max(0, budget - system! - overhead - pinnedTokens - summaryTokens),
            pinRoom: model ? Math.max(0, pinBudget(model.contextSize, settings.maxTokens) - pinnedTokens) : undefined,
            estimated: !exact,
        };
    }

    dispose(): void {
        if (this.retryTimer) clearTimeout(this.retryTimer);
        void this.summariser.cancel();
    }

    private summarise(c: Conversation): Promise<SummaryOutcome> {
        this.putOff.delete(c);
        const outcome = this.summariser.update(c).then((r) => {
            if (r === "cancelled") this.putOff.add(c);
            return r;
        }, () => "failed" as const);
        this.lastOutcome = outcome;
        return outcome;
    }

    private retry(): void {
        this.retryTimer = undefined;
        if (this.composing || this.o.isAnswering()) return;
        const next = [...this.putOff].pop();
        if (next) void this.summarise(next);
    }

    private async changed(c: Conversation): Promise<void> {
        this.o.onDidChange(c);
        await this.o.save(c);
    }

    /** Real counts when a model is ready (never loads one), estimates otherwise. */
    private async countExact(texts: string[]): Promise<number[]> {
        const r = await this.o.backend.countTokens(texts).catch(() => ({ counts: texts.map(estimateTokens), estimated: true }));
        if (!r.estimated) texts.forEach((t, i) => this.counts.set(t, r.counts[i]!));
        return r.counts;
    }

    private async refreshCounts(texts: string[], c: Conversation | undefined): Promise<void> {
        if (this.counting) return;
        this.counting = true;
        try {
            const missing = texts.filter((t) => !this.counts.has(t));
            await this.countExact(missing);
            // Bounded: the panel only ever needs the texts of the chat on screen.
            while (this.counts.size > 500) this.counts.delete(this.counts.keys().next().value as string);
        } finally {
            this.counting = false;
        }
        if (c && texts.every((t) => this.counts.has(t))) this.o.onDidChange(c);
    }
}
