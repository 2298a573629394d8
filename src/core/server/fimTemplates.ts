/**
 * Fill-in-the-middle prompts for servers without an infill endpoint of their own (vLLM, LM Studio): the raw
 * /v1/completions prompt in the special tokens the model family was trained with. The family is recognised from the
 * model id the server reports; when the server can tokenize, the backend also checks that each marker really is one
 * token of the model's vocabulary before it trusts the match (an instruct model of a coder family is not enough).
 *
 * Only families whose FIM format is documented by their authors are listed: a wrong guess gives garbage
 * suggestions, so an unknown model falls back to prefix-only completion instead.
 */

export interface FimTemplate {
    family: string;
    prefix: string;
    suffix: string;
    middle: string;
    /** Suffix-prefix-middle order (Codestral): the suffix block comes first. */
    suffixFirst?: boolean;
    /** Extra stop strings: end-of-file markers some families emit after the middle. */
    stop: string[];
}

const QWEN_CODER: Omit<FimTemplate, "family"> = {
    prefix: "<|fim_prefix|>", suffix: "<|fim_suffix|>", middle: "<|fim_middle|>", stop: ["<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|repo_name|>"],
};

const FAMILIES: { match: RegExp; template: FimTemplate }[] = [
    { match: /qwen[\w.]*-?coder|qwen3-coder/i, template: { family: "Qwen-Coder", ...QWEN_CODER } },
    { match: /deepseek-?coder/i, template: { family: "DeepSeek-Coder", prefix: "<｜fim▁begin｜>", suffix: "<｜fim▁hole｜>", middle: "<｜fim▁end｜>", stop: ["<｜end▁of▁sentence｜>"] } },
    { match: /starcoder|stable-?code|refact/i, template: { family: "StarCoder", prefix: "<fim_prefix>", suffix: "<fim_suffix>", middle: "<fim_middle>", stop: ["<|endoftext|>", "<file_sep>"] } },
    { match: /codegemma/i, template: { family: "CodeGemma", prefix: "<|fim_prefix|>", suffix: "<|fim_suffix|>", middle: "<|fim_middle|>", stop: ["<|file_separator|>", "<eos>"] } },
    { match: /codestral/i, template: { family: "Codestral", prefix: "[PREFIX]", suffix: "[SUFFIX]", middle: "", suffixFirst: true, stop: ["</s>"] } },
];

export function fimTemplateFor(modelId: string): FimTemplate | undefined {
    return FAMILIES.find((f) => f.match.test(modelId))?.template;
}

/** The markers whose single-token-ness proves the template fits the model. */
export function fimMarkers(template: FimTemplate): string[] {
    return [template.prefix, template.suffix, template.middle].filter((m) => m.length > 0);
}

/**
 * The raw prompt: extra context (other files) first, then the family's PRE/SUF/MID layout. The cursor line's start
 * belongs to the prefix here (the standard layout these models were trained on).
 */
export function formatFimPrompt(template: FimTemplate, parts: { extraContext: string; prefix: string; suffix: string }): string {
    if (template.suffixFirst) return `${parts.extraContext}${template.suffix}${parts.suffix}${template.prefix}${parts.prefix}${template.middle}`;
    return `${parts.extraContext}${template.prefix}${parts.prefix}${template.suffix}${parts.suffix}${template.middle}`;
}
