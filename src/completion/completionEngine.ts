/**
 * The inline-completion path without VS Code: used by the provider, the integration tests and the benchmark.
 *
 *   requestSuggestion(backend: LlmBackend, model: ModelFacts, doc: CompletionDocument, options: SuggestionOptions)
 *       : Promise<SuggestionResult>
 *     One request: lays the prompt out (FIM when the model has FIM tokens, else prefix-only), sends `infill` or
 *     `complete` on the "completion" sequence, applies the quality rules to the stream and stops the engine as soon
 *     as they have decided (`options.signal` aborts it too). `result` is the engine's GenerationResult
 *     (evaluatedPromptTokens, timeToFirstTokenMs, stopReason...).
 *
 *   new CompletionSession(backend, { debounceMs, events? })
 *     .suggest(docKey, model, doc, options): Promise<SuggestionResult | undefined>
 *     What a keystroke calls: answers from the cache when the user typed into an earlier suggestion, otherwise
 *     schedules requestSuggestion latest-wins (debounced, previous one aborted, at most one in flight).
 *     undefined = superseded or cancelled.
 *
 * `ModelFacts` is the part of the backend's model that matters here ({ id, contextSize, capabilities.fim }).
 * calibrateCharsPerToken(backend, sample) measures the model's characters per token once (the session does it per
 * model); pass it as options.charsPerToken so the prompt fits the context in tokens.
 */
import type { BackendModel, LlmBackend } from "../backend/llmBackend";
import { LatestOnlyScheduler, type SchedulerEvents } from "../core/completion/latestOnlyScheduler";
import { processSuggestion, type SuggestionContext } from "../core/completion/postprocess";
import {
    budgetFor,
    charsPerTokenFrom,
    layoutPrompt,
    plainPrompt,
    type CompletionDocument,
    type CompletionPromptLayout,
    type ContextSnippet,
} from "../core/completion/promptLayout";
import { SuggestionCache } from "../core/completion/suggestionCache";
import type { GenerationResult, SamplingOptions } from "../protocol/generation";

export type { CompletionDocument, ContextSnippet };

export type ModelFacts = Pick<BackendModel, "id" | "contextSize"> & { capabilities: Pick<BackendModel["capabilities"], "fim"> };

export interface SuggestionOptions {
    maxTokens: number;
    timeBudgetMs: number;
    /** Snippets of other files, oldest first (see SnippetRing). */
    snippets?: readonly ContextSnippet[];
    /** Measured with calibrateCharsPerToken; budgets the prompt windows in characters. Default 3. */
    charsPerToken?: number;
    /** false clears the completion sequence first (the benchmark's "reuse off"). */
    reuseCache?: boolean;
    signal?: AbortSignal;
    /** Called with the suggestion so far while it streams (after the quality rules). */
    onPartial?: (text: string) => void;
}

export interface SuggestionResult {
    /** The ghost text to show at the cursor; empty when the rules left nothing worth showing. */
    text: string;
    /** What the model produced (before the quality rules). */
    raw: string;
    kind: "infill" | "plain" | "cache";
    /** The engine's answer; absent for cache hits. */
    result?: GenerationResult;
    /** Generation was stopped early because the quality rules had already cut the text. */
    stoppedByRules: boolean;
}

/** Code completion samples greedily-ish: low temperature, no repeat penalty (code repeats on purpose). */
export const COMPLETION_SAMPLING: SamplingOptions = { temperature: 0.1, topK: 20, topP: 0.95, repeatPenalty: 1, seed: 42 };

export async function requestSuggestion(
    backend: LlmBackend,
    model: ModelFacts,
    doc: CompletionDocument,
    options: SuggestionOptions,
): Promise<SuggestionResult> {
    const layout = layoutPrompt(doc, budgetFor(model.contextSize, options.maxTokens, options.charsPerToken), options.snippets ?? []);
    const ctx: SuggestionContext = layout;
    const rulesStop = new AbortController();
    const signal = anySignal(options.signal, rulesStop.signal);
    let raw = "";
    const onText = (text: string) => {
        raw += text;
        const partial = processSuggestion(raw, ctx, false);
        if (partial.complete && !rulesStop.signal.aborted) rulesStop.abort();
        options.onPartial?.(partial.text);
    };
    const common = {
        maxTokens: options.maxTokens,
        timeBudgetMs: options.timeBudgetMs,
        sampling: COMPLETION_SAMPLING,
        stop: stopStrings(layout),
        reuseCache: options.reuseCache,
    };
    const kind = model.capabilities.fim ? "infill" : "plain";
    const result = kind === "infill"
        ? await backend.infill({
            ...common,
            extraContext: layout.extraContext,
            prefix: layout.prefix,
            suffix: layout.suffix,
            currentLinePrefix: layout.currentLinePrefix,
        }, { signal, onText })
        : await backend.complete({ ...common, sequence: "completion", prompt: plainPrompt(layout) }, { signal, onText });
    // A cancelled result carries only what was streamed; otherwise the result text is complete.
    if (result.stopReason !== "cancelled") raw = result.text;
    const processed = processSuggestion(raw, ctx, true);
    return { text: processed.text, raw, kind, result, stoppedByRules: rulesStop.signal.aborted && !options.signal?.aborted };
}

/** Characters per token of the loaded model, measured on (up to 4,000 characters of) `sample`. */
export async function calibrateCharsPerToken(backend: LlmBackend, sample: string, signal?: AbortSignal): Promise<number> {
    const text = sample.slice(0, 4000);
    const { counts } = await backend.countTokens([text], signal);
    return charsPerTokenFrom(text.length, counts[0] ?? 0);
}

/**
 * Strings after which nothing can survive the quality rules, so the engine stops by itself without a round trip:
 * mid-line and prose suggestions end at the line end. Multi-line code is cut by the rules while it streams.
 */
export function stopStrings(layout: CompletionPromptLayout): string[] {
    const singleLine = layout.mode === "prose" || layout.lineSuffix.trim().length > 0;
    return singleLine ? ["\n"] : [];
}

export interface CompletionSessionOptions {
    debounceMs: () => number;
    events?: SchedulerEvents;
    cacheSize?: number;
}

/** Cache + latest-wins scheduling around requestSuggestion: one per backend (the provider keeps one). */
export class CompletionSession {
    readonly cache: SuggestionCache;
    readonly scheduler: LatestOnlyScheduler;
    private readonly ratios = new Map<string, number>();

    constructor(private readonly backend: LlmBackend, options: CompletionSessionOptions) {
        this.cache = new SuggestionCache(options.cacheSize ?? 32);
        this.scheduler = new LatestOnlyScheduler(options.debounceMs, options.events);
    }

    /** Instant answer from an earlier suggestion the user is typing through, if any. */
    fromCache(docKey: string, doc: CompletionDocument): SuggestionResult | undefined {
        const hit = this.cache.get(docKey, doc.text, doc.offset);
        return hit ? { text: hit.text, raw: hit.text, kind: "cache", stoppedByRules: false } : undefined;
    }

    async suggest(docKey: string, model: ModelFacts | (() => Promise<ModelFacts>), doc: CompletionDocument, options: SuggestionOptions & { skipCache?: boolean }): Promise<SuggestionResult | undefined> {
        const cached = options.skipCache ? undefined : this.fromCache(docKey, doc);
        if (cached) {
            // A newer keystroke supersedes whatever was still scheduled for an older cursor position.
            this.scheduler.cancel();
            return cached;
        }
        const outcome = await this.scheduler.schedule(async (signal) => {
            const facts = typeof model === "function" ? await model() : model;
            const charsPerToken = options.charsPerToken ?? await this.charsPerTokenFor(facts, doc, signal);
            return requestSuggestion(this.backend, facts, doc, { ...options, charsPerToken, signal });
        }, options.signal);
        // Partial answers (time budget) are cached too: typing through them is still instant.
        if (outcome && (outcome.result?.stopReason !== "cancelled" || outcome.stoppedByRules)) {
            this.cache.put(docKey, doc.text, doc.offset, outcome.text);
        }
        return outcome;
    }

    cancel(): void {
        this.scheduler.cancel();
    }

    /** Measured once per model (a changing ratio would move the prompt windows and defeat the KV cache). */
    private async charsPerTokenFor(model: ModelFacts, doc: CompletionDocument, signal: AbortSignal): Promise<number> {
        const key = model.id;
        let ratio = this.ratios.get(key);
        if (ratio === undefined) {
            const around = doc.text.slice(Math.max(0, doc.offset - 2000), doc.offset + 2000);
            ratio = around.length >= 200 ? await calibrateCharsPerToken(this.backend, around, signal) : undefined;
            if (ratio !== undefined) this.ratios.set(key, ratio);
        }
        return ratio ?? 3;
    }
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
    const controller = new AbortController();
    for (const s of signals) {
        if (!s) continue;
        if (s.aborted) {
            controller.abort();
            break;
        }
        s.addEventListener("abort", () => controller.abort(), { once: true });
    }
    return controller.signal;
}
