/**
 * One assistant turn, free of `vscode` so the engine integration tests run it against the real engine process:
 * make the model ready, plan the request within the token budget, stream the answer into the message, and leave
 * the message in a final state that says what happened (complete, stopped by the user, interrupted by an engine
 * crash with the partial text kept, or failed with the reason).
 *
 * The turn owns saving its conversation: once when it starts (the answer marked "streaming"), while streaming (so a
 * kill -9 or a reload keeps the partial answer) and once when it ends. Callers only publish.
 */
import { MESSAGE_OVERHEAD_TOKENS, calibrateOverhead, cachedCounter, planRequest, promptBudget, type RequestPlan, type TokenCounter } from "../core/chat/budget";
import type { KnowledgeScopeName } from "../core/chat/grounding";
import type { ConversationStore } from "../core/chat/conversationStore";
import { errorText } from "../core/errorText";
import type { LlmBackend } from "../backend/llmBackend";
import type { ChatMessageRecord, Conversation } from "../protocol/conversation";
import { EngineError } from "../protocol/engineProtocol";
import { groundTurn, type GroundingDeps } from "./groundedTurn";
import { lastHistoryStart } from "../core/chat/memory";

/**
 * Estimated token counts (a backend without a tokenizer) are raised by this factor before budgeting, so an
 * underestimate cannot push a request past the context.
 */
const ESTIMATE_MARGIN = 1.25;

/** What a chat learns about its model across turns: token counts (cached) and the template's overhead. */
export interface ChatTurnMemory {
    modelId?: string;
    count?: TokenCounter;
    overheadPerMessage?: number;
}

export interface ChatTurnOptions {
    backend: LlmBackend;
    store: ConversationStore;
    conversation: Conversation;
    /** The assistant message to fill (already the last message, status "streaming"). */
    answer: ChatMessageRecord;
    /** Kept by the caller between turns of the same chat view. */
    memory: ChatTurnMemory;
    systemPrompt: string;
    maxTokens: number;
    temperature: number;
    signal: AbortSignal;
    onDelta(text: string): void;
    /** Called once the request is planned (attachments cut, history trimmed): the UI shows the notes. */
    onPlanned?(plan?: RequestPlan): void;
    persistIntervalMs?: number;
    log?(message: string): void;
    /** Saving failed (disk full, no permission): the caller tells the user; the turn goes on in memory. */
    onSaveError?(err: unknown): void;
    /** Retrieval for this turn (@workspace / @library, large attached files); see groundedTurn.ts. */
    grounding?: TurnGrounding;
    /** Continue: `answer` holds an answer cut at the token limit; the model goes on with it (same message). */
    continuing?: boolean;
}

export interface TurnGrounding {
    /** The question without its @workspace / @library prefix. */
    question: string;
    scope?: KnowledgeScopeName;
    deps: Pick<GroundingDeps, "search">;
    /** The answer when the index has nothing relevant (localised by the caller); the model is not asked. */
    nothingFoundText: string;
}

/** Share of the prompt budget that attachments and retrieved sources may take together. */
const ATTACHMENT_SHARE = 0.75;

export async function runChatTurn(o: ChatTurnOptions): Promise<void> {
    const { conversation: c, answer } = o;
    const interval = o.persistIntervalMs ?? 1000;
    const save = (what: string) => o.store.save(c).catch((err) => {
        o.log?.(`Saving ${what} failed: ${errorText(err)}`);
        o.onSaveError?.(err);
    });
    let lastPersist = Date.now();
    c.updatedAt = lastPersist;
    await save("the chat");
    try {
        const index = c.messages.indexOf(answer);
        const user = c.messages[index - 1];
        if (!user || user.role !== "user") throw new EngineError("badRequest", "There is no prompt to answer.");
        const model = await o.backend.ready(o.signal);
        const count = counterFor(o.memory, model.id, o.backend);
        let systemPrompt = o.systemPrompt;
        // Continue: the partial answer goes with the request as the model's own unfinished turn, and takes room.
        const partial = o.continuing ? answer.text : "";
        const partialTokens = partial ? (await count([partial]))[0]! + (o.memory.overheadPerMessage ?? MESSAGE_OVERHEAD_TOKENS) : 0;
        const previousTokens = o.continuing ? answer.stats?.tokens ?? 0 : 0;
        if (o.grounding && !o.continuing) {
            const grounded = await groundTurn({
                question: o.grounding.question, scope: o.grounding.scope, attachments: user.attachments ?? [],
                room: Math.floor(promptBudget(model.contextSize, o.maxTokens) * ATTACHMENT_SHARE),
                deps: { search: o.grounding.deps.search, countTokens: count }, signal: o.signal,
            });
            user.attachments = grounded.attachments.length ? grounded.attachments : undefined;
            answer.sources = grounded.sources.length ? grounded.sources : undefined;
            if (grounded.nothingFound && !grounded.sources.length) {
                // Nothing in the index is about this: say so rather than let the model guess.
                answer.text = o.grounding.nothingFoundText;
                answer.status = "complete";
                o.onPlanned?.();
                c.updatedAt = Date.now();
                await save("the chat");
                return;
            }
            if (grounded.instruction) systemPrompt = `${systemPrompt}\n\n${grounded.instruction}`;
        }
        const plan = await planRequest({
            systemPrompt,
            history: c.messages.slice(0, index - 1),
            prompt: user.text,
            attachments: user.attachments ?? [],
            contextSize: model.contextSize,
            maxTokens: o.maxTokens + partialTokens,
            overheadPerMessage: o.memory.overheadPerMessage,
            keepFrom: lastHistoryStart(c.messages.slice(0, index - 1)),
            summary: c.summary?.text,
        }, count);
        if (user.attachments?.length) user.attachments = plan.attachments;
        if (plan.droppedMessages > 0) answer.historyStart = plan.droppedMessages;
        // The note under the answer counts only what the model lost: summarised and pinned messages it still knows.
        if (plan.forgottenMessages > 0) answer.droppedMessages = plan.forgottenMessages;
        if (plan.promptCut) answer.promptCut = true;
        const messages = partial ? [...plan.messages, { role: "assistant" as const, text: partial }] : plan.messages;
        o.onPlanned?.({ ...plan, messages });
        const result = await o.backend.chat({
            messages,
            maxTokens: partial ? Math.max(16, plan.answerTokens - partialTokens) : plan.answerTokens,
            ...(partial ? { continueLast: true } : {}),
            sampling: { temperature: o.temperature },
        }, {
            signal: o.signal,
            onText: (text) => {
                answer.text += text;
                o.onDelta(text);
                // The partial answer reaches the disk while streaming: a kill -9 or a reload keeps it.
                if (Date.now() - lastPersist >= interval) {
                    lastPersist = Date.now();
                    void save("the partial answer");
                }
            },
        });
        answer.text = partial
            ? (answer.text.length > partial.length ? answer.text : partial + result.text)
            : result.text || answer.text;
        answer.status = result.stopReason === "cancelled" ? "stopped" : result.stopReason === "maxTokens" ? "cut" : "complete";
        answer.stats = {
            tokens: previousTokens + result.tokens, tokensPerSecond: result.tokensPerSecond,
            contextUsed: result.contextUsed, contextSize: result.contextSize, promptTokens: result.promptTokens,
        };
        // A continued answer's prompt holds the partial answer too: it says nothing about the template's overhead.
        if (!partial) o.memory.overheadPerMessage = calibrateOverhead(plan, result.promptTokens, o.memory.overheadPerMessage);
    } catch (err) {
        const code = err instanceof EngineError ? err.code : "internal";
        if (code === "cancelled" || o.signal.aborted) answer.status = "stopped";
        else {
            answer.status = answer.text ? "interrupted" : "error";
            answer.error = errorText(err);
            o.log?.(`Chat request failed: ${answer.error}`);
        }
    }
    c.updatedAt = Date.now();
    await save("the chat");
}

/** The chat's token counter for this model: cached per text, estimates padded; a new model starts afresh. */
export function counterFor(memory: ChatTurnMemory, modelId: string, backend: LlmBackend): TokenCounter {
    if (memory.modelId !== modelId || !memory.count) {
        memory.modelId = modelId;
        memory.overheadPerMessage = undefined;
        memory.count = cachedCounter(async (texts) => {
            const r = await backend.countTokens(texts);
            return r.estimated ? r.counts.map((n) => Math.ceil(n * ESTIMATE_MARGIN)) : r.counts;
        });
    }
    return memory.count;
}
