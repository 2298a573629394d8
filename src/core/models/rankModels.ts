/**
 * Turns discovered files plus the engine's GGUF inspection into the Select Model list: what each model is, whether
 * it fits this machine, and the order (best fit first; models that cannot be used last, with the reason).
 */
import * as path from "node:path";
import type { ModelInfo } from "../../protocol/engineProtocol";
import { formatBytes } from "../formatBytes";
import type { DiscoveredModel } from "./discoverModels";
import { parseShardName } from "./discoverModels";

/** fitsGpu/fitsCpu: loads and runs; tooLarge: readable but does not fit in memory; unusable: cannot be loaded. */
export type ModelFit = "fitsGpu" | "fitsCpu" | "tooLarge" | "unusable" | "unknown";

export interface RankedModel {
    discovered: DiscoveredModel;
    info?: ModelInfo;
    fit: ModelFit;
    displayName: string;
    /** Why the model is unusable (from discovery or from the engine), in English from the engine. */
    reason?: string;
}

const FIT_ORDER: Record<ModelFit, number> = { fitsGpu: 0, fitsCpu: 0, unknown: 1, tooLarge: 2, unusable: 3 };

export function fileDisplayName(filePath: string): string {
    const base = path.basename(filePath);
    const shard = parseShardName(base);
    return shard ? shard.base : base.replace(/\.gguf$/i, "");
}

export function classifyModel(discovered: DiscoveredModel, info: ModelInfo | undefined): RankedModel {
    // The file name is what people recognise on disk (GGUF general.name is often generic, e.g. "llama").
    const displayName = discovered.ollamaName ?? fileDisplayName(discovered.path);
    if (discovered.problem) return { discovered, info, fit: "unusable", displayName, reason: discovered.problem };
    if (!info) return { discovered, fit: "unknown", displayName };
    if (!info.ok) return { discovered, info, fit: "unusable", displayName, reason: info.error ?? "it could not be read" };
    if (!info.fitScore) return { discovered, info, fit: "tooLarge", displayName };
    return { discovered, info, fit: info.fitsOnGpu ? "fitsGpu" : "fitsCpu", displayName };
}

/**
 * Best fit first: node-llama-cpp's compatibility score (coarsened, so tiny differences do not beat a more capable
 * model), then the larger model, then the name. Unknown (not inspected yet) after those, then too large, then unusable.
 */
export function rankModels(models: readonly RankedModel[]): RankedModel[] {
    const bucket = (m: RankedModel) => Math.round((m.info?.fitScore ?? 0) * 10);
    return [...models].sort((a, b) =>
        FIT_ORDER[a.fit] - FIT_ORDER[b.fit]
        || bucket(b) - bucket(a)
        || b.discovered.sizeBytes - a.discovered.sizeBytes
        || a.displayName.localeCompare(b.displayName));
}

/** 32768 → "32K", 2048 → "2K", 1000 → "1000". */
export function formatContextLength(tokens: number): string {
    return tokens >= 1024 && tokens % 1024 === 0 ? `${tokens / 1024}K` : String(tokens);
}

/** "1.5B · Q4_K_M · 1.0 GB · 32K context" — the facts that are known, in that order. */
export function describeModelFacts(model: RankedModel, contextWord = "context"): string {
    const info = model.info;
    const facts: string[] = [];
    if (info?.name && info.name.toLowerCase() !== model.displayName.toLowerCase()) facts.push(info.name);
    if (info?.parameters) facts.push(info.parameters);
    if (info?.quantization) facts.push(info.quantization);
    if (model.discovered.sizeBytes) facts.push(formatBytes(model.discovered.sizeBytes));
    if (model.discovered.parts && model.discovered.parts.expected > 1) facts.push(`${model.discovered.parts.expected} parts`);
    if (info?.contextLength) facts.push(`${formatContextLength(info.contextLength)} ${contextWord}`);
    return facts.join(" · ");
}
