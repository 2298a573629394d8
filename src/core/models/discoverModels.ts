/**
 * Finds GGUF models in the folders of modelLocations.ts: a bounded, cancellable, asynchronous scan (depth, number of
 * directory entries and number of models are capped; node_modules, .git and hidden folders are skipped; symlinked
 * folders are followed once). Split models (name-00001-of-00003.gguf) count as one model loaded from part 1, and
 * Ollama models are found through their manifests. Plain Node (no vscode): unit-tested on temp folders.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { ModelFolder, ModelSourceKind } from "./modelLocations";
import { ollamaBlobPath, ollamaDisplayName, parseOllamaManifest } from "./ollamaManifests";

export interface DiscoveredModel {
    /** The file to load: part 1 for split models. */
    path: string;
    source: ModelSourceKind;
    /** Ollama's `name:tag`, for models found in Ollama's store. */
    ollamaName?: string;
    /** Bytes on disk, all parts together for split models. */
    sizeBytes: number;
    /** Split models: how many parts the name announces and how many were found. */
    parts?: { expected: number; found: number };
    /** Why the model cannot be used even before reading it (missing parts, missing Ollama blob). */
    problem?: string;
}

export interface ScanLimits {
    /** Folder levels below each root that are searched. */
    maxDepth: number;
    /** Directory entries looked at per root, so a huge folder (a whole home directory) stays quick. */
    maxEntries: number;
    /** Models reported in total. */
    maxModels: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxDepth: 6, maxEntries: 20_000, maxModels: 300 };

export interface ScanProgress {
    folder: ModelFolder;
    folderIndex: number;
    folderCount: number;
    found: number;
}

export interface DiscoveryResult {
    models: DiscoveredModel[];
    /** True when a limit stopped the scan early somewhere. */
    truncated: boolean;
    /** True when the signal stopped the scan; `models` holds what was found until then. */
    cancelled: boolean;
}

const SKIPPED_DIRS = new Set(["node_modules", "__pycache__", "$recycle.bin"]);
const SHARD_PATTERN = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/** Vision projectors (LM Studio and Hugging Face ship them beside the model) are not models on their own. */
export function isModelFileName(name: string): boolean {
    const lower = name.toLowerCase();
    return lower.endsWith(".gguf") && !lower.startsWith("mmproj") && !lower.startsWith(".");
}

export function parseShardName(name: string): { base: string; part: number; of: number } | undefined {
    const m = SHARD_PATTERN.exec(name);
    if (!m) return undefined;
    const part = Number(m[2]);
    const of = Number(m[3]);
    return part >= 1 && of >= 1 && part <= of ? { base: m[1]!, part, of } : undefined;
}

interface FoundFile {
    path: string;
    size: number;
}

/** Groups split parts into one model each; single files pass through. */
export function groupShards(files: readonly FoundFile[], source: ModelSourceKind): DiscoveredModel[] {
    const singles: DiscoveredModel[] = [];
    const groups = new Map<string, { of: number; parts: Map<number, FoundFile> }>();
    for (const f of files) {
        const shard = parseShardName(path.basename(f.path));
        if (!shard) {
            singles.push({ path: f.path, source, sizeBytes: f.size });
            continue;
        }
        const key = `${path.dirname(f.path)}\0${shard.base}\0${shard.of}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { of: shard.of, parts: new Map() }));
        group.parts.set(shard.part, f);
    }
    const grouped: DiscoveredModel[] = [];
    for (const group of groups.values()) {
        const first = group.parts.get(1);
        const anyPart = first ?? [...group.parts.values()][0]!;
        const sizeBytes = [...group.parts.values()].reduce((sum, f) => sum + f.size, 0);
        const missing = group.of - group.parts.size;
        grouped.push({
            path: first ? first.path : anyPart.path,
            source,
            sizeBytes,
            parts: { expected: group.of, found: group.parts.size },
            problem: missing > 0 ? `${missing} of its ${group.of} parts are missing` : undefined,
        });
    }
    return [...singles, ...grouped];
}

class ScanBudget {
    entries = 0;
    truncated = false;
    constructor(readonly limits: ScanLimits, readonly signal: AbortSignal | undefined) {}
    get stopped(): boolean {
        return this.signal?.aborted === true;
    }
}

async function scanGgufFolder(root: string, budget: ScanBudget, remaining: number): Promise<FoundFile[]> {
    const found: FoundFile[] = [];
    const visited = new Set<string>();
    let level: string[] = [root];
    budget.entries = 0;
    for (let depth = 0; depth <= budget.limits.maxDepth && level.length; depth++) {
        const next: string[] = [];
        for (const dir of level) {
            if (budget.stopped) return found;
            let real: string;
            try {
                real = await fs.realpath(dir);
            } catch {
                continue;
            }
            if (visited.has(real)) continue;
            visited.add(real);
            let entries: import("node:fs").Dirent[];
            try {
                entries = await fs.readdir(dir, { withFileTypes: true });
            } catch {
                continue; // missing or unreadable folders are normal (tools the user does not have)
            }
            for (const entry of entries) {
                if (++budget.entries > budget.limits.maxEntries || found.length >= remaining) {
                    budget.truncated = true;
                    return found;
                }
                const full = path.join(dir, entry.name);
                let isDir = entry.isDirectory();
                let isFile = entry.isFile();
                if (entry.isSymbolicLink()) {
                    const target = await fs.stat(full).catch(() => undefined);
                    isDir = target?.isDirectory() ?? false;
                    isFile = target?.isFile() ?? false;
                }
                if (isDir) {
                    const lower = entry.name.toLowerCase();
                    if (!entry.name.startsWith(".") && !SKIPPED_DIRS.has(lower)) {
                        if (depth < budget.limits.maxDepth) next.push(full);
                        else budget.truncated = true;
                    }
                } else if (isFile && isModelFileName(entry.name)) {
                    const stat = await fs.stat(full).catch(() => undefined);
                    if (stat) found.push({ path: full, size: stat.size });
                }
            }
        }
        level = next;
    }
    return found;
}

/** Walks `<root>/manifests/<registry>/<namespace>/<model>/<tag>` and maps each manifest to its GGUF blob. */
async function scanOllama(root: string, budget: ScanBudget, remaining: number): Promise<DiscoveredModel[]> {
    const manifestsRoot = path.join(root, "manifests");
    const models: DiscoveredModel[] = [];
    const walk = async (dir: string, names: string[]): Promise<void> => {
        if (budget.stopped || models.length >= remaining) return;
        let entries: import("node:fs").Dirent[];
        try {
            entries = await fs.readdir(dir, { withFileTypes: true });
        } catch {
            return;
        }
        for (const entry of entries) {
            if (budget.stopped) return;
            if (models.length >= remaining) {
                budget.truncated = true;
                return;
            }
            const full = path.join(dir, entry.name);
            if (names.length < 3 && entry.isDirectory()) await walk(full, [...names, entry.name]);
            else if (names.length === 3 && entry.isFile()) {
                const [registry, namespace, model] = names as [string, string, string];
                const found = await readOllamaManifest(root, full, ollamaDisplayName(registry, namespace, model, entry.name));
                if (found) models.push(found);
            }
        }
    };
    await walk(manifestsRoot, []);
    return models;
}

async function readOllamaManifest(root: string, manifestPath: string, name: string): Promise<DiscoveredModel | undefined> {
    let json: unknown;
    try {
        const stat = await fs.stat(manifestPath);
        if (stat.size > 1024 * 1024) return undefined; // a manifest is a few hundred bytes; this is something else
        json = JSON.parse(await fs.readFile(manifestPath, "utf8"));
    } catch {
        return { path: manifestPath, source: "ollama", ollamaName: name, sizeBytes: 0, problem: "its Ollama manifest is not valid JSON" };
    }
    const layer = parseOllamaManifest(json);
    if ("error" in layer) {
        // Manifests without a model layer (e.g. adapters, embeddings pulled by other tools) are simply not models.
        return layer.error === "the manifest has no model layer" ? undefined
            : { path: manifestPath, source: "ollama", ollamaName: name, sizeBytes: 0, problem: layer.error };
    }
    const blob = ollamaBlobPath(root, layer.digest);
    const stat = await fs.stat(blob).catch(() => undefined);
    if (!stat?.isFile()) {
        return { path: blob, source: "ollama", ollamaName: name, sizeBytes: 0, problem: "its blob is missing (the pull may be incomplete)" };
    }
    return { path: blob, source: "ollama", ollamaName: name, sizeBytes: stat.size };
}

/**
 * Scans every folder in order. The same file reached twice (a folder listed twice, symlinks) is reported once, under
 * the first folder that found it.
 */
export async function discoverModels(
    folders: readonly ModelFolder[],
    options: { limits?: ScanLimits; signal?: AbortSignal; onProgress?: (p: ScanProgress) => void } = {},
): Promise<DiscoveryResult> {
    const budget = new ScanBudget(options.limits ?? DEFAULT_SCAN_LIMITS, options.signal);
    const models: DiscoveredModel[] = [];
    const seen = new Set<string>();
    for (const [index, folder] of folders.entries()) {
        if (budget.stopped) break;
        options.onProgress?.({ folder, folderIndex: index, folderCount: folders.length, found: models.length });
        const remaining = budget.limits.maxModels - models.length;
        if (remaining <= 0) {
            budget.truncated = true;
            break;
        }
        const batch = folder.kind === "ollama"
            ? await scanOllama(folder.path, budget, remaining)
            : groupShards(await scanGgufFolder(folder.path, budget, remaining), folder.kind);
        for (const model of batch) {
            const key = await fs.realpath(model.path).catch(() => model.path);
            if (seen.has(key)) continue;
            seen.add(key);
            models.push(model);
        }
    }
    return { models: models.slice(0, budget.limits.maxModels), truncated: budget.truncated, cancelled: budget.stopped };
}
