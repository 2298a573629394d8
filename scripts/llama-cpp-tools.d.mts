// Types for scripts/llama-cpp-tools.mjs, so TypeScript tests and the bench can use it.
export const REPO_ROOT: string;
export const TOOLS: string[];
/** Version of the build recipe (cmake flags); a cached build of another recipe is rebuilt. */
export const RECIPE: number;

export interface LlamaCppTools {
    /** The llama.cpp commit the tools were built from (node-llama-cpp's gitRelease.bundle HEAD). */
    commit: string;
    /** The folder holding the executables and manifest.json. */
    dir: string;
    llamaServer: string;
    llamaBench: string;
    /** Wall time of the build that produced them. */
    buildSeconds: number;
    builtAt: string;
    cmakeFlags: string[];
    /** True when this call built them (false: taken from the cache). */
    built: boolean;
}

/** ggml's AMX kernel file, relative to the llama.cpp source folder. */
export const AMX_SOURCE: string;
/** Patches the AMX tile configuration against GCC 12's dropped stores (idempotent); false: not safe to build AMX. */
export function fixAmxTileConfig(src: string): boolean;
/** -DCMAKE_C_FLAGS / -DCMAKE_CXX_FLAGS: empty, or leaving AMX out on x86-64 when it is not safe. */
export function amxFlags(amxSafe: boolean): string[];
export function llamaCppBundle(): string;
export function llamaCppCommit(bundle?: string): string;
export function cacheRoot(): string;
export function llamaCppTools(options?: { build?: boolean; log?: (message: string) => void }): Promise<LlamaCppTools | undefined>;
