/**
 * Embeddings for the knowledge index (issue 10), measured on a random-weight BERT-shaped model (bge-small's shape,
 * 2 layers) written by the repository's GGUF writer with the real BERT (bge) WordPiece vocabulary from llama.cpp's
 * source, as test/engine/embeddings.test.ts makes it. Random weights make the vectors meaningless: these figures
 * prove the plumbing and the speed, NOT the quality of hybrid search.
 * - embed_tokens_per_s: every chunk of the labelled corpus (test/retrieval) embedded in the engine process through
 *   the product's EngineEmbedder, driven by the index's own embedMissing (batches of 32, stored with the index; the
 *   model loaded by a first small batch that is not counted).
 * - recall_at_5_hybrid: the product's search with the question's vector: the index's lexical top 50 fused by
 *   reciprocal rank fusion with its exact cosine top 50 over the stored vectors (KnowledgeIndex.search).
 */
import { readFileSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { KnowledgeIndex } from "../src/core/knowledge/knowledgeIndex";
import { EngineEmbedder } from "../src/engineClient/engineEmbedder";
import { ensureRandomBert } from "../test/helpers/randomBert";
import { loadQuestions } from "../test/helpers/retrievalSet";
import { CACHE_DIR, log, newEngine, REPO_ROOT, round, type BenchOptions } from "./lib";


export async function measureHybrid(options: BenchOptions): Promise<Record<string, number>> {
    const model = await ensureRandomBert(path.join(CACHE_DIR, "models"), REPO_ROOT);
    const corpus = path.join(REPO_ROOT, "test", "retrieval", "corpus");
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "hearth-hybrid-"));
    const { index } = await KnowledgeIndex.open({
        dir, roots: [{ fsPath: corpus, displayPrefix: "", exclude: [], extraExcludes: [] }], maxFileBytes: 1 << 20, maxDocumentBytes: 1 << 26,
    });
    const engine = newEngine();
    const embedder = new EngineEmbedder(engine, () => ({ modelPath: model.path, threads: options.threads, gpu: "cpu" }));
    try {
        await index.sync();
        await embedder.embed(["warm up: the model loads with this batch"]);
        let tokens = 0;
        let ms = 0;
        const cpuBefore = processCpuMs(engine.pid);
        const { embedded } = await index.embedMissing({
            modelId: model.path,
            embed: async (texts) => {
                const batch = await embedder.embed(texts);
                tokens += batch.tokens.reduce((a, b) => a + b, 0);
                ms += batch.ms;
                return batch.vectors;
            },
        });
        const cpuMs = processCpuMs(engine.pid) - cpuBefore;
        log(`  embedded ${embedded} chunks, ${tokens} tokens in ${(ms / 1000).toFixed(1)} s in the engine (${options.threads} thread(s); engine CPU ${(cpuMs / 1000).toFixed(1)} s)`);

        const questions = await loadQuestions(path.join(REPO_ROOT, "test", "retrieval"));
        let found = 0;
        for (const question of questions) {
            const [vector] = (await embedder.embed([question.question])).vectors;
            const top = (await index.search(question.question, 5, undefined, { modelId: model.path, vector: vector! })).map((h) => h.relativePath);
            if (question.answers.some((a) => top.includes(a))) found++;
        }
        const recall = found / questions.length;
        log(`  recall@5 (hybrid, RANDOM-weight embedding model: plumbing, not quality) ${recall.toFixed(3)} over ${questions.length} questions`);
        return {
            embed_tokens_per_s: round(tokens / (ms / 1000), 0),
            ...(cpuMs > 0 ? { embed_tokens_per_cpu_s: round(tokens / (cpuMs / 1000), 0) } : {}),
            embed_chunks: embedded,
            recall_at_5_hybrid: round(recall, 3),
        };
    } finally {
        engine.dispose();
        await index.close();
        await fs.rm(dir, { recursive: true, force: true });
    }
}

/** CPU time (user + system) of a process so far, from /proc on Linux; NaN elsewhere (the key is then left out). */
function processCpuMs(pid: number | undefined): number {
    try {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
        // After "(comm) ": state is field 3, utime field 14, stime field 15 (1-based, man 5 proc); clock ticks of 10 ms.
        return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
        return Number.NaN;
    }
}
