/**
 * Adapts the backend to the rewrite pipeline's RewriteBackend (src/core/polish/rewritePipeline.ts): makes the model
 * ready first (so the context size is known), counts tokens with the model's tokenizer and runs chat turns at the
 * low rewrite temperature. Used by Polish and Fix with Hearth, on whichever backend the user chose.
 */
import type { LlmBackend } from "../backend/llmBackend";
import type { RewriteBackend } from "../core/polish/rewritePipeline";
import { POLISH_TEMPERATURE } from "../core/polish/polishPrompts";

/** Fixed seed: the same selection and instruction give the same proposal, which makes Refine predictable. */
const REWRITE_SEED = 42;

export async function rewriteBackend(backend: LlmBackend, signal?: AbortSignal): Promise<RewriteBackend> {
    const model = await backend.ready(signal);
    return {
        contextSize: model.contextSize,
        countTokens: async (texts) => (await backend.countTokens(texts, signal)).counts,
        chat: async (messages, maxTokens, onText, chatSignal) => {
            const result = await backend.chat(
                { messages, maxTokens, sampling: { temperature: POLISH_TEMPERATURE, seed: REWRITE_SEED } },
                { signal: chatSignal ?? signal, onText },
            );
            return { text: result.text, stopReason: result.stopReason };
        },
    };
}
