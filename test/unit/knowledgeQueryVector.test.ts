/**
 * The host's question embedding for @workspace / @library (src/knowledge/queryVector.ts): a failing or hanging
 * embedding model makes the search lexical with a log line, never a failed answer; only the user's own Cancel
 * propagates.
 */
import * as assert from "node:assert/strict";
import type { EmbeddingBatch, Embedder } from "../../src/backend/embedder";
import { embedQuery } from "../../src/knowledge/queryVector";

function embedder(modelId: string | undefined, embed: Embedder["embed"]): Embedder {
    return { modelId, onDidChangeModel: () => ({ dispose: () => undefined }), embed };
}

const batch = (vector: Float32Array): EmbeddingBatch => ({ modelId: "m.gguf", dimensions: vector.length, vectors: [vector], tokens: [3], cut: 0, ms: 1, waitedMs: 0 });

describe("knowledge search: the question's embedding", () => {
    it("is the embedder's vector, tagged with its model", async () => {
        const logs: string[] = [];
        const q = await embedQuery(embedder("m.gguf", async () => batch(Float32Array.of(0.6, 0.8))), "lighthouse", (m) => logs.push(m));
        assert.deepEqual(q, { modelId: "m.gguf", vector: Float32Array.of(0.6, 0.8) });
        assert.deepEqual(logs, []);
    });

    it("is absent without an embedding model (the embedder is not asked)", async () => {
        let asked = false;
        const q = await embedQuery(embedder(undefined, async () => { asked = true; return batch(Float32Array.of(1)); }), "q", () => undefined);
        assert.equal(q, undefined);
        assert.equal(asked, false);
        assert.equal(await embedQuery(undefined, "q", () => undefined), undefined);
    });

    it("is absent with a log line when the engine fails or takes too long, so the search goes by words", async () => {
        const logs: string[] = [];
        const failing = embedder("m.gguf", async () => { throw new Error("the engine stopped"); });
        assert.equal(await embedQuery(failing, "q", (m) => logs.push(m)), undefined);
        const hanging = embedder("m.gguf", (_texts, signal) => new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))));
        assert.equal(await embedQuery(hanging, "q", (m) => logs.push(m), undefined, 50), undefined);
        assert.equal(logs.length, 2);
        assert.match(logs[0]!, /the engine stopped.*by words only/);
    });

    it("passes the user's Cancel on instead of searching by words", async () => {
        const controller = new AbortController();
        const hanging = embedder("m.gguf", (_texts, signal) => new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))));
        const pending = embedQuery(hanging, "q", () => undefined, controller.signal);
        controller.abort();
        await assert.rejects(pending, { name: "AbortError" });
    });
});
