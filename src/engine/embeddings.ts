/**
 * Embeddings for the knowledge index, computed in the engine process with node-llama-cpp's embedding context on a
 * separate, small embedding model (never the chat model a second time). The model stays loaded between batches and
 * is checked like any untrusted model file before llama.cpp reads it.
 *
 * Embedding yields to the user: before each text it waits while a chat answer or an inline completion is being
 * generated, so a keystroke's suggestion never queues behind a batch of embeddings (texts are embedded one at a
 * time; one 512-token text of a small encoder takes milliseconds to tens of milliseconds on a CPU core).
 */
import * as path from "node:path";
import type { LlamaEmbeddingContext, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { EngineError, type EmbedParams, type EmbedResult } from "../protocol/engineProtocol";
import { errorText } from "../core/errorText";
import { checkBeforeLoad, classifyLoadError, validateModelFile, type ModelHost } from "./modelHost";
import { dropVocabularyArrays, releaseLoadTimeMemory } from "./modelMemory";

const DEFAULT_CONTEXT = 512;
/** How often a waiting batch looks again whether chat and completions are done. */
const YIELD_POLL_MS = 4;

interface LoadedEmbedder {
    key: string;
    model: LlamaModel;
    context: LlamaEmbeddingContext;
    contextSize: number;
    name: string;
}

export class EmbeddingHost {
    private loaded: LoadedEmbedder | undefined;

    constructor(private readonly host: ModelHost, private readonly isGenerating: () => boolean) {}

    async embed(params: EmbedParams, signal: AbortSignal): Promise<EmbedResult> {
        const started = performance.now();
        const embedder = await this.load(params, signal);
        const vectors: number[][] = [];
        const tokens: number[] = [];
        let cut = 0;
        let waitedMs = 0;
        for (const text of params.texts) {
            waitedMs += await this.yieldToGeneration(signal);
            let input = embedder.model.tokenize(text);
            // The encoder adds its own markers (BERT: [CLS] … [SEP]) inside the same context, and node-llama-cpp
            // needs the whole input to be shorter than the context.
            const needed = embedder.context.calculateInputLength(input);
            if (needed >= embedder.contextSize) {
                input = input.slice(0, Math.max(1, embedder.contextSize - 1 - (needed - input.length)));
                cut++;
            }
            tokens.push(input.length);
            const { vector } = await embedder.context.getEmbeddingFor(input);
            vectors.push(normalise(vector));
        }
        return {
            vectors,
            dimensions: vectors[0]?.length ?? embedder.model.embeddingVectorSize,
            modelName: embedder.name,
            tokens,
            cut,
            waitedMs,
            ms: performance.now() - started,
        };
    }

    async unload(): Promise<boolean> {
        const loaded = this.loaded;
        if (!loaded) return false;
        this.loaded = undefined;
        await loaded.context.dispose();
        await loaded.model.dispose();
        return true;
    }

    private async load(params: EmbedParams, signal: AbortSignal): Promise<LoadedEmbedder> {
        const contextSize = params.contextSize ?? DEFAULT_CONTEXT;
        const key = JSON.stringify([params.modelPath, params.threads, params.gpu, contextSize]);
        // A settings change may have replaced the llama backend (and disposed what was loaded on it).
        if (this.loaded?.key === key && !this.loaded.model.disposed) return this.loaded;
        await this.unload();
        await validateModelFile(params.modelPath);
        const llama = await this.host.getLlama(params.gpu);
        const header = await checkBeforeLoad(params.modelPath, llama, signal);
        const { architecture } = header;
        dropVocabularyArrays(header);
        let model: LlamaModel;
        try {
            model = await llama.loadModel({ modelPath: params.modelPath, gpuLayers: params.gpu === "cpu" ? 0 : "auto", loadSignal: signal });
        } catch (err) {
            if (signal.aborted) throw new EngineError("cancelled", "Loading the embedding model was cancelled.");
            throw classifyLoadError(params.modelPath, architecture, err);
        }
        let context: LlamaEmbeddingContext;
        try {
            context = await model.createEmbeddingContext({
                contextSize: Math.min(contextSize, model.trainContextSize),
                threads: Math.max(1, params.threads),
                createSignal: signal,
            });
        } catch (err) {
            await model.dispose();
            if (signal.aborted) throw new EngineError("cancelled", "Loading the embedding model was cancelled.");
            throw new EngineError("badModel",
                `${path.basename(params.modelPath)} cannot compute embeddings (${errorText(err)}). Choose an embedding model for “hearth.embeddingModel”.`,
                errorText(err));
        }
        const name = typeof model.fileInfo.metadata?.general?.name === "string" ? model.fileInfo.metadata.general.name : path.basename(params.modelPath, ".gguf");
        await releaseLoadTimeMemory(model);
        this.loaded = { key, model, context, contextSize: Math.min(contextSize, model.trainContextSize), name };
        return this.loaded;
    }

    /** Waits while chat or completions generate; returns how long it waited. */
    private async yieldToGeneration(signal: AbortSignal): Promise<number> {
        if (signal.aborted) throw new EngineError("cancelled", "Embedding was cancelled.");
        if (!this.isGenerating()) return 0;
        const started = performance.now();
        while (this.isGenerating()) {
            await new Promise((resolve) => setTimeout(resolve, YIELD_POLL_MS));
            if (signal.aborted) throw new EngineError("cancelled", "Embedding was cancelled.");
        }
        return performance.now() - started;
    }
}

function normalise(vector: readonly number[]): number[] {
    let sum = 0;
    for (const v of vector) sum += v * v;
    const norm = Math.sqrt(sum) || 1;
    return vector.map((v) => v / norm);
}
