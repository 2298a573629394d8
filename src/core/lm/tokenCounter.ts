/**
 * Token counts for VS Code's `provideTokenCount`, which it calls for every message of every prompt it builds, many
 * times per request. Exact counts come from the model's tokenizer and are cached per model; the misses of one tick
 * go to the tokenizer together in one request. When no tokenizer is available (no model loaded yet: counting never
 * loads one) the answer is an estimate, at once: characters per token measured on this model's earlier exact
 * counts when there are any, else Hearth's generic estimate. Estimates are never cached, so the next call after the
 * model is ready is exact.
 */
import { createHash } from "node:crypto";
import { estimateTokens } from "../chat/budget";

export interface CountResult {
    counts: number[];
    /** True when the counts are estimates (the backend had no tokenizer ready). */
    estimated: boolean;
}

/** Counts `texts` on the current model (the backend's countTokens; it must never load a model). */
export type CountTexts = (texts: string[]) => Promise<CountResult>;

/** Texts at least this long calibrate the characters-per-token ratio of a model. */
const CALIBRATION_MIN_CHARS = 64;
/** Texts longer than this are cached under a hash instead of themselves (VS Code sends whole files). */
const HASH_KEY_CHARS = 256;

interface Pending {
    text: string;
    resolve(n: number): void;
    reject(err: unknown): void;
}

export class TokenCounter {
    private readonly cache = new Map<string, number>();
    /** Characters per token, per model, from exact counts (a running average weighted by length). */
    private readonly ratios = new Map<string, { chars: number; tokens: number }>();
    private batch: { model: string; pending: Pending[] } | undefined;
    /** Exact counts served from the cache / by the tokenizer, and estimates: for tests and the log. */
    readonly stats = { cached: 0, counted: 0, estimated: 0, tokenizerCalls: 0 };

    constructor(private readonly countTexts: CountTexts, private readonly maxEntries = 4000) {}

    /** Tokens of `text` on model `model` (an id that changes whenever the tokenizer may change). */
    count(model: string, text: string): Promise<number> {
        if (text.length === 0) return Promise.resolve(0);
        const key = cacheKey(model, text);
        const hit = this.cache.get(key);
        if (hit !== undefined) {
            // Refresh its place: the least recently used entry is the one dropped.
            this.cache.delete(key);
            this.cache.set(key, hit);
            this.stats.cached++;
            return Promise.resolve(hit);
        }
        return new Promise<number>((resolve, reject) => {
            if (this.batch && this.batch.model !== model) this.flush();
            if (!this.batch) {
                this.batch = { model, pending: [] };
                queueMicrotask(() => this.flush());
            }
            this.batch.pending.push({ text, resolve, reject });
        });
    }

    /** An estimate from this model's measured characters per token, or Hearth's generic one. */
    estimate(model: string, text: string): number {
        const ratio = this.ratios.get(model);
        if (!ratio || ratio.tokens === 0) return estimateTokens(text);
        return Math.ceil(text.length / (ratio.chars / ratio.tokens));
    }

    private flush(): void {
        const batch = this.batch;
        this.batch = undefined;
        if (!batch || batch.pending.length === 0) return;
        const texts = [...new Set(batch.pending.map((p) => p.text))];
        this.stats.tokenizerCalls++;
        this.countTexts(texts).then(({ counts, estimated }) => {
            const byText = new Map<string, number>();
            texts.forEach((t, i) => {
                const n = estimated ? this.estimate(batch.model, t) : counts[i]!;
                byText.set(t, n);
                if (!estimated) this.remember(batch.model, t, n);
            });
            for (const p of batch.pending) {
                if (estimated) this.stats.estimated++;
                else this.stats.counted++;
                p.resolve(byText.get(p.text)!);
            }
        }, (err: unknown) => batch.pending.forEach((p) => p.reject(err)));
    }

    private remember(model: string, text: string, tokens: number): void {
        this.cache.set(cacheKey(model, text), tokens);
        while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
        if (text.length >= CALIBRATION_MIN_CHARS && tokens > 0) {
            const r = this.ratios.get(model) ?? { chars: 0, tokens: 0 };
            this.ratios.set(model, { chars: r.chars + text.length, tokens: r.tokens + tokens });
        }
    }
}

function cacheKey(model: string, text: string): string {
    const body = text.length <= HASH_KEY_CHARS ? text : `#${text.length}:${createHash("sha1").update(text).digest("base64")}`;
    return `${model}\u0000${body}`;
}
