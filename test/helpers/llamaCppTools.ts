/**
 * llama.cpp's own llama-server and llama-bench for tests and the bench, from the machine-wide cache that
 * scripts/llama-cpp-tools.mjs fills (built once per llama.cpp commit; npm test builds it in its "llama.cpp tools"
 * suite before the suites that need it, so here it is normally a cache hit).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type * as ToolsModule from "../../scripts/llama-cpp-tools.mjs" with { "resolution-mode": "import" };

export type LlamaCppTools = ToolsModule.LlamaCppTools;

/** The repository root, from wherever this file was compiled or bundled to (out/test/helpers, bench/.cache). */
function repoRoot(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const pkg = path.join(dir, "package.json");
        if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "hearth") return dir;
        if (path.dirname(dir) === dir) throw new Error(`cannot find Hearth's package.json above ${__dirname}`);
    }
}

async function toolsModule(): Promise<typeof ToolsModule> {
    // The script is ESM; compiled tests are CommonJS, so it is loaded with import().
    return (await import(pathToFileURL(path.join(repoRoot(), "scripts", "llama-cpp-tools.mjs")).href)) as typeof ToolsModule;
}

/**
 * The tools, building them first if this machine has no build for node-llama-cpp's llama.cpp commit yet (about
 * 8 minutes on 2 cores; give the calling hook a timeout to match). Throws with the build log's tail on failure.
 */
export async function ensureLlamaCppTools(log?: (message: string) => void): Promise<LlamaCppTools> {
    const tools = await (await toolsModule()).llamaCppTools({ build: true, log });
    if (!tools) throw new Error("llama.cpp tools: build returned nothing");
    return tools;
}

/** The tools if they are already built (never builds); undefined otherwise. */
export async function cachedLlamaCppTools(): Promise<LlamaCppTools | undefined> {
    return (await toolsModule()).llamaCppTools({ build: false });
}
