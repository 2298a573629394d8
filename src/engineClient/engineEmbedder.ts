/**
 * The Embedder over Hearth's engine process: the embedding model is loaded there beside the chat model (never
 * the chat model twice) and yields to chat and completions. Free of `vscode`; EngineService feeds it the settings.
 */
import type { EmbeddingBatch, Embedder } from "../backend/embedder";
import type { Subscription } from "../backend/llmBackend";
import { EngineError, type EmbedParams } from "../protocol/engineProtocol";
import type { EngineProcess } from "./engineProcess";

export type EmbedderSettings = Omit<EmbedParams, "texts">;

export class EngineEmbedder implements Embedder {
    private readonly listeners = new Set<(modelId: string | undefined) => void>();
    private lastModelId: string | undefined;

    /** `settings()` returns undefined when no embedding model is configured. */
    constructor(private readonly engine: EngineProcess, private readonly settings: () => EmbedderSettings | undefined) {
        this.lastModelId = settings()?.modelPath;
    }

    get modelId(): string | undefined {
        return this.settings()?.modelPath;
    }

    onDidChangeModel(listener: (modelId: string | undefined) => void): Subscription {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
    }

    /** Called by the host when the settings changed; tells listeners only when the model itself changed. */
    settingsChanged(): void {
        const id = this.modelId;
        if (id === this.lastModelId) return;
        this.lastModelId = id;
        for (const l of [...this.listeners]) l(id);
    }

    async embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbeddingBatch> {
        const settings = this.settings();
        if (!settings) throw new EngineError("noModel", "No embedding model is set (“hearth.embeddingModel”).");
        const r = await this.engine.request("embed", { ...settings, texts: [...texts] }, { signal });
        return {
            modelId: settings.modelPath,
            dimensions: r.dimensions,
            vectors: r.vectors.map((v) => Float32Array.from(v)),
            tokens: r.tokens,
            cut: r.cut,
            ms: r.ms,
            waitedMs: r.waitedMs,
        };
    }
}
