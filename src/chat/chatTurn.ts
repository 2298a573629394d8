/**
 * One assistant turn, free of `vscode` so the engine integration tests run it against the real engine process:
 * plan the request within the token budget, stream the answer into the message, persist the partial text while
 * streaming, and leave the message in a final state that says what happened (complete, stopped by the user,
 * interrupted by an engine crash with the partial text kept, or failed with the reason).
 */
import { calibrateOverhead, planRequest, type TokenCounter } from "../core/chat/budget";
import type { ChatMessageRecord, Conversation } from "../core/chat/chatModel";
import type { ConversationStore } from "../core/chat/conversationStore";
import type { LlmBackend } from "../engineClient/engineProcess";
import { EngineError } from "../protocol/engineProtocol";
import { errorText } from "../core/errorText";

export interface ChatTurnOptions {
    backend: LlmBackend;
    store: ConversationStore;
    conversation: Conversation;
    /** The assistant message to fill (already the last message, status "streaming"). */
    answer: ChatMessageRecord;
    contextSize: number;
    count: TokenCounter;
    systemPrompt: string;
    maxTokens: number;
    temperature: number;
    /** Learned template overhead for this model (see calibrateOverhead). */
    overheadPerMessage?: number;
    signal: AbortSignal;
    onDelta(text: string): void;
    /** Called once the request is planned (attachments cut, history trimmed): the UI shows the notes. */
    onPlanned?(): void;
    persistIntervalMs?: number;
    log?(message: string): void;
}

export interface ChatTurnOutcome {
    overheadPerMessage?: number;
}

export async function runChatTurn(o: ChatTurnOptions): Promise<ChatTurnOutcome> {
    const { conversation: c, answer } = o;
    const interval = o.persistIntervalMs ?? 1000;
    let lastPersist = Date.now();
    let overhead = o.overheadPerMessage;
    try {
        const index = c.messages.indexOf(answer);
        const user = c.messages[index - 1];
        if (!user || user.role !== "user") throw new EngineError("badRequest", "There is no prompt to answer.");
        const plan = await planRequest({
            systemPrompt: o.systemPrompt,
            history: c.messages.slice(0, index - 1),
            prompt: user.text,
            attachments: user.attachments ?? [],
            contextSize: o.contextSize,
            maxTokens: o.maxTokens,
            overheadPerMessage: overhead,
            keepFrom: previousDrop(c.messages.slice(0, index - 1)),
        }, o.count);
        if (user.attachments?.length) user.attachments = plan.attachments;
        if (plan.droppedMessages > 0) answer.droppedMessages = plan.droppedMessages;
        if (plan.promptCut) answer.promptCut = true;
        o.onPlanned?.();
        const result = await o.backend.request("chat", {
            messages: plan.messages,
            maxTokens: plan.answerTokens,
            sampling: { temperature: o.temperature },
        }, {
            signal: o.signal,
            onEvent: (e) => {
                answer.text += e.text;
                o.onDelta(e.text);
                // The partial answer reaches the disk while streaming: a kill -9 or a reload keeps it.
                if (Date.now() - lastPersist >= interval) {
                    lastPersist = Date.now();
                    o.store.save(c).catch((err) => o.log?.(`Saving the partial answer failed: ${errorText(err)}`));
                }
            },
        });
        answer.text = result.text || answer.text;
        answer.status = result.stopReason === "cancelled" ? "stopped" : "complete";
        answer.stats = {
            tokens: result.tokens, tokensPerSecond: result.tokensPerSecond,
            contextUsed: result.contextUsed, contextSize: result.contextSize, promptTokens: result.promptTokens,
        };
        overhead = calibrateOverhead(plan, result.promptTokens, overhead);
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
    await o.store.save(c).catch((err) => o.log?.(`Saving the chat failed: ${errorText(err)}`));
    return { overheadPerMessage: overhead };
}

/** How many history messages the last answer of this chat left out: the next request starts there or later. */
function previousDrop(history: readonly { role: string; droppedMessages?: number }[]): number {
    for (let i = history.length - 1; i >= 0; i--) {
        const m = history[i]!;
        if (m.role === "assistant") return m.droppedMessages ?? 0;
    }
    return 0;
}
