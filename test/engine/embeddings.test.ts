/**
 * Embeddings in the real engine process (src/engine/embeddings.ts) through the product's EngineEmbedder, on a
 * random-weight BERT-shaped model with the real BERT (bge) WordPiece vocabulary from llama.cpp's source. Random
 * weights prove the plumbing and the speed, not the quality of the vectors. Threads pinned to 1.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineEmbedder } from "../../src/engineClient/engineEmbedder";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import { EngineError } from "../../src/protocol/engineProtocol";
import { embeddedBackend, newEngineProcess, testLoadParams } from "../helpers/embedded";
import { fixture, REPO_ROOT } from "../helpers/fixtures";
import { ensureRandomBert } from "../helpers/randomBert";

const CACHE_DIR = path.join(REPO_ROOT, ".cache", "test-models");

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

describe("embeddings in the engine process", function () {
    this.timeout(120_000);
    let engine: EngineProcess;
    let modelPath: string;
    let embedder: EngineEmbedder;
    // One engine for the suite: the embedding model stays loaded between batches, as in the product.
    before(async () => {
        modelPath = (await ensureRandomBert(CACHE_DIR)).path;
        engine = newEngineProcess();
        embedder = new EngineEmbedder(engine, () => ({ modelPath, threads: 1, gpu: "cpu" }));
    });
    after(() => engine.dispose());

    it("embeds English and Chinese text into unit vectors, the same text always the same", async () => {
        const texts = ["The lighthouse keeper wrote in his log every night.", "灯塔看守人每晚都写日志。", "The lighthouse keeper wrote in his log every night."];
        const r = await embedder.embed(texts);
        assert.equal(r.modelId, modelPath);
        assert.equal(r.dimensions, 384);
        assert.equal(r.vectors.length, 3);
        for (const v of r.vectors) assert.ok(Math.abs(dot(v, v) - 1) < 1e-4, "unit length");
        assert.ok(dot(r.vectors[0]!, r.vectors[2]!) > 0.9999, "same text, same vector");
        assert.ok(dot(r.vectors[0]!, r.vectors[1]!) < 0.9999, "different texts, different vectors");
        assert.ok(r.tokens[1]! > 5, `the Chinese text was tokenized (${r.tokens[1]} tokens)`);
        const tokens = r.tokens.reduce((a, b) => a + b, 0);
        console.log(`      ${tokens} tokens in ${r.ms.toFixed(0)} ms (first batch, model load included)`);
        const again = await embedder.embed(Array.from({ length: 16 }, (_, i) => `${texts[0]} Paragraph ${i}.`));
        const perSecond = (again.tokens.reduce((a, b) => a + b, 0) / again.ms) * 1000;
        console.log(`      16 texts: ${perSecond.toFixed(0)} tokens/s on one thread (model loaded)`);
    });

    it("cuts a text longer than the embedding context and says how many were cut", async () => {
        const r = await embedder.embed(["word ".repeat(3000), "short"]);
        assert.equal(r.cut, 1);
        assert.ok(r.tokens[0]! > 500 && r.tokens[0]! <= 512, `cut to the 512-token context with its markers (${r.tokens[0]} tokens)`);
        assert.equal(r.vectors.length, 2);
    });

    it("waits for a chat answer in progress instead of competing with it", async () => {
        const chatBackend = embeddedBackend(engine, testLoadParams(fixture("stories260K.gguf")));
        await chatBackend.ready();
        let chatDoneAt = 0;
        let chatTokens = 0;
        const chat = chatBackend.complete({ sequence: "chat", prompt: "Once upon a time", maxTokens: 1500, sampling: { temperature: 0.8, seed: 2 } },
            { onText: () => chatTokens++ }).then((r) => { chatDoneAt = performance.now(); return r; });
        while (chatTokens < 5) await new Promise((r) => setTimeout(r, 2));
        const r = await embedder.embed(["a", "b"]);
        const embeddedAt = performance.now();
        const answer = await chat;
        assert.ok(answer.tokens > 100, `a long answer (${answer.tokens} tokens)`);
        assert.ok(r.waitedMs > 0, "the batch waited");
        assert.ok(chatDoneAt > 0 && chatDoneAt <= embeddedAt, "the chat answer finished first");
        assert.equal((await chatBackend.ready()).id, fixture("stories260K.gguf"), "the chat model stayed loaded beside the embedding model");
        chatBackend.dispose();
    });

    it("refuses a file that is not a model, and no embedding model configured, with clear errors", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-embed-"));
        const bad = path.join(dir, "notes.gguf");
        fs.writeFileSync(bad, "not a model");
        try {
            const wrong = new EngineEmbedder(engine, () => ({ modelPath: bad, threads: 1, gpu: "cpu" }));
            await assert.rejects(wrong.embed(["x"]), (err: unknown) => err instanceof EngineError && err.code === "badModel" && /notes\.gguf/.test(err.message));
            const none = new EngineEmbedder(engine, () => undefined);
            assert.equal(none.modelId, undefined);
            await assert.rejects(none.embed(["x"]), (err: unknown) => err instanceof EngineError && err.code === "noModel");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("stops a batch when cancelled", async () => {
        await embedder.embed(["warm up"]);
        const controller = new AbortController();
        const pending = embedder.embed(Array.from({ length: 400 }, (_, i) => `Paragraph ${i} `.repeat(40)), controller.signal);
        setTimeout(() => controller.abort(), 50);
        const abortedAt = performance.now() + 50;
        await assert.rejects(pending, (err: unknown) => err instanceof EngineError && err.code === "cancelled");
        const stopMs = performance.now() - abortedAt;
        assert.ok(stopMs < 1000, `stopped ${stopMs.toFixed(0)} ms after the cancel, not after 400 texts`);
    });
});
