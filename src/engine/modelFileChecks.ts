/**
 * Checks on a model file's GGUF header that llama.cpp would otherwise turn into a crash, a hang or a vague error:
 * truncated files (the tensor data ends past the end of the file) and models larger than this machine's memory.
 * Both inspectModels (the Select Model list) and loadModel use them, so the list and the error agree.
 */
import * as os from "node:os";
import * as path from "node:path";
import type { GgufFileInfo, GgufInsights, Llama } from "node-llama-cpp" with { "resolution-mode": "import" };
import { EngineError } from "../protocol/engineProtocol";

function formatGb(bytes: number): string {
    return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** llama.cpp's vocab-only files (tokenizer, no tensors) look like models but cannot generate anything. */
export function weightsProblem(modelPath: string, fileInfo: GgufFileInfo): EngineError | undefined {
    if ((fileInfo.fullTensorInfo?.length ?? Number(fileInfo.totalTensorCount)) > 0) return undefined;
    return new EngineError("badModel",
        `${path.basename(modelPath)} holds only a tokenizer (vocabulary) and no model weights. Choose the full model file.`);
}

/** A single-file model whose tensors end past the end of the file was cut short (an interrupted copy or download). */
export function truncationProblem(modelPath: string, fileInfo: GgufFileInfo, insights: GgufInsights, fileSize: number): EngineError | undefined {
    const tensors = fileInfo.fullTensorInfo ?? [];
    if (fileInfo.splicedParts !== 1 || tensors.length === 0) return undefined;
    const first = tensors[0]!;
    const dataStart = Number(BigInt(first.fileOffset) - BigInt(first.offset));
    const expected = dataStart + insights.modelSize;
    if (fileSize >= expected) return undefined;
    return new EngineError("badModel",
        `${path.basename(modelPath)} is truncated: it has ${fileSize.toLocaleString("en-US")} bytes but its header needs ${expected.toLocaleString("en-US")}. `
        + "The download or copy was interrupted; download it again or choose another model.");
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
