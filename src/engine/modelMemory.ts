/**
 * Gives back memory node-llama-cpp keeps after a model and its context are loaded, so that one engine process serving
 * chat and completions stays well under two llama-servers (issue 13's memory_vs_two_servers_ratio, goal ≤ 0.6).
 *
 * - The GGUF metadata node-llama-cpp read into JavaScript keeps the whole vocabulary as arrays of strings and numbers
 *   (`tokenizer.ggml.tokens`, `token_type`, `scores`, `merges`): for Qwen2's 151,936 tokens and 151,387 merges, tens
 *   of MB of V8 heap. llama.cpp holds its own copy; node-llama-cpp only ever reads these arrays' lengths
 *   (LlamaModel.iterateAllTokens, GgufInsightsTokens), so each is replaced by an empty array of the same length.
 * - Estimating the context's memory made node-llama-cpp open the file's metadata natively a second time
 *   (GgufInsights' AddonGgufMetadata, a private field); it is kept for the model's lifetime unless disposed. node-llama-cpp
 *   opens it again on demand if another estimate is ever needed.
 *
 * Both run only after everything that reads the vocabulary texts (the chat template's BOS/EOS, the chat wrapper's
 * choice, fill-in-the-middle detection) is done. test/engine/modelMemory.test.ts measures the effect.
 */
import * as v8 from "node:v8";
import * as vm from "node:vm";
import type { LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };

/** The metadata keys holding one entry per vocabulary token or merge. */
const VOCABULARY_ARRAYS = ["tokens", "token_type", "scores", "merges"] as const;

/**
 * An array with `length` and no elements: V8 keeps it in dictionary mode (a few bytes), where `new Array(length)`
 * would allocate a backing store of `length` slots.
 */
function emptyArrayOfLength(length: number): unknown[] {
    const array: unknown[] = [];
    array.length = length;
    return array;
}

/** Replaces the vocabulary arrays in the model's metadata; returns how many entries were dropped. */
export function dropVocabularyArrays(model: Pick<LlamaModel, "fileInfo">): number {
    const ggml = model.fileInfo.metadata?.tokenizer?.ggml as Record<string, unknown> | undefined;
    if (!ggml) return 0;
    let dropped = 0;
    for (const key of VOCABULARY_ARRAYS) {
        const value = ggml[key];
        if (!Array.isArray(value) || value.length === 0) continue;
        dropped += value.length;
        ggml[key] = emptyArrayOfLength(value.length);
    }
    return dropped;
}

interface WithAddonMetadata {
    _addonMetadata?: { dispose(): Promise<void> };
}

/** Disposes node-llama-cpp's native copy of the file's metadata (GgufInsights._addonMetadata), if it holds one. */
export async function disposeNativeMetadata(model: Pick<LlamaModel, "fileInsights">): Promise<boolean> {
    const insights = model.fileInsights as unknown as WithAddonMetadata;
    const metadata = insights._addonMetadata;
    if (!metadata || typeof metadata.dispose !== "function") return false;
    insights._addonMetadata = undefined;
    await metadata.dispose();
    return true;
}

/**
 * A full garbage collection. V8 would otherwise keep the dropped arrays (old space) until its heap grows enough to
 * collect, and the process's resident memory with them.
 */
export function collectGarbage(): void {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as (() => void) | undefined;
    gc?.();
}

/** Everything above, once a model and its context are loaded and set up. */
export async function releaseLoadTimeMemory(model: LlamaModel): Promise<{ droppedEntries: number; nativeMetadataDisposed: boolean }> {
    const droppedEntries = dropVocabularyArrays(model);
    const nativeMetadataDisposed = await disposeNativeMetadata(model);
    collectGarbage();
    return { droppedEntries, nativeMetadataDisposed };
}
