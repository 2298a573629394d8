/** Paths of the real GGUF fixtures in ../shared/fixtures (never copied into the repo, never downloaded). */
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

export function fixturesDir(): string {
    const dir = process.env.HEARTH_FIXTURES ?? path.resolve(REPO_ROOT, "..", "shared", "fixtures", "models");
    if (!fs.existsSync(dir)) {
        throw new Error(`GGUF fixtures not found at ${dir}. Clone Hearth next to shared/ (../shared/fixtures) or set HEARTH_FIXTURES.`);
    }
    return dir;
}

export function fixture(name: "stories260K.gguf" | "stories260K-chat-fim.derived.gguf" | "llama-2-tiny-random.gguf" | `vocab/${string}`): string {
    return path.join(fixturesDir(), name);
}

export const ENGINE_PATH = path.join(REPO_ROOT, "dist", "engine.mjs");
