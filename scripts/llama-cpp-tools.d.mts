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

export function llamaCppBundle(): string;
export function llamaCppCommit(bundle?: string): string;
export function cacheRoot(): string;
export function llamaCppTools(options?: { build?: boolean; log?: (message: string) => void }): Promise<LlamaCppTools | undefined>;
