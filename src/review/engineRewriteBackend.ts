/**
 * Adapts the EngineService to the pipeline's RewriteBackend (src/core/polish/rewritePipeline.ts): loads the
 * configured model first (so the context size is known), counts tokens with the model's tokenizer and runs chat
 * turns at the low rewrite temperature.
 */
import type { EngineService } from "../engineClient/engineService";
import type { RewriteBackend } from "../core/polish/rewritePipeline";
import { POLISH_TEMPERATURE } from "../core/polish/polishPrompts";

/** Fixed seed: the same selection and instruction give the same proposal, which makes Refine predictable. */
const REWRITE_SEED = 42;

export async function engineRewriteBackend(engine: EngineService, signal?: AbortSignal): Promise<RewriteBackend> {
    const model = await engine.ensureModel(signal);
    return {
        contextSize: model.contextSize,
        countTokens: async (texts) => (await engine.request("tokenize", { texts }, { signal })).counts,
        chat: async (messages, maxTokens, onText, chatSignal) => {
            const result = await engine.request(
                "chat",
                { messages, maxTokens, sampling: { temperature: POLISH_TEMPERATURE, seed: REWRITE_SEED } },
                { signal: chatSignal ?? signal, onEvent: (e) => onText(e.text) },
            );
            return { text: result.text, stopReason: result.stopReason };
        },
    };
}
