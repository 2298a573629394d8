/**
 * Reads GGUF metadata (never tensor data) of candidate model files and scores how well each fits this machine,
 * using node-llama-cpp's GGUF reader and insights. Files are untrusted: every failure becomes a per-file reason.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { InspectModelsParams, InspectModelsResult, ModelInfo } from "../protocol/engineProtocol";
import { errorText } from "../core/errorText";
import { loadNodeLlamaCpp, validateModelFile, type ModelHost } from "./modelHost";
import { memoryProblem, readModelFileHeader, truncationProblem, weightsProblem } from "./modelFileChecks";

export async function inspectModels(host: ModelHost, params: InspectModelsParams, signal: AbortSignal): Promise<InspectModelsResult> {
    const { GgufFileType, GgmlType } = await loadNodeLlamaCpp();
    // Never switch backends under a loaded model (getLlama would unload it): judge against the backend in use.
    const llama = await host.getLlama(host.current?.params.gpu ?? params.gpu ?? "auto");
    const models: ModelInfo[] = [];
    for (const modelPath of params.paths) {
        if (signal.aborted) break;
        const info: ModelInfo = { path: modelPath, ok: false };
        models.push(info);
        try {
            await validateModelFile(modelPath);
            info.sizeBytes = (await fs.stat(modelPath)).size;
            const header = await readModelFileHeader(modelPath, llama, signal);
            const file = header.fileInfo;
            const meta = file.metadata;
            const general = meta?.general;
            info.name = typeof general?.name === "string" && general.name.trim() ? general.name.trim() : path.basename(modelPath, ".gguf");
            info.architecture = String(general?.architecture ?? "unknown");
            const fileType = general?.file_type;
            info.quantization = typeof fileType === "number" ? String(GgufFileType[fileType] ?? fileType).replace(/^MOSTLY_/, "") : undefined;
            info.hasChatTemplate = typeof meta?.tokenizer?.chat_template === "string";
            const ggml = meta?.tokenizer?.ggml as Record<string, unknown> | undefined;
            info.hasFimTokens = ggml != null && ["fim_pre_token_id", "fim_suf_token_id", "fim_mid_token_id"].every((k) => typeof ggml[k] === "number")
                || ggml != null && ["prefix_token_id", "suffix_token_id", "middle_token_id"].every((k) => typeof ggml[k] === "number");
            const insights = header.insights;
            // Older conversions (e.g. stories260K) lack general.file_type: name the dominant tensor type instead.
            const dominant = insights.dominantTensorType;
            if (info.quantization === undefined && dominant !== undefined) info.quantization = GgmlType[dominant];
            info.contextLength = insights.trainContextSize;
            info.parameters = formatParameters(insights.totalParameters, general?.size_label);
            if (!insights.isSupportedByLlamaCpp) {
                info.error = `The “${info.architecture}” architecture is not supported by this llama.cpp build.`;
                continue;
            }
            const noWeights = weightsProblem(modelPath, file);
            if (noWeights) {
                info.error = noWeights.message;
                continue;
            }
            if (await memoryProblem(modelPath, insights, llama)) {
                // Readable, but it cannot run here: listed as "too large" (fitScore 0), not as broken.
                info.fitScore = 0;
                info.fitsOnGpu = false;
                info.ok = true;
                continue;
            }
            const truncated = truncationProblem(header);
            if (truncated) {
                info.error = truncated.message;
                continue;
            }
            const score = await insights.configurationResolver.resolveAndScoreConfig({ targetContextSize: Math.min(8192, insights.trainContextSize ?? 8192) });
            info.fitScore = score.compatibilityScore;
            info.gpuLayers = score.resolvedValues.gpuLayers;
            info.fitsOnGpu = llama.gpu !== false && score.resolvedValues.gpuLayers >= insights.totalLayers;
            info.ok = true;
        } catch (err) {
            info.error = errorText(err);
        }
    }
    return { models };
}

function formatParameters(total: number, label: unknown): string | undefined {
    if (typeof label === "string" && label) return label;
    if (!total) return undefined;
    if (total >= 1e9) return `${(total / 1e9).toFixed(1)}B`;
    if (total >= 1e6) return `${(total / 1e6).toFixed(1)}M`;
    return `${(total / 1e3).toFixed(0)}K`;
}
