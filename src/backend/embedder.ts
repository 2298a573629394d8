/**
 * Embeddings for the knowledge index, whichever backend answers chat: vectors for chunks of text, computed by a
 * small local embedding model (`hearth.embeddingModel`) in Hearth's engine process. Without an embedding model the
 * index is lexical only. Free of `vscode`.
 */
import type { Subscription } from "./llmBackend";

export interface EmbeddingBatch {
    /** The model that produced the vectors: an index keeps vectors of one model only. */
    modelId: string;
    dimensions: number;
    /** One unit-length vector per text (cosine similarity = dot product). */
    vectors: Float32Array[];
    /** Tokens embedded per text (after cutting to the model's context). */
    tokens: number[];
    /** Texts longer than the embedding context, cut. */
    cut: number;
    ms: number;
    /** Time the batch waited for chat and completions to finish first. */
    waitedMs: number;
}

export interface Embedder {
    /** The configured embedding model (its file path), or undefined when none is set. */
    readonly modelId: string | undefined;
    /** The setting changed: indexes built with another model need their vectors recomputed. */
    onDidChangeModel(listener: (modelId: string | undefined) => void): Subscription;
    embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbeddingBatch>;
}
