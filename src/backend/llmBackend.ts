/**
 * The one interface every feature talks to for text generation: chat, rewrite (a chat turn at a low temperature,
 * see src/review/rewriteBackend.ts), infill and plain completion, token counting, cancellation (an AbortSignal on
 * every call), the model's facts and capabilities. The embedded engine (src/engineClient/embeddedBackend.ts) and an
 * OpenAI-compatible server are implementations of it; a feature never knows which one answers.
 *
 * Free of `vscode`: the engine integration tests and the benchmark drive the same implementations the product uses.
 *
 * Readiness is ensured in one place, `ready()`: it starts the engine and loads the configured model (or reaches the
 * configured server) once and answers from memory afterwards. Every generation calls it first, so a flow that needs
 * the model's facts before it builds a request (the context size for a token budget) calls `ready()` itself and
 * gets the same model its request will run on.
 */
import type { EngineBackend, EngineErrorCode } from "../protocol/engineProtocol";
import type { ChatParams, CompleteParams, GenerationResult, InfillParams } from "../protocol/generation";

export type BackendKind = "embedded" | "openai-compatible";

export interface BackendCapabilities {
    /** Fill-in-the-middle: `infill` sees the text after the cursor. Without it completions continue the prefix only. */
    fim: boolean;
    /** The model's chat template supports function calling. */
    toolCalling: boolean;
    /** `countTokens` uses the model's own tokenizer; when false its counts are estimates and budgets keep a margin. */
    exactTokenCount: boolean;
}

/** Where the text of a request goes: shown in the status bar so the user always knows. */
export type BackendLocation =
    | {
        kind: "embedded";
        /** Compute backend of the engine process. */
        compute: EngineBackend;
        gpuLayers: number;
        totalLayers: number;
        threads: number;
        sizeBytes: number;
        /** Set when the GPU backend failed to initialise and the engine fell back to the CPU. */
        gpuFallbackReason?: string;
    }
    | {
        kind: "server";
        /** The configured server URL (without credentials). */
        url: string;
        /** Host name (and port) shown to the user: "gpu-box.local:8080". */
        host: string;
    };

export interface BackendModel {
    /** Stable identity of the model: the file path (embedded) or the server's model id. Caches key on it. */
    id: string;
    /** Short human name for the status bar and pickers. */
    name: string;
    /** Tokens one request may use in all (prompt + answer): the context the backend really allocated. */
    contextSize: number;
    capabilities: BackendCapabilities;
    location: BackendLocation;
}

/** One model a backend can serve (Select Model, other extensions' model pickers). */
export interface ModelListing {
    /** What to configure to use it: the file path (embedded) or the server's model id. */
    id: string;
    name: string;
    /** Context the backend reports for it, when it does. */
    contextSize?: number;
    /** A short note (the server's owner field, the file's folder). */
    detail?: string;
}

export interface TokenCounts {
    counts: number[];
    /** True when the counts are estimates (no tokenizer available): callers budget with a margin. */
    estimated: boolean;
}

export interface StreamOptions {
    signal?: AbortSignal;
    /** Text as it streams (already merged into chunks by the backend). */
    onText?: (text: string) => void;
    /**
     * Nobody is waiting for this generation (the chat's running summary, written after an answer): it does not make
     * the state "generating" and Stop Generation leaves it alone; its owner cancels it through `signal`.
     */
    background?: boolean;
}

export type BackendState =
    | { kind: "idle" }
    | { kind: "starting" }
    | { kind: "loading"; progress: number; label: string }
    | { kind: "ready"; model: BackendModel }
    | { kind: "generating"; model: BackendModel }
    | { kind: "noModel" }
    /** `code`: the engine error's code when the failure was one (the chat banner offers the actions that fix it). */
    | { kind: "error"; message: string; stopped: boolean; code?: EngineErrorCode };

export interface Subscription {
    dispose(): void;
}

export interface LlmBackend {
    readonly kind: BackendKind;
    readonly state: BackendState;
    onDidChangeState(listener: (state: BackendState) => void): Subscription;
    /** The model that is ready now, if any; never starts anything. */
    readonly model: BackendModel | undefined;
    /** Makes the configured model ready (the one place that loads or connects) and returns its facts. */
    ready(signal?: AbortSignal): Promise<BackendModel>;
    chat(params: ChatParams, options?: StreamOptions): Promise<GenerationResult>;
    /** Plain continuation of a prompt (completions without FIM, raw prompts). */
    complete(params: CompleteParams, options?: StreamOptions): Promise<GenerationResult>;
    /** Fill-in-the-middle; only when `capabilities.fim`. */
    infill(params: InfillParams, options?: StreamOptions): Promise<GenerationResult>;
    /**
     * Token counts of `texts` for the ready model. Never loads a model: before one is ready it answers with an
     * estimate (`estimated: true`).
     */
    countTokens(texts: readonly string[], signal?: AbortSignal): Promise<TokenCounts>;
    /**
     * The models this backend can serve now, without loading any: a server's GET /v1/models, or the embedded
     * engine's configured model file.
     */
    listModels(signal?: AbortSignal): Promise<ModelListing[]>;
}
