/**
 * Owns the node-llama-cpp objects of the engine process: one Llama backend, at most one loaded model and one
 * context holding a sequence per consumer (chat, completion). node-llama-cpp is ESM-only and is imported
 * dynamically so the engine starts (and answers `ready`) before the native binding is loaded.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { detectFimTokens, type FimTokens } from "../core/completion/fimTokens";
import { errorText } from "../core/errorText";
import { isNoBinaryFoundError, missingBinaryMessage } from "../core/platformTarget";
import {
    EngineError,
    type EngineBackend,
    type LoadModelParams,
    type LoadModelResult,
    type LoadProgressEvent,
} from "../protocol/engineProtocol";
import { type SequenceName } from "../protocol/generation";
import { checkChatTemplate } from "./chatTemplateCheck";
import { checkBeforeLoad, validateModelFile, type ModelFileHeader } from "./modelFileChecks";
import { dropVocabularyArrays, releaseLoadTimeMemory } from "./modelMemory";
import { packagedTarget } from "./packagedTarget";
import { templateSupportsTools } from "./toolCalling";
import { readThpMode, useMmapFor } from "./weightsMemory";

// Kept importable from here: the downloader and the embedding model loader use them.
export { checkBeforeLoad, validateModelFile };

export type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

let nodeLlamaCppModule: Promise<NodeLlamaCpp> | undefined;
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
    nodeLlamaCppModule ??= import("node-llama-cpp");
    return nodeLlamaCppModule;
}

type Logger = (level: "debug" | "info" | "warn" | "error", message: string) => void;

export interface LoadedModel {
    params: LoadModelParams;
    info: LoadModelResult;
    model: LlamaModel;
    context: LlamaContext;
    sequences: Record<SequenceName, LlamaContextSequence>;
    /** Fill-in-the-middle token ids, from the model's metadata or its vocabulary; undefined = plain completion only. */
    fim?: FimTokens;
    /**
     * The chat template wrapper, resolved once per load: resolving it (Jinja templates are test-rendered) took
     * 250–380 ms, which had been paid on every chat turn's time to first token.
     */
    chatWrapper: ChatWrapper;
}

export class ModelHost {
    private llama: Llama | undefined;
    private llamaGpuMode: "auto" | "cpu" | undefined;
    private gpuFallbackReason: string | undefined;
    private loaded: LoadedModel | undefined;

    constructor(private readonly log: Logger) {}

    get current(): LoadedModel | undefined {
        return this.loaded;
    }

    get backend(): EngineBackend | "none" {
        if (!this.llama) return "none";
        return this.llama.gpu === false ? "cpu" : this.llama.gpu;
    }

    requireLoaded(): LoadedModel {
        if (!this.loaded) {
            throw new EngineError("noModel", "No model is loaded. Choose one with “Hearth: Select Model”.");
        }
        return this.loaded;
    }

    /** Creates the backend once; falls back to CPU (and remembers why) when the GPU backend fails. */
    async getLlama(gpuMode: "auto" | "cpu"): Promise<Llama> {
        if (this.llama && this.llamaGpuMode === gpuMode) return this.llama;
        if (this.llama) {
            await this.unload();
            await this.llama.dispose();
            this.llama = undefined;
        }
        const { getLlama, LlamaLogLevel } = await loadNodeLlamaCpp();
        const logger = (level: unknown, message: string) => {
            const text = message.trim();
            if (!text) return;
            const mapped = level === LlamaLogLevel.error || level === LlamaLogLevel.fatal ? "error"
                : level === LlamaLogLevel.warn ? "warn" : "debug";
            this.log(mapped, `[llama.cpp] ${text}`);
        };
        this.gpuFallbackReason = undefined;
        if (gpuMode === "auto") {
            try {
                this.llama = await getLlama({ gpu: "auto", build: "never", logLevel: LlamaLogLevel.warn, logger });
            } catch (err) {
                this.gpuFallbackReason = `GPU backend failed to initialise (${errorText(err)}); running on the CPU.`;
                this.log("warn", this.gpuFallbackReason);
            }
        }
        // node-llama-cpp ships no CPU-only binary for Apple silicon: there "cpu" means the Metal build with
        // every layer kept on the CPU (load() forces gpuLayers 0 in "cpu" mode).
        const cpuOnlyGpu = process.platform === "darwin" && process.arch === "arm64" ? "metal" : false;
        try {
            this.llama ??= await getLlama({ gpu: cpuOnlyGpu, build: "never", logLevel: LlamaLogLevel.warn, logger });
        } catch (err) {
            // node-llama-cpp only says "NoBinaryFoundError": say which package this machine needs instead.
            if (isNoBinaryFoundError(err)) throw new EngineError("noBinary", missingBinaryMessage(process, await packagedTarget()), errorText(err));
            throw err;
        }
        this.llamaGpuMode = gpuMode;
        return this.llama;
    }

    async load(
        params: LoadModelParams,
        signal: AbortSignal,
        emit: (event: LoadProgressEvent) => void,
    ): Promise<LoadModelResult> {
        const started = Date.now();
        await validateModelFile(params.modelPath);
        emit({ type: "loadProgress", progress: 0, stage: "backend" });
        const llama = await this.getLlama(params.gpu);
        if (this.loaded && sameLoad(this.loaded.params, params)) return this.loaded.info;
        await this.unload();

        // The header is checked (bounded structure walk, node-llama-cpp's reader, memory) before llama.cpp opens the file.
        const header = await checkBeforeLoad(params.modelPath, llama, signal);
        const { architecture } = header;
        // The chat template is untrusted code: it is rendered in a worker (time and memory limits) while the weights load.
        const template = header.fileInfo.metadata?.tokenizer?.chat_template;
        const templateCheck = typeof template === "string" ? checkChatTemplate(template, templateTokens(header.fileInfo)) : undefined;
        // The check's own copy of the vocabulary is not needed any more; node-llama-cpp is about to read another.
        dropVocabularyArrays(header);

        let model: LlamaModel;
        try {
            model = await llama.loadModel({
                modelPath: params.modelPath,
                gpuLayers: params.gpu === "cpu" ? 0 : params.gpuLayers,
                // On the CPU the weights go on huge pages rather than a mapping of the file (src/engine/weightsMemory.ts).
                useMmap: useMmapFor({ platform: process.platform, cpuBackend: llama.gpu === false, thp: readThpMode() }),
                loadSignal: signal,
                onLoadProgress: (progress) => emit({ type: "loadProgress", progress: progress * 0.9, stage: "model" }),
            });
        } catch (err) {
            if (signal.aborted) throw new EngineError("cancelled", "Model loading was cancelled.");
            throw classifyLoadError(params.modelPath, architecture, err);
        }

        emit({ type: "loadProgress", progress: 0.92, stage: "context" });
        let context: LlamaContext;
        try {
            context = await model.createContext({
                // Never "auto": that takes the full training context (e.g. 32k) and its memory.
                contextSize: { min: Math.min(512, params.contextSize), max: params.contextSize },
                sequences: Math.max(1, params.sequences),
                threads: Math.max(1, params.threads),
                createSignal: signal,
            });
        } catch (err) {
            await model.dispose();
            if (signal.aborted) throw new EngineError("cancelled", "Model loading was cancelled.");
            throw new EngineError("modelTooLarge",
                `Not enough memory for a context for ${path.basename(params.modelPath)}. Lower “hearth.contextSize” or choose a smaller model.`,
                errorText(err));
        }
        const chat = context.getSequence();
        const completion = params.sequences > 1 ? context.getSequence() : chat;
        const stat = await fs.stat(params.modelPath);
        const fim = detectFimTokens(model);
        const info: LoadModelResult = {
            modelPath: params.modelPath,
            modelName: modelDisplayName(model, params.modelPath),
            backend: llama.gpu === false || model.gpuLayers === 0 ? "cpu" : llama.gpu,
            gpuLayers: model.gpuLayers,
            totalLayers: model.fileInsights.totalLayers,
            contextSize: context.contextSize,
            trainContextSize: model.trainContextSize,
            threads: context.currentThreads,
            sizeBytes: stat.size,
            loadMs: Date.now() - started,
            hasChatTemplate: typeof model.fileInfo.metadata?.tokenizer?.chat_template === "string",
            chatWrapper: "",
            toolCalling: false,
            infillSupported: fim !== undefined,
            gpuFallbackReason: this.gpuFallbackReason,
        };
        const nlc = await loadNodeLlamaCpp();
        const verdict = await templateCheck;
        if (verdict && !verdict.ok) {
            info.chatTemplateWarning = `The chat template in ${path.basename(params.modelPath)} was not used: ${verdict.reason}. `
                + "Hearth formats the chat without it, so answers may be worse. A template like this can be a sign of a tampered file.";
            this.log("warn", info.chatTemplateWarning);
        }
        const chatWrapper = await chatWrapperFor(model, verdict?.ok !== false);
        info.chatWrapper = chatWrapper.wrapperName;
        // A template that failed its check is not looked at again (the chat is formatted without it).
        const usedTemplate = verdict?.ok === false ? undefined : model.fileInfo.metadata?.tokenizer?.chat_template;
        info.toolCalling = templateSupportsTools(nlc, chatWrapper, typeof usedTemplate === "string" ? usedTemplate : undefined);
        // Nothing reads the vocabulary's texts from here on (src/engine/modelMemory.ts).
        await releaseLoadTimeMemory(model);
        this.loaded = { params, info, model, context, sequences: { chat, completion }, fim, chatWrapper };
        emit({ type: "loadProgress", progress: 1, stage: "context" });
        this.log("info", `Loaded ${info.modelName} (${info.backend}, ${info.gpuLayers}/${info.totalLayers} layers on GPU, `
            + `context ${info.contextSize}, ${info.threads} threads) in ${info.loadMs} ms`);
        return info;
    }

    async unload(): Promise<boolean> {
        const loaded = this.loaded;
        if (!loaded) return false;
        this.loaded = undefined;
        await loaded.context.dispose();
        await loaded.model.dispose();
        return true;
    }

    async dispose(): Promise<void> {
        await this.unload();
        await this.llama?.dispose();
        this.llama = undefined;
    }
}

/** node-llama-cpp's choice of chat format; without the template when it failed its check (never rendered then). */
async function chatWrapperFor(model: LlamaModel, useTemplate: boolean): Promise<ChatWrapper> {
    const { resolveChatWrapper, GeneralChatWrapper } = await loadNodeLlamaCpp();
    if (useTemplate) return resolveChatWrapper(model) ?? new GeneralChatWrapper();
    const metadata = model.fileInfo.metadata;
    const fileInfo = { ...model.fileInfo, metadata: { ...metadata, tokenizer: { ...metadata.tokenizer, chat_template: undefined } } };
    return resolveChatWrapper({
        bosString: model.tokens.bosString, filename: model.filename, fileInfo: fileInfo as typeof model.fileInfo, tokenizer: model.tokenizer,
    }) ?? new GeneralChatWrapper();
}

/** The BOS/EOS token texts a template expects as bos_token/eos_token. */
function templateTokens(fileInfo: ModelFileHeader["fileInfo"]): { bos: string; eos: string } {
    const ggml = fileInfo.metadata?.tokenizer?.ggml as { tokens?: unknown; bos_token_id?: unknown; eos_token_id?: unknown } | undefined;
    const tokens = Array.isArray(ggml?.tokens) ? ggml.tokens : [];
    const text = (id: unknown) => (typeof id === "number" && typeof tokens[id] === "string" ? tokens[id] as string : "");
    return { bos: text(ggml?.bos_token_id), eos: text(ggml?.eos_token_id) };
}

function sameLoad(a: LoadModelParams, b: LoadModelParams): boolean {
    return a.modelPath === b.modelPath && a.contextSize === b.contextSize && a.threads === b.threads
        && a.gpuLayers === b.gpuLayers && a.sequences === b.sequences && a.gpu === b.gpu;
}

function modelDisplayName(model: LlamaModel, modelPath: string): string {
    const name = model.fileInfo.metadata?.general?.name;
    return typeof name === "string" && name.trim() ? name.trim() : path.basename(modelPath, ".gguf");
}

export function classifyLoadError(modelPath: string, architecture: string, err: unknown): EngineError {
    const name = path.basename(modelPath);
    const text = errorText(err);
    if (/InsufficientMemory|out of memory|not enough memory|failed to allocate|ErrorOutOfMemory/i.test(text)) {
        return new EngineError("modelTooLarge",
            `${name} does not fit in this machine's free memory. Choose a smaller model or quantization (e.g. Q4_K_M).`, text);
    }
    if (/unknown model architecture|unsupported/i.test(text)) {
        return new EngineError("badModel", `${name} uses the “${architecture}” architecture, which this llama.cpp build does not support.`, text);
    }
    return new EngineError("badModel",
        `${name} could not be loaded: the file is damaged, truncated or incomplete (${text}). Download it again or choose another model.`, text);
}
