/**
 * Writes a chat's running summary after an answer, free of `vscode` so the engine integration test runs this very
 * class against the real engine (test/engine/chatMemory60.test.ts).
 *
 * It never delays an answer: it starts only once an answer finished, runs as a background generation (not shown as
 * "generating", not stopped by Stop Generation), and the chat cancels it the moment the user starts typing or
 * sends; the work is simply planned again after the next answer. Each step folds one chunk of old messages into
 * the summary (summary so far + newly left-out messages → new summary, src/core/chat/memory.ts) and is saved at
 * once, so a cancelled run keeps the chunks it finished.
 */
import type { LlmBackend } from "../backend/llmBackend";
import { cutToFit, MESSAGE_OVERHEAD_TOKENS, safetyMargin, type TokenCounter } from "../core/chat/budget";
import { lastHistoryStart, planCompaction, summaryBudget } from "../core/chat/memory";
import {
    buildSummaryRequest,
    cleanSummary,
    conversationLanguage,
    formatForSummary,
    wrongLanguage,
} from "../core/chat/summaryPrompts";
import type { PromptLanguage } from "../core/chat/systemPrompt";
import { errorText } from "../core/errorText";
import type { ChatMessageRecord, Conversation } from "../protocol/conversation";
import type { GenerationResult } from "../protocol/generation";
import { counterFor, type ChatTurnMemory } from "./chatTurn";

/** Summaries are factual: little randomness. */
const SUMMARY_TEMPERATURE = 0.2;
/** After a failed update, skip this many answers before trying again (doubling, up to MAX_BACKOFF). */
const FIRST_BACKOFF = 1;
const MAX_BACKOFF = 8;

export type SummaryOutcome =
    /** Nothing needed summarising. */
    | "unneeded"
    /** The summary was written or extended. */
    | "updated"
    /** Cancelled (the user typed or sent); planned again after the next answer. */
    | "cancelled"
    /** The model gave nothing usable or the request failed; retried later. */
    | "failed"
    /** Switched off in the settings, or waiting after a failure. */
    | "skipped";

export interface SummariserSettings {
    enabled: boolean;
    systemPrompt: string;
    maxTokens: number;
}

export interface ChatSummariserOptions {
    backend: LlmBackend;
    /** The chat's turn memory: the same token counter and template overhead as its requests. */
    memory: ChatTurnMemory;
    save(c: Conversation): Promise<void>;
    /** The settings that apply to `c` (its system prompt names the language of its newest prompt). */
    settings(c: Conversation): SummariserSettings;
    /** A summarising run started or ended, or the summary changed: the panel shows it. */
    onDidChange?(c: Conversation): void;
    log?(message: string): void;
}

interface Run {
    conversation: Conversation;
    controller: AbortController;
    done: Promise<SummaryOutcome>;
}

export class ChatSummariser {
    private run: Run | undefined;
    private readonly backoff = new Map<string, { skip: number; next: number }>();

    constructor(private readonly o: ChatSummariserOptions) {}

    /** The conversation whose summary is being written now, if any. */
    get activeId(): string | undefined {
        return this.run?.conversation.id;
    }

    /** Plans and writes what the next requests would otherwise have to leave out. Resolves when done. */
    async update(c: Conversation): Promise<SummaryOutcome> {
        await this.cancel();
        const settings = this.o.settings(c);
        if (!settings.enabled || this.waiting(c.id)) return "skipped";
        if (c.messages.at(-1)?.status === "streaming") return "skipped";
        const controller = new AbortController();
        const done = this.summarise(c, settings, controller.signal);
        const run: Run = { conversation: c, controller, done };
        this.run = run;
        try {
            const outcome = await done;
            if (outcome === "failed") this.failed(c.id);
            if (outcome === "updated" || outcome === "unneeded") this.backoff.delete(c.id);
            return outcome;
        } finally {
            if (this.run === run) this.run = undefined;
            this.o.onDidChange?.(c);
        }
    }

    /** Stops a run in progress (the user is typing, sends, or changes the chat) and waits until it has let go. */
    async cancel(): Promise<void> {
        const run = this.run;
        if (!run) return;
        run.controller.abort();
        await run.done.catch(() => undefined);
    }

    private async summarise(c: Conversation, settings: SummariserSettings, signal: AbortSignal): Promise<SummaryOutcome> {
        try {
            const model = await this.o.backend.ready(signal);
            const count = counterFor(this.o.memory, model.id, this.o.backend);
            let updated = false;
            // Plan, then fold the plan's messages chunk by chunk (one request each); plan again in case more is due.
            for (let round = 0; round < 4; round++) {
                const plan = await planCompaction({
                    systemPrompt: settings.systemPrompt, messages: c.messages, contextSize: model.contextSize, maxTokens: settings.maxTokens,
                    overheadPerMessage: this.o.memory.overheadPerMessage, keepFrom: lastHistoryStart(c.messages),
                }, count);
                if (signal.aborted) return "cancelled";
                if (!plan) return updated ? "updated" : "unneeded";
                if (!updated) this.o.onDidChange?.(c);
                let left = plan.messages;
                while (left.length) {
                    const outcome = await this.step(c, left, model.contextSize, settings.maxTokens, count, signal);
                    if (outcome !== "updated") return outcome;
                    updated = true;
                    left = left.filter((m) => !m.summarised);
                }
            }
            return "updated";
        } catch (err) {
            if (signal.aborted) return "cancelled";
            this.o.log?.(`Summarising the earlier messages of “${c.title}” failed: ${errorText(err)}`);
            return "failed";
        }
    }

    /** Folds as many of `messages` (oldest first) as fit one request into the summary; saves the result. */
    private async step(c: Conversation, messages: readonly ChatMessageRecord[], contextSize: number, maxTokens: number, count: TokenCounter, signal: AbortSignal): Promise<SummaryOutcome> {
        const target = summaryBudget(contextSize, maxTokens);
        const language = conversationLanguage(c.messages);
        let previous = c.summary?.text ?? "";
        // A summary written for a bigger context is cut to this one's budget before it is built on.
        const previousTokens = previous ? (await count([previous]))[0]! : 0;
        if (previousTokens > target) previous = (await cutToFit(previous, previousTokens, target, count)).trim();
        const overhead = Math.max(MESSAGE_OVERHEAD_TOKENS, this.o.memory.overheadPerMessage ?? 0);
        const frame = buildSummaryRequest({ previous, messages: [], language, targetTokens: target, insist: true });
        const frameTokens = (await count(frame.map((m) => m.text))).reduce((a, b) => a + b + overhead, 0);
        // The request must fit the context with room for a full-length summary.
        const room = contextSize - target - safetyMargin(contextSize) - frameTokens - overhead;
        if (room <= 16) throw new Error(`the context (${contextSize} tokens) is too small to summarise in`);
        const chunk: ChatMessageRecord[] = [];
        const texts: string[] = [];
        let used = 0;
        for (const m of messages) {
            const text = formatForSummary(m, language);
            const tokens = (await count([text]))[0]! + 2;
            if (used + tokens > room) {
                // A single message bigger than the whole room is cut; otherwise it waits for the next step.
                if (chunk.length === 0) {
                    const cut = await cutToFit(m.text, tokens, room - 48, count);
                    texts.push(formatForSummary({ ...m, text: cut }, language, true));
                    chunk.push(m);
                }
                break;
            }
            used += tokens;
            texts.push(text);
            chunk.push(m);
        }
        let text = await this.ask(buildSummaryRequest({ previous, messages: texts, language, targetTokens: target }), target, signal);
        if (text !== undefined && wrongLanguage(text, language)) {
            this.o.log?.(`The summary came back in the wrong language (${language} expected); asking once more.`);
            text = await this.ask(buildSummaryRequest({ previous, messages: texts, language, targetTokens: target, insist: true }), target, signal);
        }
        if (signal.aborted) return "cancelled";
        if (!text) return "failed";
        let tokens = (await count([text]))[0]!;
        if (tokens > target) {
            // Stored trimmed: the system message sends it trimmed, and the two must be the same text.
            text = (await cutToFit(text, tokens, target, count)).trim();
            tokens = (await count([text]))[0]!;
        }
        if (signal.aborted) return "cancelled";
        if (!text) return "failed";
        return this.apply(c, chunk, text, tokens, language);
    }

    /** One summary request as a background generation; the cleaned text, or undefined when cancelled. */
    private async ask(messages: ReturnType<typeof buildSummaryRequest>, target: number, signal: AbortSignal): Promise<string | undefined> {
        let result: GenerationResult;
        try {
            result = await this.o.backend.chat(
                { messages, maxTokens: target, sampling: { temperature: SUMMARY_TEMPERATURE } },
                { signal, background: true },
            );
        } catch (err) {
            if (signal.aborted) return undefined;
            throw err;
        }
        if (signal.aborted || result.stopReason === "cancelled") return undefined;
        return cleanSummary(result.text, result.stopReason === "maxTokens");
    }

    /** Marks the chunk summarised and stores the new summary, unless the chat changed under it. */
    private async apply(c: Conversation, chunk: readonly ChatMessageRecord[], text: string, tokens: number, language: PromptLanguage): Promise<SummaryOutcome> {
        // Every change to a chat cancels its run first; this guards against a change that did not.
        if (!chunk.every((m) => c.messages.includes(m) && !m.summarised && !m.pinned)) return "cancelled";
        for (const m of chunk) m.summarised = true;
        c.summary = {
            text,
            coveredMessages: (c.summary?.coveredMessages ?? 0) + chunk.length,
            tokens,
            language,
            updatedAt: Date.now(),
        };
        this.o.onDidChange?.(c);
        await this.o.save(c);
        return "updated";
    }

    private waiting(id: string): boolean {
        const b = this.backoff.get(id);
        if (!b || b.skip <= 0) return false;
        b.skip--;
        return true;
    }

    private failed(id: string): void {
        const b = this.backoff.get(id);
        const next = b ? Math.min(MAX_BACKOFF, b.next * 2) : FIRST_BACKOFF;
        this.backoff.set(id, { skip: next, next });
    }
}
