/**
 * The token limits Hearth announces to VS Code for a model: what one request may really use. The answer gets
 * `hearth.chat.maxTokens` (at most half the context, so a prompt always has room), the prompt the rest of the
 * context the backend actually allocated; VS Code budgets its prompts by these numbers, so together they never
 * exceed the context.
 */
export interface ModelLimits {
    maxInputTokens: number;
    maxOutputTokens: number;
}

export function modelLimits(contextSize: number, maxTokensSetting: number): ModelLimits {
    const context = Math.max(2, Math.floor(contextSize));
    const maxOutputTokens = Math.max(1, Math.min(Math.floor(maxTokensSetting), Math.floor(context / 2)));
    return { maxInputTokens: context - maxOutputTokens, maxOutputTokens };
}

/**
 * The answer length for one request: the caller's `maxTokens` / `max_tokens` model option when it gives one (VS
 * Code passes model options through untouched), within the announced limit.
 */
export function requestMaxTokens(modelOptions: { readonly [name: string]: unknown } | undefined, limits: ModelLimits): number {
    const asked = modelOptions?.maxTokens ?? modelOptions?.max_tokens;
    return typeof asked === "number" && Number.isFinite(asked) && asked >= 1
        ? Math.min(Math.floor(asked), limits.maxOutputTokens)
        : limits.maxOutputTokens;
}

/** The caller's temperature model option when valid (0–2), else undefined (the user's setting applies). */
export function requestTemperature(modelOptions: { readonly [name: string]: unknown } | undefined): number | undefined {
    const t = modelOptions?.temperature;
    return typeof t === "number" && Number.isFinite(t) && t >= 0 && t <= 2 ? t : undefined;
}
