/**
 * Checks on a model file's GGUF header that llama.cpp would otherwise turn into a crash, a hang or a vague error:
 * a header that is not what it claims (ggufStructure.ts, before any other reader sees it), truncated files (the
 * tensor data ends past the end of the file) and models larger than this machine's memory. Both inspectModels (the
 * Select Model list) and loadModel use them, so the list and the error agree.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { GgufFileInfo, GgufInsights, Llama } from "node-llama-cpp" with { "resolution-mode": "import" };
import { errorText } from "../core/errorText";
import { EngineError } from "../protocol/engineProtocol";
import { checkGgufStructure, GgufStructureError, type GgufLayout } from "./ggufStructure";

export interface ModelFileHeader {
    fileInfo: GgufFileInfo;
    insights: GgufInsights;
    architecture: string;
    /** The layout of each file of the model (one, or each part of a split model). */
    parts: { path: string; layout: GgufLayout }[];
}

/**
 * Reads a model file's header the safe way: the bounded structure walk of every part first (a hostile length or
 * count is refused there), then node-llama-cpp's reader and insights on a header known to be sane. Everything that
 * goes wrong becomes an EngineError naming the file ("badModel"), never a stray exception.
 */
export async function readModelFileHeader(modelPath: string, llama: Llama, signal?: AbortSignal): Promise<ModelFileHeader> {
    const parts: ModelFileHeader["parts"] = [];
    let current = modelPath;
    try {
        // llama.cpp's own tables say which tensor types this build reads and how big their blocks are.
        const bindings = (llama as unknown as { _bindings: LlamaTypeBindings })._bindings;
        const traits = (type: number) => {
            const blockSize = bindings.getBlockSizeForGgmlType(type);
            const typeSize = bindings.getTypeSizeForGgmlType(type);
            return blockSize && typeSize ? { blockSize, typeSize } : undefined;
        };
        for (current of splitParts(modelPath)) parts.push({ path: current, layout: await checkGgufStructure(current, traits) });
    } catch (err) {
        const name = path.basename(current);
        if (err instanceof GgufStructureError && err.truncated) throw truncatedError(name, err.truncated.fileSize, err.truncated.needed);
        if (err instanceof GgufStructureError) {
            throw new EngineError("badModel", `${name} is not a valid GGUF model: ${err.message}. Hearth did not load it; download it again or choose another model.`);
        }
        throw new EngineError("badModel", `Cannot read model ${name}: ${errorText(err)}.`);
    }
    const name = path.basename(modelPath);
    const { readGgufFileInfo, GgufInsights } = await import("node-llama-cpp");
    try {
        const fileInfo = await readGgufFileInfo(modelPath, { signal, logWarnings: false });
        const architecture = String(fileInfo.metadata?.general?.architecture ?? "unknown");
        const insights = await GgufInsights.from(fileInfo, llama);
        return { fileInfo, insights, architecture, parts };
    } catch (err) {
        if (signal?.aborted) throw new EngineError("cancelled", "Reading the model was cancelled.");
        throw new EngineError("badModel", `${name} is not a readable GGUF model: ${errorText(err)}`, String(err));
    }
}

/** Model files are untrusted input: check existence and the GGUF magic before llama.cpp sees them. */
export async function validateModelFile(modelPath: string): Promise<void> {
    const name = path.basename(modelPath);
    let handle: fs.FileHandle;
    try {
        handle = await fs.open(modelPath, "r");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const reason = code === "ENOENT" ? "the file does not exist" : code === "EISDIR" ? "it is a folder" : errorText(err);
        throw new EngineError("badModel", `Cannot open model ${modelPath}: ${reason}. Choose another with “Hearth: Select Model”.`);
    }
    try {
        const header = Buffer.alloc(8);
        const { bytesRead } = await handle.read(header, 0, 8, 0);
        if (bytesRead < 8 || header.toString("latin1", 0, 4) !== "GGUF") {
            throw new EngineError("badModel",
                `${name} is not a GGUF model file (it does not start with the GGUF signature). Hearth loads .gguf files made for llama.cpp.`);
        }
        const version = header.readUInt32LE(4);
        if (version < 2 || version > 3) {
            throw new EngineError("badModel", `${name} is GGUF version ${version}, which llama.cpp cannot read (expected 2 or 3).`);
        }
    } finally {
        await handle.close();
    }
}

/**
 * Everything checked before llama.cpp opens a model file: the header (readModelFileHeader), a supported
 * architecture, weights present, the weights fit in memory, the data all there. Throws the EngineError to show.
 */
export async function checkBeforeLoad(modelPath: string, llama: Llama, signal?: AbortSignal): Promise<ModelFileHeader> {
    await validateModelFile(modelPath);
    const header = await readModelFileHeader(modelPath, llama, signal);
    try {
        if (!header.insights.isSupportedByLlamaCpp) {
            throw new EngineError("badModel",
                `${path.basename(modelPath)} uses the “${header.architecture}” architecture, which this llama.cpp build does not support.`);
        }
        // Memory first: a header claiming more than the machine has is the more useful thing to say.
        const problem = weightsProblem(modelPath, header.fileInfo)
            ?? await memoryProblem(modelPath, header.insights, llama)
            ?? truncationProblem(header);
        if (problem) throw problem;
        return header;
    } catch (err) {
        if (err instanceof EngineError) throw err;
        throw new EngineError("badModel", `${path.basename(modelPath)} is not a readable GGUF model: ${errorText(err)}`, String(err));
    }
}

interface LlamaTypeBindings {
    getBlockSizeForGgmlType(type: number): number | undefined;
    getTypeSizeForGgmlType(type: number): number | undefined;
}

/** A split model (name-00001-of-00003.gguf) is checked part by part; llama.cpp loads them all. */
function splitParts(modelPath: string): string[] {
    const m = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i.exec(modelPath);
    if (!m) return [modelPath];
    const count = Number(m[3]);
    if (count < 1 || count > 999) return [modelPath];
    return Array.from({ length: count }, (_, i) => `${m[1]}-${String(i + 1).padStart(5, "0")}-of-${m[3]}.gguf`);
}

function truncatedError(name: string, fileSize: number, expected: number): EngineError {
    return new EngineError("badModel",
        `${name} is truncated: it has ${fileSize.toLocaleString("en-US")} bytes but its header needs ${expected.toLocaleString("en-US")}. `
        + "The download or copy was interrupted; download it again or choose another model.");
}

function formatGb(bytes: number): string {
    return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** llama.cpp's vocab-only files (tokenizer, no tensors) look like models but cannot generate anything. */
export function weightsProblem(modelPath: string, fileInfo: GgufFileInfo): EngineError | undefined {
    if ((fileInfo.fullTensorInfo?.length ?? Number(fileInfo.totalTensorCount)) > 0) return undefined;
    return new EngineError("badModel",
        `${path.basename(modelPath)} holds only a tokenizer (vocabulary) and no model weights. Choose the full model file.`);
}

/** A model whose tensor data ends past the end of its file was cut short (an interrupted copy or download). */
export function truncationProblem(header: ModelFileHeader): EngineError | undefined {
    const cut = header.parts.find((p) => p.layout.fileSize < p.layout.dataEnd);
    return cut && truncatedError(path.basename(cut.path), cut.layout.fileSize, cut.layout.dataEnd);
}

/**
 * The weights alone must fit in RAM plus (when a GPU backend is up) VRAM; otherwise loading would thrash or be killed
 * by the OS. Context memory comes on top and is checked when the context is created.
 */
export async function memoryProblem(modelPath: string, insights: GgufInsights, llama: Llama): Promise<EngineError | undefined> {
    const vram = llama.gpu === false ? 0 : (await llama.getVramState().catch(() => ({ total: 0 }))).total;
    const available = os.totalmem() + vram;
    if (insights.modelSize <= available) return undefined;
    return new EngineError("modelTooLarge",
        `${path.basename(modelPath)} is too large for this machine: its weights need ${formatGb(insights.modelSize)} but there is `
        + `${formatGb(os.totalmem())} of RAM${vram ? ` and ${formatGb(vram)} of GPU memory` : ""}. Choose a smaller model or quantization (e.g. Q4_K_M).`);
}
