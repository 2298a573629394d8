/**
 * The one typed protocol between the extension host and the engine child process.
 *
 * Every operation is described once in `EngineMethods` (params, result, streamed event). Messages are
 * discriminated unions keyed by `type`; requests carry a numeric id, cancellation names that id, and the engine
 * announces itself with `ready` before the host sends anything. When either side goes away the other rejects
 * everything still pending (see engineProcess.ts and engine/main.ts).
 *
 * This file must stay free of `vscode` and of node-llama-cpp runtime imports: it is shared by both processes.
 */

import type { ChatParams, CompleteParams, GenerationResult, InfillParams, SequenceName } from "./generation";

export const ENGINE_PROTOCOL_VERSION = 2;

export interface LoadModelParams {
    modelPath: string;
    /** Upper bound for the context size per sequence; the engine picks the largest that fits in memory. */
    contextSize: number;
    /** CPU threads for generation. 0 would mean node-llama-cpp's default, which is never sent. */
    threads: number;
    /** "auto" fits the model into free VRAM; a number forces that many layers; 0 = CPU only. */
    gpuLayers: "auto" | number;
    /** Number of context sequences: chat and completions each get their own. */
    sequences: number;
    /** "cpu" never touches a GPU backend; "auto" picks CUDA, Vulkan or Metal when present. */
    gpu: "auto" | "cpu";
}

export interface LoadModelResult {
    modelPath: string;
    modelName: string;
    backend: EngineBackend;
    gpuLayers: number;
    totalLayers: number;
    contextSize: number;
    trainContextSize: number;
    threads: number;
    sizeBytes: number;
    loadMs: number;
    hasChatTemplate: boolean;
    chatWrapper: string;
    /**
     * The model's own chat template handles tools and node-llama-cpp's wrapper for it has the template's
     * function-calling syntax: chat requests may carry tools (see src/engine/toolCalling.ts).
     */
    toolCalling: boolean;
    infillSupported: boolean;
    /** Set when the GPU backend failed to initialise and the engine fell back to CPU. */
    gpuFallbackReason?: string;
    /** Set when the model's chat template failed its safety check and the chat is formatted without it. */
    chatTemplateWarning?: string;
}

export type EngineBackend = "cuda" | "vulkan" | "metal" | "cpu";

export interface LoadProgressEvent {
    type: "loadProgress";
    /** 0..1 */
    progress: number;
    stage: "backend" | "model" | "context";
}

export interface TextChunkEvent {
    type: "text";
    text: string;
    /** Tokens generated so far in this request. */
    tokens: number;
}

export interface TokenizeParams {
    texts: string[];
    specialTokens?: boolean;
}

export interface TokenizeResult {
    counts: number[];
}

export interface InspectModelsParams {
    paths: string[];
    /** Backend to judge the fit against (the `hearth.gpu` setting); defaults to the loaded one, else "auto". */
    gpu?: "auto" | "cpu";
}

export interface ModelInfo {
    path: string;
    ok: boolean;
    /** Human-readable reason when `ok` is false (not GGUF, truncated, unsupported architecture...). */
    error?: string;
    name?: string;
    architecture?: string;
    parameters?: string;
    quantization?: string;
    sizeBytes?: number;
    contextLength?: number;
    hasChatTemplate?: boolean;
    hasFimTokens?: boolean;
    /** 0..1, node-llama-cpp's compatibility score for this machine; 0 = does not fit. */
    fitScore?: number;
    fitsOnGpu?: boolean;
    gpuLayers?: number;
}

export interface InspectModelsResult {
    models: ModelInfo[];
}

export interface DownloadModelParams {
    /**
     * hf:<user>/<repo>:<quant>, hf:<user>/<repo>/<file>.gguf[#revision], or an https URL of a .gguf file (optionally
     * ending in #sha256=<hex>). Plain http only to loopback (tests).
     */
    uri: string;
    /** Folder the model is saved in (Hearth's globalStorage/models). */
    dirPath: string;
    /** Hugging Face endpoint for hf: URIs (a mirror; https); default https://huggingface.co/. */
    huggingFaceEndpoint?: string;
    /** SHA-256 pinned by Hearth per remote file name (curated models); must equal what the server publishes. */
    expectedSha256?: Record<string, string>;
}

export interface DownloadProgressEvent {
    type: "downloadProgress";
    /** "download" (default): bytes fetched; "verify": bytes hashed while checking the SHA-256. */
    phase?: "download" | "verify";
    downloadedBytes: number;
    totalBytes: number;
}

export interface DownloadModelResult {
    /** The file to load (part 1 of a split model). */
    modelPath: string;
    /** Every file saved (several for a split model). */
    files: string[];
    totalBytes: number;
    /** Bytes already on disk from an earlier, interrupted download of the same file (0 for a fresh one). */
    resumedFromBytes: number;
    /** The complete file was already there; nothing was transferred (it was checked again). */
    alreadyDownloaded: boolean;
    /** The SHA-256 each file was checked against and matched, aligned with `files` (parts joined by "+"). */
    sha256: string[];
}

export interface EmbedParams {
    /** An embedding model (BERT-like encoder, or any GGUF with pooling); loaded beside the chat model, never instead. */
    modelPath: string;
    texts: string[];
    threads: number;
    gpu: "auto" | "cpu";
    /** Upper bound of tokens per text (the embedding context); longer texts are cut. Default 512. */
    contextSize?: number;
}

export interface EmbedResult {
    /** One L2-normalised vector per text (cosine similarity is a dot product). */
    vectors: number[][];
    dimensions: number;
    modelName: string;
    /** Tokens embedded per text (after cutting). */
    tokens: number[];
    /** How many texts were longer than the embedding context and were cut. */
    cut: number;
    /** Time spent waiting for chat and completions to finish before each text (embeddings never delay them). */
    waitedMs: number;
    ms: number;
}

export interface StatsParams {
    /** Run a full garbage collection first, so rssBytes shows memory still in use (leak checks), not GC timing. */
    collectGarbage?: boolean;
}

export interface StatsResult {
    pid: number;
    backend: EngineBackend | "none";
    modelPath?: string;
    contextSize?: number;
    contextUsed: Record<SequenceName, number>;
    rssBytes: number;
    /**
     * V8's heap: `total` is what it holds committed, `used` what live objects take. Its young generation grows to
     * tens of MB under allocation and V8 shrinks it on its own timer, so leak checks compare
     * rssBytes − (total − used): resident memory actually in use.
     */
    heapBytes?: { total: number; used: number };
    vram?: { total: number; used: number; free: number };
    lastTokensPerSecond?: number;
    busy: SequenceName[];
}

export type NoEvent = never;

/** Every operation: its params, its result and the events it may stream while running. */
export interface EngineMethods {
    loadModel: { params: LoadModelParams; result: LoadModelResult; event: LoadProgressEvent };
    unload: { params: Record<string, never>; result: { unloaded: boolean }; event: NoEvent };
    chat: { params: ChatParams; result: GenerationResult; event: TextChunkEvent };
    complete: { params: CompleteParams; result: GenerationResult; event: TextChunkEvent };
    infill: { params: InfillParams; result: GenerationResult; event: TextChunkEvent };
    tokenize: { params: TokenizeParams; result: TokenizeResult; event: NoEvent };
    inspectModels: { params: InspectModelsParams; result: InspectModelsResult; event: NoEvent };
    downloadModel: { params: DownloadModelParams; result: DownloadModelResult; event: DownloadProgressEvent };
    stats: { params: StatsParams; result: StatsResult; event: NoEvent };
    embed: { params: EmbedParams; result: EmbedResult; event: NoEvent };
}

export type EngineMethod = keyof EngineMethods;
export type ParamsOf<M extends EngineMethod> = EngineMethods[M]["params"];
export type ResultOf<M extends EngineMethod> = EngineMethods[M]["result"];
export type EventOf<M extends EngineMethod> = EngineMethods[M]["event"];

/** Error codes the UI reacts to; `message` is always a sentence a person can act on. */
export type EngineErrorCode =
    | "noModel"
    | "badModel"
    | "modelTooLarge"
    | "cancelled"
    | "engineCrashed"
    | "engineStopped"
    | "busy"
    | "contextOverflow"
    | "downloadFailed"
    /** The download server (Hugging Face, its mirror, or the link's host) could not be reached: no network, DNS, proxy. */
    | "downloadUnreachable"
    | "badRequest"
    | "internal"
    /** No llama.cpp binary for this machine (a VSIX for another platform, or its binaries are missing). */
    | "noBinary"
    // An OpenAI-compatible server (src/serverClient): each failure says what to fix.
    | "serverUnreachable"
    | "serverUnauthorized"
    | "serverTimeout"
    | "serverModelNotFound"
    | "serverError";

export interface EngineErrorPayload {
    code: EngineErrorCode;
    message: string;
    detail?: string;
}

// ---- messages host -> engine ----

export type RequestMessage = {
    [M in EngineMethod]: { type: "request"; id: number; method: M; params: ParamsOf<M> };
}[EngineMethod];

export interface CancelMessage {
    type: "cancel";
    id: number;
}

export interface ShutdownMessage {
    type: "shutdown";
}

export type HostToEngineMessage = RequestMessage | CancelMessage | ShutdownMessage;

// ---- messages engine -> host ----

export interface ReadyMessage {
    type: "ready";
    protocolVersion: number;
    pid: number;
    nodeVersion: string;
}

export type ResultMessage = {
    [M in EngineMethod]: { type: "result"; id: number; method: M; result: ResultOf<M> };
}[EngineMethod];

export interface ErrorMessage {
    type: "error";
    id: number;
    error: EngineErrorPayload;
}

export interface EventMessage {
    type: "event";
    id: number;
    event: LoadProgressEvent | TextChunkEvent | DownloadProgressEvent;
}

export interface LogMessage {
    type: "log";
    level: "trace" | "debug" | "info" | "warn" | "error";
    message: string;
}

export type EngineToHostMessage = ReadyMessage | ResultMessage | ErrorMessage | EventMessage | LogMessage;

/** Runtime guard for messages arriving over IPC: the engine is a separate process and may be anything. */
export function isEngineToHostMessage(value: unknown): value is EngineToHostMessage {
    if (typeof value !== "object" || value === null) return false;
    const type = (value as { type?: unknown }).type;
    return type === "ready" || type === "result" || type === "error" || type === "event" || type === "log";
}

export function isHostToEngineMessage(value: unknown): value is HostToEngineMessage {
    if (typeof value !== "object" || value === null) return false;
    const m = value as { type?: unknown; id?: unknown; method?: unknown };
    if (m.type === "shutdown") return true;
    if (m.type === "cancel") return typeof m.id === "number";
    return m.type === "request" && typeof m.id === "number" && typeof m.method === "string";
}

export class EngineError extends Error {
    constructor(
        readonly code: EngineErrorCode,
        message: string,
        readonly detail?: string,
    ) {
        super(message);
        this.name = "EngineError";
    }

    toPayload(): EngineErrorPayload {
        return { code: this.code, message: this.message, detail: this.detail };
    }

    static fromPayload(payload: EngineErrorPayload): EngineError {
        return new EngineError(payload.code, payload.message, payload.detail);
    }
}
