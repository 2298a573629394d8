/**
 * Search by meaning end to end below VS Code: the real index worker thread (tsc output of src/knowledge/indexWorker.ts)
 * asks for embeddings, the product's EngineEmbedder computes them in the real engine process on a random-weight
 * BERT-shaped model (bge-small's shape, 2 layers, the real bge vocabulary, as test/engine/embeddings.test.ts makes
 * it), the vectors are stored with the index, and a query embedded from a chunk's own text finds that chunk by the
 * vector side alone. Random weights prove the plumbing, not the quality. One thread.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { EngineEmbedder } from "../../src/engineClient/engineEmbedder";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import { IndexWorkerClient } from "../../src/knowledge/indexWorkerClient";
import { newEngineProcess } from "../helpers/embedded";
import { REPO_ROOT } from "../helpers/fixtures";
import { indexConfig, tempDir, writeTree } from "../helpers/knowledgeFiles";
import { ensureRandomBert } from "../helpers/randomBert";

const CACHE_DIR = path.join(REPO_ROOT, ".cache", "test-models");
const WORKER = path.join(__dirname, "..", "..", "src", "knowledge", "indexWorker.js");

const NOTES: Record<string, string> = {
    "keeper.md": "The lighthouse keeper wrote in his log every night before the lamp was lit.",
    "harbour.md": "Fishing boats came back to the harbour at dawn with nets full of herring.",
    "garden.md": "She planted tomatoes and basil along the south wall of the walled garden.",
    "train.md": "The night train to the coast left the station twelve minutes late.",
    "tea.md": "灯塔看守人每晚点灯之前都会泡一壶绿茶，然后在日志里写下天气。",
};

describe("knowledge index: search by meaning through the worker and the engine", function () {
    this.timeout(120_000);
    let engine: EngineProcess;
    let client: IndexWorkerClient;
    let modelPath: string;

    before(async () => {
        modelPath = (await ensureRandomBert(CACHE_DIR)).path;
        engine = newEngineProcess();
        client = new IndexWorkerClient({ script: WORKER });
    });
    after(async () => {
        engine.dispose();
        await client.dispose();
    });

    it("stores the engine's vectors with the index; a chunk's own text finds it first by the vector side alone", async () => {
        const root = await tempDir("meaning-root");
        const dir = await tempDir("meaning-idx");
        await writeTree(root, NOTES);
        const embedder = new EngineEmbedder(engine, () => ({ modelPath, threads: 1, gpu: "cpu" }));
        await client.request({ type: "open", kind: "workspace", config: indexConfig(dir, root) });
        await client.request({ type: "sync", kind: "workspace" });

        const progress: number[] = [];
        const asked: number[] = [];
        const result = await client.request({ type: "embed", kind: "workspace", modelId: modelPath }, {
            onProgress: (p) => progress.push(p.total - p.done),
            onEmbed: async (texts, signal) => {
                asked.push(texts.length);
                return (await embedder.embed(texts, signal)).vectors;
            },
        });
        assert.equal(result.embedded, 5);
        assert.deepEqual(asked, [5], "one batch, through the host");
        assert.deepEqual(result.info.embedded, { modelId: modelPath, done: 5, total: 5 });
        assert.equal(progress.at(-1), 0, "progress ends with nothing left");

        // Reopen (the vectors come from disk), then ask with each note's own text but no word in common with any chunk.
        await client.request({ type: "open", kind: "workspace", config: indexConfig(dir, root) });
        for (const [file, text] of Object.entries(NOTES)) {
            const [vector] = (await embedder.embed([text])).vectors;
            const byMeaning = await client.request({ type: "search", kind: "workspace", query: "zzyzx", limit: 3, queryVector: { modelId: modelPath, vector: vector! } });
            assert.equal(byMeaning[0]?.relativePath, file, `${file} by the vector side`);
            const fused = await client.request({ type: "search", kind: "workspace", query: text, limit: 3, queryVector: { modelId: modelPath, vector: vector! } });
            assert.equal(fused[0]?.relativePath, file, `${file} first in the fused ranking`);
        }
        const wordsOnly = await client.request({ type: "search", kind: "workspace", query: "zzyzx", limit: 3 });
        assert.deepEqual(wordsOnly, [], "without the query's vector nothing is found");
        await client.request({ type: "close", kind: "workspace" });
    });

    it("an embedding model that fails stops the embedding with an error; the index still answers by words", async () => {
        const root = await tempDir("meaning-bad-root");
        const dir = await tempDir("meaning-bad-idx");
        await writeTree(root, NOTES);
        const broken = new EngineEmbedder(engine, () => ({ modelPath: path.join(root, "missing.gguf"), threads: 1, gpu: "cpu" }));
        await client.request({ type: "open", kind: "workspace", config: indexConfig(dir, root) });
        await client.request({ type: "sync", kind: "workspace" });
        await assert.rejects(client.request({ type: "embed", kind: "workspace", modelId: "missing" }, {
            onEmbed: async (texts, signal) => (await broken.embed(texts, signal)).vectors,
        }));
        const info = await client.request({ type: "info", kind: "workspace", modelId: "missing" });
        assert.deepEqual(info.embedded, { modelId: "missing", done: 0, total: 5 });
        const hits = await client.request({ type: "search", kind: "workspace", query: "herring", limit: 3 });
        assert.equal(hits[0]?.relativePath, "harbour.md");
        await client.request({ type: "close", kind: "workspace" });
    });
});
