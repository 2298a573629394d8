/**
 * The JSON of one streamed chunk (or of a whole non-streamed answer) from an OpenAI-compatible server, reduced to
 * what Hearth uses: the new text, why it ended, and the token counts. Three shapes arrive:
 *   chat        /v1/chat/completions  {choices:[{delta:{content}, finish_reason}], usage?}
 *   completion  /v1/completions       {choices:[{text, finish_reason}], usage?}
 *   infill      llama-server /infill  {content, stop, stop_type, tokens_predicted, tokens_evaluated, timings}
 * llama-server adds `timings` (prompt_n = evaluated prompt tokens, cache_n = reused ones) to the others too.
 * Pure and defensive: a server's JSON is untrusted input, so anything unexpected reads as "no information".
 */
import type { GenerationResult } from "../../protocol/generation";

export type ChunkShape = "chat" | "completion" | "infill";

export interface ChunkInfo {
    text: string;
    /** Set when the server says the generation ended. */
    finish?: "stop" | "word" | "length" | "other";
    promptTokens?: number;
    completionTokens?: number;
    /** Prompt tokens reused from the server's cache (llama-server cache_n, OpenAI cached_tokens). */
    cachedTokens?: number;
    /** Prompt tokens the server evaluated for this request (llama-server prompt_n). */
    evaluatedPromptTokens?: number;
    /** The server reported an error inside the stream. */
    error?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);

export function readChunk(json: unknown, shape: ChunkShape): ChunkInfo {
    if (!isObject(json)) return { text: "", error: "the server sent something that is not a JSON object" };
    const info: ChunkInfo = { text: "" };
    if (json.error !== undefined) {
        const e = json.error;
        info.error = isObject(e) && typeof e.message === "string" ? e.message : typeof e === "string" ? e : JSON.stringify(e);
        return info;
    }
    if (shape === "infill") {
        info.text = typeof json.content === "string" ? json.content : "";
        if (json.stop === true) {
            info.finish = json.stop_type === "limit" ? "length" : json.stop_type === "word" ? "word" : json.stop_type === "eos" ? "stop" : "other";
            info.completionTokens = num(json.tokens_predicted);
            info.promptTokens = num(json.tokens_evaluated);
        }
    } else {
        const choice = Array.isArray(json.choices) && isObject(json.choices[0]) ? json.choices[0] : undefined;
        if (choice) {
            const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : undefined;
            const text = shape === "chat" ? delta?.content : choice.text;
            info.text = typeof text === "string" ? text : "";
            const reason = choice.finish_reason;
            if (typeof reason === "string") info.finish = reason === "length" ? "length" : reason === "stop" ? "stop" : "other";
        }
        const usage = isObject(json.usage) ? json.usage : undefined;
        if (usage) {
            info.promptTokens = num(usage.prompt_tokens);
            info.completionTokens = num(usage.completion_tokens);
            const details = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : undefined;
            info.cachedTokens = num(details?.cached_tokens);
        }
    }
    const timings = isObject(json.timings) ? json.timings : undefined;
    if (timings) {
        info.evaluatedPromptTokens = num(timings.prompt_n);
        const cached = num(timings.cache_n);
        if (cached !== undefined) info.cachedTokens = cached;
        if (info.completionTokens === undefined && info.finish) info.completionTokens = num(timings.predicted_n);
    }
    for (const key of Object.keys(info) as (keyof ChunkInfo)[]) if (info[key] === undefined) delete info[key];
    return info;
}

/** Adds chunks up into a GenerationResult; `finish()` fills in what the server did not say. */
export class ResultAccumulator {
    text = "";
    private chunks = 0;
    private finishReason: ChunkInfo["finish"];
    private promptTokens?: number;
    private completionTokens?: number;
    private cachedTokens?: number;
    private evaluated?: number;
    private firstTextAt?: number;

    constructor(private readonly startedAt: number, private readonly contextSize: number) {}

    add(info: ChunkInfo, now: number): void {
        if (info.text) {
            this.text += info.text;
            this.chunks++;
            this.firstTextAt ??= now;
        }
        if (info.finish) this.finishReason = info.finish;
        this.promptTokens = info.promptTokens ?? this.promptTokens;
        this.completionTokens = info.completionTokens ?? this.completionTokens;
        this.cachedTokens = info.cachedTokens ?? this.cachedTokens;
        this.evaluated = info.evaluatedPromptTokens ?? this.evaluated;
    }

    get finished(): boolean {
        return this.finishReason !== undefined;
    }

    /**
     * The result as the embedded engine reports it. `ended` says why the client stopped reading: the server
     * finished, the user cancelled, or the time budget ran out. Without usage figures the chunk count stands in for
     * the token count (servers stream about one token per chunk).
     */
    finish(ended: "server" | "cancelled" | "timeBudget", now: number, promptEstimate: number): GenerationResult {
        const tokens = this.completionTokens ?? this.chunks;
        const promptTokens = this.promptTokens ?? promptEstimate;
        const evaluated = this.evaluated ?? (this.cachedTokens !== undefined ? Math.max(0, promptTokens - this.cachedTokens) : promptTokens);
        const totalMs = now - this.startedAt;
        const firstAt = this.firstTextAt ?? now;
        const genSeconds = (now - firstAt) / 1000;
        const stopReason: GenerationResult["stopReason"] = ended === "cancelled" ? "cancelled" : ended === "timeBudget" ? "timeBudget"
            : this.finishReason === "length" ? "maxTokens" : this.finishReason === "word" ? "stop" : "eos";
        return {
            text: this.text,
            tokens,
            promptTokens,
            evaluatedPromptTokens: evaluated,
            stopReason,
            timeToFirstTokenMs: firstAt - this.startedAt,
            totalMs,
            tokensPerSecond: genSeconds > 0 && tokens > 1 ? (tokens - 1) / genSeconds : 0,
            contextUsed: promptTokens + tokens,
            contextSize: this.contextSize,
        };
    }
}
