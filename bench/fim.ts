/**
 * 3. fim_p50_ms_reuse, fim_p95_ms_reuse, fim_p50_ms_noreuse, fim_reuse_p50_ratio: a typing session replayed through
 * Hearth's completion path (requestSuggestion from src/completion/completionEngine.ts: prompt layout, FIM request
 * on the engine's completion sequence, quality rules) with the KV cache reused (the product) and cleared before
 * every request (`reuseCache: false`, the baseline).
 *
 * The session: a stretch of a real source file of this repo is removed and typed back one character at a time;
 * every keystroke asks for a suggestion and waits for it (a typist slower than the model; debounce and
 * latest-wins cancelling are the scheduler's business and are left out so every keystroke is measured).
 * Latency = request → suggestion, on the client. The first request (cold: opening the file) is not counted.
 * Without reuse every request re-evaluates the whole prompt, so only every n-th keystroke is replayed that way.
 * Both modes use the same generation limit and a generous time budget, so they generate the same tokens and
 * the comparison is the cache alone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { requestSuggestion, type CompletionDocument, type ModelFacts } from "../src/completion/completionEngine";
import type { LlmBackend } from "../src/backend/llmBackend";
import { EmbeddedBackend } from "../src/engineClient/embeddedBackend";
import { loadParams, log, median, newEngine, percentile, REPO_ROOT, round, type BenchOptions } from "./lib";

const SOURCE_FILE = "src/engineClient/engineProcess.ts";
const REGION_START = "    private recordCrash(";
const MAX_TOKENS = 16;
const TIME_BUDGET_MS = 60_000;

interface Keystroke {
    doc: CompletionDocument;
}

export function typingSession(keystrokes: number): Keystroke[] {
    const text = fs.readFileSync(path.join(REPO_ROOT, SOURCE_FILE), "utf8");
    const start = text.indexOf(REGION_START);
    if (start < 0) throw new Error(`${SOURCE_FILE} no longer contains "${REGION_START.trim()}"; update bench/fim.ts`);
    const typed = text.slice(start, start + keystrokes);
    const after = text.slice(start + keystrokes);
    const session: Keystroke[] = [];
    for (let k = 0; k <= typed.length; k++) {
        session.push({
            doc: { text: text.slice(0, start) + typed.slice(0, k) + after, offset: start + k, languageId: "typescript", fileName: SOURCE_FILE },
        });
    }
    return session;
}

async function suggest(backend: LlmBackend, facts: ModelFacts, doc: CompletionDocument, reuseCache: boolean) {
    const started = performance.now();
    const r = await requestSuggestion(backend, facts, doc, { maxTokens: MAX_TOKENS, timeBudgetMs: TIME_BUDGET_MS, reuseCache });
    return { ms: performance.now() - started, tokens: r.result?.tokens ?? 0, evaluated: r.result?.evaluatedPromptTokens ?? 0, prompt: r.result?.promptTokens ?? 0 };
}

export async function measureFim(modelPath: string, options: BenchOptions) {
    const keystrokes = options.quick ? 100 : 300;
    const noReuseEvery = options.quick ? 10 : 20;
    const session = typingSession(keystrokes);
    const engine = newEngine();
    // The product's embedded backend, as the completion provider uses it.
    const backend = new EmbeddedBackend(engine, { loadParams: () => loadParams(modelPath, options) });
    try {
        const facts = await backend.ready();
        if (!facts.capabilities.fim) throw new Error(`${path.basename(modelPath)} has no FIM tokens`);

        const cold = await suggest(backend, facts, session[0]!.doc, true);
        log(`  fim cold request: ${cold.ms.toFixed(0)} ms, prompt ${cold.prompt} tokens`);
        const reuse: number[] = [];
        const reuseEvaluated: number[] = [];
        const reuseTokens: number[] = [];
        for (let k = 1; k < session.length; k++) {
            const s = await suggest(backend, facts, session[k]!.doc, true);
            reuse.push(s.ms);
            reuseEvaluated.push(s.evaluated);
            reuseTokens.push(s.tokens);
        }
        log(`  fim reuse: ${reuse.length} keystrokes, p50 ${median(reuse).toFixed(0)} ms, p95 ${percentile(reuse, 95).toFixed(0)} ms, `
            + `median prompt tokens evaluated ${median(reuseEvaluated)}`);

        const noReuse: number[] = [];
        const noReuseTokens: number[] = [];
        let promptTokens = 0;
        for (let k = noReuseEvery; k < session.length; k += noReuseEvery) {
            const s = await suggest(backend, facts, session[k]!.doc, false);
            noReuse.push(s.ms);
            noReuseTokens.push(s.tokens);
            promptTokens = Math.max(promptTokens, s.prompt);
        }
        log(`  fim no reuse: ${noReuse.length} keystrokes, p50 ${median(noReuse).toFixed(0)} ms (prompt up to ${promptTokens} tokens)`);
        return {
            fim_p50_ms_reuse: round(median(reuse), 2),
            fim_p95_ms_reuse: round(percentile(reuse, 95), 2),
            fim_p50_ms_noreuse: round(median(noReuse), 2),
            fim_reuse_p50_ratio: round(median(reuse) / median(noReuse), 4),
            fim_keystrokes_reuse: reuse.length,
            fim_keystrokes_noreuse: noReuse.length,
            fim_prompt_tokens_max: promptTokens,
            fim_evaluated_tokens_p50_reuse: median(reuseEvaluated),
            fim_generated_tokens_mean_reuse: round(reuseTokens.reduce((a, b) => a + b, 0) / reuseTokens.length, 2),
            fim_generated_tokens_mean_noreuse: round(noReuseTokens.reduce((a, b) => a + b, 0) / noReuseTokens.length, 2),
            fim_max_tokens: MAX_TOKENS,
        };
    } finally {
        backend.dispose();
        engine.dispose();
    }
}
