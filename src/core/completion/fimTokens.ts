/**
 * Finds a model's fill-in-the-middle tokens. llama.cpp reads `tokenizer.ggml.fim_pre/suf/mid_token_id` and also
 * recognises the spellings below in the vocabulary (node-llama-cpp exposes the result as model.tokens.infill); for
 * a model where that found nothing (metadata missing and a spelling this llama.cpp build does not know) we look the
 * spellings of the known families up ourselves: a spelling counts only when
 * tokenizing it with special tokens gives exactly one token and without them gives several (a real special token,
 * not text that happens to be short). Structural types only: the engine passes node-llama-cpp's model.
 */

export interface FimTokens {
    prefix: number;
    suffix: number;
    middle: number;
    /** Where the ids came from: the model's metadata/llama.cpp, or our vocabulary lookup (with the spelling). */
    source: "model" | `vocab:${string}`;
}

export interface FimTokenSource {
    tokens: { infill: { prefix: number | null; suffix: number | null; middle: number | null } };
    tokenize(text: string, specialTokens: boolean): readonly number[];
}

/** [prefix, suffix, middle] spellings, by family. Order matters only when a vocabulary has several. */
export const FIM_SPELLINGS: ReadonlyArray<readonly [string, string, string]> = [
    ["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"], // Qwen2.5-Coder, StarCoder2 (some conversions)
    ["<fim_prefix>", "<fim_suffix>", "<fim_middle>"], // StarCoder, StarCoder2, Granite
    ["<fim-prefix>", "<fim-suffix>", "<fim-middle>"], // CodeGemma style, Refact
    ["<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>"], // DeepSeek-Coder (full-width bars, ▁)
    ["<|code_prefix|>", "<|code_suffix|>", "<|code_middle|>"], // GLM-4.5
    ["<|prefix|>", "<|suffix|>", "<|middle|>"], // Falcon-H1-Tiny-Coder
    ["▁<PRE>", "▁<SUF>", "▁<MID>"], // CodeLlama
    ["<PRE>", "<SUF>", "<MID>"], // CodeLlama conversions without the leading ▁
];

export function detectFimTokens(model: FimTokenSource): FimTokens | undefined {
    const { prefix, suffix, middle } = model.tokens.infill;
    if (prefix != null && suffix != null && middle != null) return { prefix, suffix, middle, source: "model" };
    for (const spelling of FIM_SPELLINGS) {
        const ids = spelling.map((s) => specialTokenId(model, s));
        if (ids.every((id): id is number => id !== undefined) && new Set(ids).size === 3) {
            return { prefix: ids[0]!, suffix: ids[1]!, middle: ids[2]!, source: `vocab:${spelling[0]}` };
        }
    }
    return undefined;
}

function specialTokenId(model: FimTokenSource, text: string): number | undefined {
    const special = model.tokenize(text, true);
    if (special.length !== 1) return undefined;
    return model.tokenize(text, false).length > 1 ? special[0] : undefined;
}
