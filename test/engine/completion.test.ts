/**
 * Inline completions through the real engine process (dist/engine.mjs), driven by the same vscode-free path the
 * provider uses (src/completion/completionEngine.ts). Threads pinned to 1.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { calibrateCharsPerToken, CompletionSession, requestSuggestion, type CompletionDocument } from "../../src/completion/completionEngine";
import type { StreamOptions } from "../../src/backend/llmBackend";
import type { ChatParams, CompleteParams, GenerationResult, InfillParams } from "../../src/protocol/generation";
import type { EmbeddedBackend } from "../../src/engineClient/embeddedBackend";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import { embeddedBackend, newEngineProcess, overrideBackend, testLoadParams as params } from "../helpers/embedded";
import { fixture, REPO_ROOT } from "../helpers/fixtures";
import { llamaCppVocab } from "../helpers/llamaVocab";
import { detectFimTokens } from "../../src/core/completion/fimTokens";
import { budgetFor, layoutPrompt } from "../../src/core/completion/promptLayout";
import { ensureRandomGguf, QWEN25_CODER_FIM_IDS, QWEN25_CODER_FIM_TOKENS, type RandomGgufSpec } from "../helpers/ggufWriter";

const CACHE_DIR = path.join(REPO_ROOT, ".cache", "test-models");

function percentile(values: number[], p: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** A real source file of this repository, cursor inside a function body. */
function sourceDocument(): CompletionDocument {
    const text = fs.readFileSync(path.join(REPO_ROOT, "src", "core", "completion", "postprocess.ts"), "utf8");
    const anchor = "    let depth = 0;\n    let lastBalanced";
    const offset = text.indexOf(anchor) + "    let depth = ".length;
    assert.ok(offset > 1000, "anchor found");
    return { text, offset, languageId: "typescript", fileName: "src/core/completion/postprocess.ts" };
}

function typeAt(doc: CompletionDocument, chars: string): CompletionDocument {
    return { ...doc, text: doc.text.slice(0, doc.offset) + chars + doc.text.slice(doc.offset), offset: doc.offset + chars.length };
}

const TINY_FIM: RandomGgufSpec = {
    name: "completion-fim", layers: 2, embedding: 64, heads: 4, headsKv: 2, feedForward: 128, contextLength: 2048,
    vocab: { kind: "synthetic" }, fim: "append", neverGenerate: "eog", tensorType: "Q8_0", seed: 6,
};

describe("inline completions through the real engine", function () {
    this.timeout(120_000);
    let engine: EngineProcess;
    let backend: EmbeddedBackend;
    let modelPath = "";
    beforeEach(() => {
        engine = newEngineProcess();
        backend = embeddedBackend(engine, () => params(modelPath));
    });
    afterEach(() => {
        backend.dispose();
        engine.dispose();
    });
    /** Loads `file` through the product's backend (the same `ready()` the provider calls). */
    const load = (file: string) => {
        modelPath = file;
        return backend.ready();
    };

    it("a generated model with FIM tokens takes the FIM path: PRE/SUF/MID layout, only the typed tail is evaluated", async () => {
        const written = await ensureRandomGguf(CACHE_DIR, TINY_FIM);
        const model = await load(written.path);
        assert.equal(model.capabilities.fim, true);
        const doc = sourceDocument();
        const snippets = [{ label: "src/core/completion/promptLayout.ts", text: "export type CompletionMode = \"code\" | \"prose\";" }];
        const charsPerToken = await calibrateCharsPerToken(backend, doc.text);
        const options = { maxTokens: 8, timeBudgetMs: 5000, snippets, charsPerToken };

        const cold = await requestSuggestion(backend, model, doc, { ...options, reuseCache: false });
        assert.equal(cold.kind, "infill");
        const r1 = cold.result!;
        assert.equal(r1.evaluatedPromptTokens, r1.promptTokens, "reuse off: the whole prompt is evaluated");

        // The prompt is exactly [bos] extra PRE prefix SUF suffix MID line: compare with the engine's own token counts.
        const layout = layoutPrompt(doc, budgetFor(model.contextSize, options.maxTokens, charsPerToken), snippets);
        const { counts } = await engine.request("tokenize", { texts: [layout.extraContext, layout.prefix, layout.suffix, layout.currentLinePrefix] });
        const textTokens = counts.reduce((a, b) => a + b, 0);
        assert.ok(r1.promptTokens === textTokens + 3 || r1.promptTokens === textTokens + 4,
            `prompt ${r1.promptTokens} tokens = text ${textTokens} + 3 FIM markers (+ BOS)`);
        assert.ok(r1.promptTokens > 300, `a long prompt (${r1.promptTokens} tokens)`);

        const warm = await requestSuggestion(backend, model, typeAt(doc, "0"), options);
        const r2 = warm.result!;
        const lineTokens = counts[3]!;
        console.log(`      FIM prompt ${r2.promptTokens} tokens: cold evaluated ${r1.evaluatedPromptTokens} in ${r1.timeToFirstTokenMs.toFixed(1)} ms,`
            + ` after a typed character ${r2.evaluatedPromptTokens} in ${r2.timeToFirstTokenMs.toFixed(1)} ms`);
        assert.ok(r2.evaluatedPromptTokens >= 1 && r2.evaluatedPromptTokens <= lineTokens + 2,
            `after one typed character only the cursor line's tail is evaluated (${r2.evaluatedPromptTokens} of ${r2.promptTokens})`);
    });

    it("stories260K (no FIM tokens) takes the prefix-only fallback, stops at the line end for prose, and reuses the cache", async () => {
        const model = await load(fixture("stories260K.gguf"));
        assert.equal(model.capabilities.fim, false);
        const text = "Once upon a time, there was a little girl named Lily. She loved to";
        const doc: CompletionDocument = { text, offset: text.length, languageId: "plaintext" };
        const first = await requestSuggestion(backend, model, doc, { maxTokens: 48, timeBudgetMs: 5000 });
        assert.equal(first.kind, "plain");
        assert.ok(first.text.trim().length > 0, `a suggestion (${JSON.stringify(first.raw)})`);
        assert.ok(!first.text.includes("\n"), "prose suggestions end at the line end");
        // "She loved to" + " play ...": the space of the first SentencePiece token is kept (detokenized in context).
        assert.match(first.text, /^ [a-z]+/, `continues with a new word: ${JSON.stringify(first.text)}`);
        assert.match(first.text, /\b(play|with|the|and|her)\b/, "greedy stories260K continues the story");

        const typed = typeAt(doc, " p");
        const second = await requestSuggestion(backend, model, typed, { maxTokens: 16, timeBudgetMs: 5000 });
        assert.ok(second.result!.evaluatedPromptTokens <= 3, `typed text only: ${second.result!.evaluatedPromptTokens} evaluated`);

        // Code without FIM: multi-line allowed, cut by the rules; never an unbalanced block.
        const codeDoc: CompletionDocument = { text: "function add(a, b) {\n    return", offset: "function add(a, b) {\n    return".length, languageId: "javascript" };
        const code = await requestSuggestion(backend, model, codeDoc, { maxTokens: 32, timeBudgetMs: 5000 });
        assert.equal(code.kind, "plain");
        assert.ok(code.result!.tokens <= 32);
    });

    it("the time budget returns the partial suggestion", async () => {
        const written = await ensureRandomGguf(CACHE_DIR, TINY_FIM);
        const model = await load(written.path);
        // No stop strings and EOS silenced: only the budget can end this before 1900 tokens.
        const raw = await engine.request("complete", {
            sequence: "completion", prompt: "function add(a, b) {", maxTokens: 1900, timeBudgetMs: 30, sampling: { temperature: 0 },
        });
        assert.equal(raw.stopReason, "timeBudget");
        assert.ok(raw.tokens > 0 && raw.tokens < 1900 && raw.text.length > 0, `partial text (${raw.tokens} tokens)`);
        // Through the completion path: whatever ends it first (budget or a quality rule), it ends near the budget.
        const r = await requestSuggestion(backend, model, sourceDocument(), { maxTokens: 1900, timeBudgetMs: 30 });
        assert.ok(r.result!.tokens < 1900);
        assert.ok(r.result!.totalMs < 30 + 500, `answered after ${r.result!.totalMs.toFixed(0)} ms`);
    });

    it("a superseded request stops during a long prompt evaluation, and what it evaluated is reused", async () => {
        // ~20M parameters: a 600-token prompt takes a noticeable time on one CPU thread.
        const written = await ensureRandomGguf(CACHE_DIR, {
            name: "completion-mid", layers: 6, embedding: 512, heads: 8, feedForward: 1536, contextLength: 2048,
            vocab: { kind: "synthetic" }, fim: "append", neverGenerate: "eog", tensorType: "Q8_0", seed: 7,
        });
        const model = await load(written.path);
        // Two copies of the source file, cursor in the second: a prompt of many 128-token chunks.
        const one = sourceDocument();
        const doc = { ...one, text: one.text + one.text, offset: one.text.length + one.offset };
        const options = { maxTokens: 4, timeBudgetMs: 60_000, charsPerToken: await calibrateCharsPerToken(backend, doc.text) };
        const full = await requestSuggestion(backend, model, doc, { ...options, reuseCache: false });
        const fullMs = full.result!.timeToFirstTokenMs;

        const controller = new AbortController();
        const pending = requestSuggestion(backend, model, doc, { ...options, reuseCache: false, signal: controller.signal });
        const abortAfter = fullMs / 3;
        await new Promise((r) => setTimeout(r, abortAfter));
        const abortedAt = performance.now();
        controller.abort();
        const cancelled = (await pending).result!;
        const stopMs = performance.now() - abortedAt;
        const next = (await requestSuggestion(backend, model, doc, options)).result!;
        console.log(`      prompt ${full.result!.promptTokens} tokens evaluated in ${fullMs.toFixed(0)} ms; aborted after ${abortAfter.toFixed(0)} ms:`
            + ` answered ${stopMs.toFixed(0)} ms later with ${cancelled.evaluatedPromptTokens} evaluated; the next request evaluated ${next.evaluatedPromptTokens}`);
        assert.equal(cancelled.stopReason, "cancelled");
        assert.equal(cancelled.tokens, 0);
        assert.ok(cancelled.evaluatedPromptTokens < cancelled.promptTokens, "stopped before the end of the prompt");
        assert.ok(stopMs < fullMs / 2, `stopped within a chunk (${stopMs.toFixed(0)} ms), not after the whole prompt`);
        assert.equal(next.evaluatedPromptTokens, next.promptTokens - cancelled.evaluatedPromptTokens, "the evaluated part stayed cached");
    });

    it("typing 20 characters: at most one generation in flight, superseded ones stop within 50 ms", async () => {
        const model = await load(fixture("stories260K.gguf"));
        let inFlight = 0;
        let maxInFlight = 0;
        let supersedeNow = false;
        const stopLatencies: number[] = [];
        let superseded = 0;
        const watch = <P,>(run: (p: P, o?: StreamOptions) => Promise<GenerationResult>) => async (p: P, options?: StreamOptions) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            let abortedAt = 0;
            options?.signal?.addEventListener("abort", () => {
                if (supersedeNow) { abortedAt = performance.now(); superseded++; }
            }, { once: true });
            try {
                const r = await run(p, options);
                if (abortedAt) {
                    assert.equal(r.stopReason, "cancelled");
                    stopLatencies.push(performance.now() - abortedAt);
                }
                return r;
            } catch (err) {
                if (abortedAt) stopLatencies.push(performance.now() - abortedAt);
                throw err;
            } finally {
                inFlight--;
            }
        };
        // Watches every generation request: concurrency, and the time from a supersede to the engine's answer.
        const watching = overrideBackend(backend, {
            chat: watch((p: ChatParams, o) => backend.chat(p, o)),
            complete: watch((p: CompleteParams, o) => backend.complete(p, o)),
            infill: watch((p: InfillParams, o) => backend.infill(p, o)),
        });
        const session = new CompletionSession(watching, {
            debounceMs: () => 5,
            events: { onAbortRunning: () => (supersedeNow = true) },
        });
        // Abort listeners run synchronously inside controller.abort(): clear the flag right after.
        const origCancel = session.scheduler.cancel.bind(session.scheduler);
        session.scheduler.cancel = () => { origCancel(); supersedeNow = false; };

        const base = "Once upon a time, there was a little girl named Lily. She loved to play with her";
        const typed = " friends in the park";
        assert.equal(typed.length, 20);
        const answers: Promise<unknown>[] = [];
        for (let i = 0; i <= typed.length; i++) {
            const text = base + typed.slice(0, i);
            // Long generations (no line end for a while, big budgets) so each keystroke lands mid-generation.
            answers.push(session.suggest("story", model, { text, offset: text.length, languageId: "javascript" },
                { maxTokens: 1500, timeBudgetMs: 10_000 }).catch((e) => e));
            await new Promise((r) => setTimeout(r, 25));
        }
        await Promise.all(answers);
        const p95 = percentile(stopLatencies, 95);
        console.log(`      ${session.scheduler.stats.started} generations started, ${superseded} superseded mid-generation; `
            + `abort → engine answer p50 ${percentile(stopLatencies, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...stopLatencies).toFixed(1)} ms`);
        assert.equal(maxInFlight, 1, "never two generations at once");
        assert.ok(superseded >= 5, `keystrokes landed mid-generation (${superseded})`);
        assert.equal(stopLatencies.length, superseded);
        assert.ok(Math.max(...stopLatencies) < 50, `every superseded request stopped within 50 ms (max ${Math.max(...stopLatencies).toFixed(1)} ms)`);
    });

    it("a long answer on the chat sequence does not starve completions", async () => {
        const model = await load(fixture("stories260K.gguf"));
        const doc: CompletionDocument = { text: "Once upon a time, there was a", offset: "Once upon a time, there was a".length, languageId: "plaintext" };
        const idle: number[] = [];
        for (let i = 0; i < 5; i++) {
            const t = performance.now();
            await requestSuggestion(backend, model, doc, { maxTokens: 24, timeBudgetMs: 5000, reuseCache: false });
            idle.push(performance.now() - t);
        }
        let chatDone = 0;
        let chatTokens = 0;
        const chat = engine.request("complete", {
            sequence: "chat", prompt: "Once upon a time", maxTokens: 1900, sampling: { temperature: 0.8, seed: 3 },
        }, { onEvent: (e) => (chatTokens = e.tokens) }).then((r) => { chatDone = performance.now(); return r; });
        while (chatTokens < 20) await new Promise((r) => setTimeout(r, 2));
        const busy: number[] = [];
        let lastCompletionAt = 0;
        for (let i = 0; i < 5; i++) {
            const t = performance.now();
            await requestSuggestion(backend, model, doc, { maxTokens: 24, timeBudgetMs: 5000, reuseCache: false });
            lastCompletionAt = performance.now();
            busy.push(lastCompletionAt - t);
        }
        const chatResult = await chat;
        console.log(`      completion latency p50 idle ${percentile(idle, 50).toFixed(1)} ms, while chat streams ${percentile(busy, 50).toFixed(1)} ms`
            + ` (chat ${chatResult.tokens} tokens, ${chatResult.tokensPerSecond.toFixed(0)} tok/s)`);
        assert.ok(chatDone === 0 || lastCompletionAt < chatDone, "completions finished while the chat answer was still streaming");
        assert.ok(chatResult.tokens > 100);
        assert.ok(percentile(busy, 50) < percentile(idle, 50) * 4 + 50, "completions are slowed by the shared context, not starved");
    });
});

describe("FIM tokens are read from each model family's vocabulary", function () {
    this.timeout(60_000);
    type Loaded = { tokens: { infill: { prefix: number | null; suffix: number | null; middle: number | null } }; tokenize(t: string, s: boolean): readonly number[]; dispose(): Promise<void> };
    let load: (file: string) => Promise<Loaded>;

    before(async () => {
        const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
        const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
        load = (file) => llama.loadModel({ modelPath: file, vocabOnly: true }) as unknown as Promise<Loaded>;
    });

    const qwen2Vocab = () => llamaCppVocab("ggml-vocab-qwen2.gguf");

    it("DeepSeek-Coder, StarCoder, the derived stories model; none for Llama SPM and Qwen2 (base)", async () => {
        const cases: [string, { prefix: number; suffix: number; middle: number } | undefined][] = [
            [fixture("vocab/ggml-vocab-deepseek-coder.gguf"), { prefix: 32016, suffix: 32015, middle: 32017 }],
            [fixture("vocab/ggml-vocab-starcoder.gguf"), { prefix: 1, suffix: 3, middle: 2 }],
            [fixture("stories260K-chat-fim.derived.gguf"), { prefix: 4, suffix: 5, middle: 6 }],
            [fixture("vocab/ggml-vocab-llama-spm.gguf"), undefined],
            // Qwen2's base tokenizer has no FIM tokens (Qwen2.5-Coder added them in the padding slots).
            [qwen2Vocab(), undefined],
        ];
        for (const [file, expected] of cases) {
            const model = await load(file);
            try {
                const fim = detectFimTokens(model);
                assert.deepEqual(fim && { prefix: fim.prefix, suffix: fim.suffix, middle: fim.middle }, expected, path.basename(file));
                if (fim) {
                    // The ids really are the family's special tokens.
                    for (const id of [fim.prefix, fim.suffix, fim.middle]) assert.ok(id >= 0);
                }
            } finally {
                await model.dispose();
            }
        }
    });

    it("Qwen2.5-Coder's <|fim_*|> tokens are found in a generated model's vocabulary", async () => {
        const written = await ensureRandomGguf(CACHE_DIR, {
            name: "qwen25-coder-vocab", architecture: "qwen2", layers: 1, embedding: 32, heads: 2, feedForward: 64, contextLength: 512,
            vocab: { kind: "copy", from: qwen2Vocab() }, tokenOverrides: QWEN25_CODER_FIM_TOKENS, tensorType: "F16", tieEmbeddings: true,
        });
        const model = await load(written.path);
        try {
            const fim = detectFimTokens(model);
            assert.deepEqual(fim && { prefix: fim.prefix, suffix: fim.suffix, middle: fim.middle }, QWEN25_CODER_FIM_IDS);
            assert.deepEqual(model.tokenize("<|fim_prefix|>", true), [QWEN25_CODER_FIM_IDS.prefix]);
        } finally {
            await model.dispose();
        }
    });
});
