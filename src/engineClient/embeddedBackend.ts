/**
 * The embedded backend: Hearth's own engine process (node-llama-cpp) behind the LlmBackend interface. Starts the
 * engine on first use, loads the configured model once (progress as state events), forgets it when the engine
 * crashes or the settings change, and runs every generation on the loaded model.
 *
 * Free of `vscode` so the integration tests and the benchmark drive exactly this class; the extension wraps it in
 * EngineService (settings, progress UI, crash notifications).
 */
import { estimateTokens } from "../core/chat/budget";
import { errorText } from "../core/errorText";
import type {
    BackendModel,
    BackendState,
    LlmBackend,
    ModelListing,
    StreamOptions,
    Subscription,
    TokenCounts,
} from "../backend/llmBackend";
import { EngineError, type LoadModelParams, type LoadModelResult } from "../protocol/engineProtocol";
import type { ChatParams, CompleteParams, GenerationResult, InfillParams } from "../protocol/generation";
import type { EngineProcess, EngineState } from "./engineProcess";

export interface EmbeddedBackendOptions {
    /** What to load: read at every `ready()`, so a changed setting is picked up by the next request. */
    loadParams(): LoadModelParams;
    /** The sentence shown when no model is configured (localised by the host). */
    noModelMessage?: string;
}

export class EmbeddedBackend implements LlmBackend {
    readonly kind = "embedded";
    private loaded: { key: string; result: LoadModelResult; model: BackendModel } | undefined;
    private loading: { key: string; promise: Promise<BackendModel> } | undefined;
    private stateValue: BackendState = { kind: "idle" };
    private readonly listeners = new Set<(state: BackendState) => void>();
    private readonly engineSubscription: Subscription;

    constructor(readonly engine: EngineProcess, private readonly options: EmbeddedBackendOptions) {
        this.engineSubscription = engine.onDidChangeState((s) => this.onEngineState(s));
    }

    get state(): BackendState {
        return this.stateValue;
    }

    get model(): BackendModel | undefined {
        return this.loaded?.model;
    }

    /** The engine's own report of the loaded model (backend, layers, threads, chat wrapper…). */
    get loadResult(): LoadModelResult | undefined {
        return this.loaded?.result;
    }

    onDidChangeState(listener: (state: BackendState) => void): Subscription {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
    }

    async ready(signal?: AbortSignal): Promise<BackendModel> {
        const params = this.options.loadParams();
        const key = JSON.stringify(params);
        if (this.loaded?.key === key) return this.loaded.model;
        if (this.loading?.key !== key) {
            const promise = this.load(params, key, signal).finally(() => {
                if (this.loading?.promise === promise) this.loading = undefined;
            });
            this.loading = { key, promise };
        }
        return this.loading.promise;
    }

    /** Forgets the loaded model (settings changed): the next request loads again; nothing is loaded eagerly. */
    invalidate(): void {
        this.loaded = undefined;
        this.loading = undefined;
        if (this.stateValue.kind !== "error") this.setState({ kind: "idle" });
    }

    async chat(params: ChatParams, options: StreamOptions = {}): Promise<GenerationResult> {
        await this.ready(options.signal);
        return this.engine.request("chat", params, streamOptions(options));
    }

    async complete(params: CompleteParams, options: StreamOptions = {}): Promise<GenerationResult> {
        await this.ready(options.signal);
        return this.engine.request("complete", params, streamOptions(options));
    }

    async infill(params: InfillParams, options: StreamOptions = {}): Promise<GenerationResult> {
        await this.ready(options.signal);
        return this.engine.request("infill", params, streamOptions(options));
    }

    async countTokens(texts: readonly string[], signal?: AbortSignal): Promise<TokenCounts> {
        if (this.loaded && texts.length > 0) {
            try {
                return { counts: (await this.engine.request("tokenize", { texts: [...texts] }, { signal })).counts, estimated: false };
            } catch (err) {
                if (err instanceof EngineError && err.code === "cancelled") throw err;
                // The engine restarted or the model went away meanwhile: the estimate keeps the caller going; a
                // request re-counts with the real tokenizer once the model is ready again.
            }
        }
        return { counts: texts.map(estimateTokens), estimated: true };
    }

    /** The configured model file (the engine serves one model at a time; Select Model browses the disk). */
    async listModels(): Promise<ModelListing[]> {
        if (this.loaded) return [{ id: this.loaded.model.id, name: this.loaded.model.name, contextSize: this.loaded.model.contextSize }];
        const file = this.options.loadParams().modelPath;
        return file ? [{ id: file, name: file.split(/[\\/]/).pop() ?? file }] : [];
    }

    dispose(): void {
        this.engineSubscription.dispose();
        this.listeners.clear();
    }

    private async load(params: LoadModelParams, key: string, signal?: AbortSignal): Promise<BackendModel> {
        if (!params.modelPath) {
            this.setState({ kind: "noModel" });
            throw new EngineError("noModel", this.options.noModelMessage
                ?? "No model is selected. Run “Hearth: Select Model” or “Hearth: Download Model”.");
        }
        this.setState({ kind: "starting" });
        try {
            await this.engine.start();
            this.setState({ kind: "loading", progress: 0, label: params.modelPath });
            const result = await this.engine.request("loadModel", params, {
                signal,
                onEvent: (e) => this.setState({ kind: "loading", progress: e.progress, label: params.modelPath }),
            });
            const model = describeModel(result);
            // Keyed by the parameters it was loaded with: after a settings change `ready()` sees another key and loads again.
            this.loaded = { key, result, model };
            this.setState({ kind: "ready", model });
            return model;
        } catch (err) {
            if (this.loaded?.key === key) this.loaded = undefined;
            if (err instanceof EngineError && err.code === "cancelled") {
                this.setState({ kind: "idle" });
            } else {
                this.setState({
                    kind: "error", message: errorText(err), stopped: this.engine.state.kind === "stopped",
                    code: err instanceof EngineError ? err.code : undefined,
                });
            }
            throw err;
        }
    }

    private onEngineState(state: EngineState): void {
        if (state.kind !== "crashed" && state.kind !== "stopped") return;
        this.loaded = undefined;
        this.loading = undefined;
        this.setState({ kind: "error", message: state.reason, stopped: state.kind === "stopped" });
    }

    private setState(state: BackendState): void {
        this.stateValue = state;
        for (const l of [...this.listeners]) l(state);
    }
}

/** The backend-neutral facts of a model the engine loaded. */
export function describeModel(result: LoadModelResult): BackendModel {
    return {
        id: result.modelPath,
        name: result.modelName,
        contextSize: result.contextSize,
        capabilities: { fim: result.infillSupported, toolCalling: result.toolCalling, exactTokenCount: true },
        location: {
            kind: "embedded",
            compute: result.backend,
            gpuLayers: result.gpuLayers,
            totalLayers: result.totalLayers,
            threads: result.threads,
            sizeBytes: result.sizeBytes,
            gpuFallbackReason: result.gpuFallbackReason,
        },
    };
}

function streamOptions(options: StreamOptions) {
    const onText = options.onText;
    return { signal: options.signal, onEvent: onText ? (e: { text: string }) => onText(e.text) : undefined };
}
