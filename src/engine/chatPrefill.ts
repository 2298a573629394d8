/**
 * A chat turn's prompt, evaluated in chunks before LlamaChat generates.
 *
 * LlamaChat evaluates a whole prompt as one request to the context, and node-llama-cpp holds the context's lock from
 * the first batch of a request to the last. Measured on a 6-layer, 768-wide model on one CPU thread: a 3,680-token
 * chat prompt (what another extension sends through VS Code's language-model API) took 40 s to evaluate, and an
 * inline completion that arrived meanwhile waited all 40 s, because erasing its sequence's stale tail needs that
 * lock; cancelling the chat did not stop the evaluation either.
 *
 * Evaluating the same tokens here, a chunk at a time, releases the lock between chunks: before each chunk the turn
 * waits while a completion runs (completions keep priority), and stops when cancelled. LlamaChat then finds the
 * prompt in the KV cache and evaluates only its last token. The tokens are the ones LlamaChat builds itself (the
 * wrapper's context state for the same history and functions); if they ever differed, LlamaChat would erase the
 * differing tail and evaluate it again: slower, never wrong.
 */
import type { ChatHistoryItem, ChatModelFunctions, ChatWrapper, LlamaContextSequence } from "node-llama-cpp" with { "resolution-mode": "import" };
import { EngineError } from "../protocol/engineProtocol";

/** Prompt tokens per chunk: the longest a completion waits for a chat prompt (about 1.4 s on the model above). */
export const CHAT_PREFILL_CHUNK_TOKENS = 128;

export interface PrefillControl {
    signal: AbortSignal;
    /** Resolves when the chat turn may evaluate its next chunk (no completion is running). */
    yieldToCompletions?: () => Promise<void>;
}

export async function prefillChatPrompt(
    sequence: LlamaContextSequence,
    chatWrapper: ChatWrapper,
    history: ChatHistoryItem[],
    functions: ChatModelFunctions | undefined,
    control: PrefillControl,
): Promise<void> {
    const { contextText } = chatWrapper.generateContextState({ chatHistory: history, availableFunctions: functions });
    const tokens = contextText.tokenize(sequence.model.tokenizer);
    if (tokens.length + 1 >= sequence.contextSize) {
        // A prompt that does not fit is shortened by LlamaChat's context shift, which drops earlier messages. When
        // even the system messages and the last user message alone do not fit, it failed ("No tokens to evaluate")
        // or, measured, answered an empty prompt: refuse that case clearly instead.
        const lastUser = history.map((item) => item.type).lastIndexOf("user");
        const essential = history.filter((item, i) => item.type === "system" || i >= Math.max(0, lastUser));
        const minimal = chatWrapper.generateContextState({ chatHistory: essential, availableFunctions: functions }).contextText;
        if (minimal.tokenize(sequence.model.tokenizer).length + 1 >= sequence.contextSize) throw contextOverflow(sequence.contextSize);
        return;
    }
    // LlamaChat evaluates at least the last prompt token itself (it samples the first answer token from it).
    const target = tokens.slice(0, -1);
    await sequence.adaptStateToTokens(target, false);
    for (let next = sequence.nextTokenIndex; next < target.length && !control.signal.aborted; next = sequence.nextTokenIndex) {
        await control.yieldToCompletions?.();
        if (control.signal.aborted) break;
        await sequence.evaluateWithoutGeneratingNewTokens(target.slice(next, next + CHAT_PREFILL_CHUNK_TOKENS));
    }
}

export function contextOverflow(contextSize: number, detail?: string): EngineError {
    return new EngineError("contextOverflow",
        `The request does not fit the model's context of ${contextSize} tokens, even without earlier messages. Send less text, or raise “hearth.contextSize”.`,
        detail);
}
