/**
 * The server backend (src/serverClient/serverBackend.ts) against a real llama-server on the fixture models: what
 * the probe finds, exact token counts (the same as the embedded engine's tokenizer), Stop making the server stop,
 * fill-in-the-middle through /infill with input_extra and cache_prompt, the prefix-only fallback for a model without
 * FIM tokens, and chat budgets that stay inside the context on estimated counts alone.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runChatTurn } from "../../src/chat/chatTurn";
import { calibrateCharsPerToken, requestSuggestion, type CompletionDocument } from "../../src/completion/completionEngine";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import { EngineError } from "../../src/protocol/engineProtocol";
import { ServerBackend } from "../../src/serverClient/serverBackend";
import { assertFinished } from "../helpers/answerStatus";
import { embeddedBackend, newEngineProcess, overrideBackend, testLoadParams } from "../helpers/embedded";
import { fixture, REPO_ROOT } from "../helpers/fixtures";
import { ensureRandomGguf, type RandomGgufSpec } from "../helpers/ggufWriter";
import { busySlots, startLlamaServer, type LlamaServer } from "../helpers/llamaServer";

const CACHE_DIR = path.join(REPO_ROOT, ".cache", "test-models");
/** The generated FIM model of the engine's completion tests; end-of-generation silenced, so it runs to maxTokens. */
const TINY_FIM: RandomGgufSpec = {
    name: "completion-fim", layers: 2, embedding: 64, heads: 4, headsKv: 2, feedForward: 128, contextLength: 2048,
    vocab: { kind: "synthetic" }, fim: "append", neverGenerate: "eog", tensorType: "Q8_0", seed: 6,
};

/**
 * TINY_FIM for llama-server: its answers must be valid UTF-8 text (llama-server ends a stream with "output that does
 * not match the expected format" when random weights emit a lone byte token), so the byte-fallback tokens are
 * silenced too, besides end-of-generation and the FIM markers. Greedy decoding then emits only whole pieces.
 */
async function serverFimModel(): Promise<string> {
    const probe = await ensureRandomGguf(CACHE_DIR, TINY_FIM);
    const silenced = [...new Set([...Array.from({ length: 259 }, (_, i) => i), ...probe.silencedTokens,
        ...(probe.fim ? [probe.fim.prefix, probe.fim.suffix, probe.fim.middle] : [])])];
    return (await ensureRandomGguf(CACHE_DIR, { ...TINY_FIM, name: "server-fim", neverGenerate: silenced })).path;
}

function sourceDocument(): CompletionDocument {
    const text = fs.readFileSync(path.join(REPO_ROOT, "src", "core", "completion", "postprocess.ts"), "utf8");
    const offset = text.indexOf("    let depth = 0;\n    let lastBalanced") + "    let depth = ".length;
    return { text, offset, languageId: "typescript", fileName: "src/core/completion/postprocess.ts" };
}

describe("server backend on a real llama-server", function () {
    this.timeout(180_000);
    let server: LlamaServer | undefined;
    let backend: ServerBackend | undefined;
    const start = async (model: string, options: { contextSize?: number; parallel?: number; useTokenizer?: boolean; extraArgs?: string[] } = {}) => {
        server = await startLlamaServer({ model, contextSize: options.contextSize ?? 2048, parallel: options.parallel ?? 1, extraArgs: options.extraArgs });
        const url = server.url;
        backend = new ServerBackend({ config: () => ({ url, model: "", contextSize: 0 }), useTokenizer: options.useTokenizer });
        return backend;
    };
    afterEach(async () => {
        backend?.dispose();
        await server?.stop();
        if (this.ctx.currentTest?.state === "failed" && server) console.log(server.log().split("\n").slice(-30).join("\n"));
        server = undefined;
        backend = undefined;
    });

    it("probes once: llama-server, its per-slot context, FIM through /infill, exact counts equal to the engine's tokenizer", async () => {
        const b = await start(fixture("stories260K-chat-fim.derived.gguf"), { contextSize: 2048, parallel: 2 });
        const model = await b.ready();
        assert.equal(b.facts?.kind, "llama-server");
        assert.equal(model.contextSize, 1024, "2048 tokens shared by 2 slots");
        assert.deepEqual(model.capabilities, { fim: true, toolCalling: false, exactTokenCount: true });
        assert.equal(b.facts?.fim.kind, "infill");
        assert.deepEqual(model.location, { kind: "server", url: server!.url, host: new URL(server!.url).host });
        assert.equal(await b.ready(), model, "answered from memory");

        const texts = ["Once upon a time, there was a little girl named Lily.", "你好，世界！这是一个测试。", "", "function add(a, b) {\n    return a + b;\n}\n"];
        const counts = await b.countTokens(texts);
        assert.equal(counts.estimated, false);
        const engine = newEngineProcess();
        const embedded = embeddedBackend(engine, testLoadParams(fixture("stories260K-chat-fim.derived.gguf")));
        try {
            await embedded.ready();
            assert.deepEqual(counts.counts, (await embedded.countTokens(texts)).counts, "the server counts as the model's own tokenizer does");
        } finally {
            embedded.dispose();
            engine.dispose();
        }
    });

    it("--api-key: without the key a clear 401 error, with it (as a bearer token) the server answers", async () => {
        server = await startLlamaServer({ model: fixture("stories260K.gguf"), apiKey: "team-key-1" });
        const url = server.url;
        const keyless = new ServerBackend({ config: () => ({ url, model: "", contextSize: 0 }) });
        await assert.rejects(keyless.ready(), (err) => err instanceof EngineError && err.code === "serverUnauthorized" && /Set Server API Key/.test(err.message));
        keyless.dispose();
        backend = new ServerBackend({ config: () => ({ url, model: "", contextSize: 0, apiKey: "team-key-1" }) });
        const r = await backend.complete({ sequence: "chat", prompt: "Once upon a time", maxTokens: 8 });
        assert.ok(r.tokens > 0);
    });

    it("Stop closes the request and llama-server stops generating at once", async () => {
        // A 16k context and allowance: this tiny model streams ~1,000 tokens a second on one thread, so with 1,900
        // (as before) a loaded CI machine could finish the whole answer before the test's first /slots sample came
        // back (a CI run saw 0 busy slots). Sixteen seconds of work cannot finish while the test looks.
        const b = await start(await serverFimModel(), { contextSize: 16_384 });
        await b.ready();
        const controller = new AbortController();
        let chunks = 0;
        let busyAtStop = -1;
        let stoppedAt = 0;
        // /infill on the generated model: it never ends by itself, so only Stop can end it before 16,000 tokens.
        const pending = b.infill({ extraContext: "", prefix: "function add(a, b) {\n", suffix: "\n}\n", currentLinePrefix: "    ", maxTokens: 16_000, sampling: { temperature: 0 } }, {
            signal: controller.signal,
            onText: () => void ++chunks,
        });
        let failed: unknown;
        pending.catch((err) => (failed = err));
        // Sampled as soon as the answer streams; Stop pressed right after.
        while (chunks < 1 && !failed) await new Promise((r) => setTimeout(r, 1));
        assert.equal(failed, undefined);
        busyAtStop = await busySlots(server!.url);
        stoppedAt = performance.now();
        controller.abort();
        const r = await pending;
        assert.equal(r.stopReason, "cancelled");
        assert.ok(r.text.length > 0);
        let idleAfterMs = NaN;
        for (;;) {
            if (await busySlots(server!.url) === 0) { idleAfterMs = performance.now() - stoppedAt; break; }
            if (performance.now() - stoppedAt > 5000) break;
            await new Promise((res) => setTimeout(res, 10));
        }
        console.log(`      stopped after ${chunks} chunks; the server's slot was idle ${idleAfterMs.toFixed(0)} ms after Stop`);
        assert.equal(busyAtStop, 1, "the slot was busy while streaming");
        assert.ok(idleAfterMs < 1000, `the server stopped generating (${idleAfterMs.toFixed(0)} ms after Stop)`);
    });

    it("FIM through /infill: the extra context reaches the prompt and a typed character re-evaluates only the tail", async () => {
        // llama-server gives input_extra what is left of the slot's context after one batch: a batch smaller
        // than the context leaves it room (see the README's team-server section).
        const b = await start(await serverFimModel(), { contextSize: 2048, extraArgs: ["-b", "512", "-ub", "512"] });
        const model = await b.ready();
        assert.equal(model.capabilities.fim, true);
        const doc = sourceDocument();
        const options = { maxTokens: 8, timeBudgetMs: 10_000, charsPerToken: await calibrateCharsPerToken(b, doc.text) };
        const bare = await requestSuggestion(b, model, doc, { ...options, reuseCache: false });
        assert.equal(bare.kind, "infill");
        const snippets = [{ label: "src/core/completion/promptLayout.ts", text: "export type CompletionMode = \"code\" | \"prose\";\n".repeat(8) }];
        const withExtra = await requestSuggestion(b, model, doc, { ...options, snippets, reuseCache: false });
        const extraTokens = (await b.countTokens([snippets[0]!.text])).counts[0]!;
        assert.ok(withExtra.result!.promptTokens >= bare.result!.promptTokens + extraTokens,
            `input_extra is in the prompt (${bare.result!.promptTokens} → ${withExtra.result!.promptTokens}, snippet ${extraTokens} tokens)`);
        const typed = { ...doc, text: doc.text.slice(0, doc.offset) + "0" + doc.text.slice(doc.offset), offset: doc.offset + 1 };
        const next = await requestSuggestion(b, model, typed, { ...options, snippets });
        const r = next.result!;
        console.log(`      /infill prompt ${r.promptTokens} tokens; after a typed character the server evaluated ${r.evaluatedPromptTokens} (cache_prompt)`);
        assert.ok(r.evaluatedPromptTokens < r.promptTokens / 4, `cache reused: ${r.evaluatedPromptTokens} of ${r.promptTokens} evaluated`);
    });

    it("a model without FIM tokens: capabilities.fim is false and completions continue the prefix through /v1/completions", async () => {
        const b = await start(fixture("stories260K.gguf"));
        const model = await b.ready();
        assert.equal(model.capabilities.fim, false);
        assert.equal(b.facts?.fim.kind, "none");
        const text = "Once upon a time, there was a little girl named Lily. She loved to";
        const first = await requestSuggestion(b, model, { text, offset: text.length, languageId: "plaintext" }, { maxTokens: 48, timeBudgetMs: 10_000 });
        assert.equal(first.kind, "plain");
        assert.match(first.text, /^ [a-z]+/, `continues with a new word: ${JSON.stringify(first.text)}`);
        assert.ok(!first.text.includes("\n"), "prose suggestions end at the line end (stop string)");
    });

    it("30 chat rounds on estimated token counts (no /tokenize) never overflow the server's context", async () => {
        const b = await start(fixture("stories260K-chat-fim.derived.gguf"), { contextSize: 1024, useTokenizer: false });
        const model = await b.ready();
        assert.equal((await b.countTokens(["hello"])).estimated, true);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-server-estimate-"));
        try {
            const store = new ConversationStore(dir);
            const conversation: Conversation = { id: "c1", title: "t", createdAt: 1, updatedAt: 1, messages: [] };
            const memory = {};
            let trimmed = 0;
            for (let round = 1; round <= 30; round++) {
                const answer: ChatMessageRecord = { id: `a${round}`, role: "assistant", text: "", status: "streaming", createdAt: round };
                conversation.messages.push({ id: `u${round}`, role: "user", text: `Round ${round}. Tell me a story about a dog and a red ball in the park.`, status: "complete", createdAt: round }, answer);
                let answerTokens = 0;
                const watched = overrideBackend(b, { chat: (p, o) => { answerTokens = p.maxTokens; return b.chat(p, o); } });
                await runChatTurn({
                    backend: watched, store, conversation, answer, memory, systemPrompt: "", maxTokens: 128, temperature: 0.8,
                    signal: new AbortController().signal, onDelta: () => undefined,
                });
                assertFinished(answer, answerTokens, `round ${round}`);
                const s = answer.stats!;
                assert.ok(s.promptTokens + s.tokens <= model.contextSize, `round ${round}: ${s.promptTokens} + ${s.tokens} > ${model.contextSize}`);
                if (answer.droppedMessages) trimmed++;
            }
            assert.ok(trimmed >= 10, `history was trimmed in ${trimmed} rounds: the test reached the context limit`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
