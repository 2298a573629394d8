/**
 * Loads a CommonJS bundle through V8's code cache, so that VS Code starts after the first skip parsing and compiling
 * Hearth's code. The extension host require()s a bundle from source every time: V8 pre-parses all of it and compiles
 * each function the first time it runs, and on a 2-core machine during the workbench's start that was most of
 * Hearth's activation (issue 13's activation_ms). A cache made after activation holds the functions activation ran.
 *
 * The cache is an optimisation only: a missing, stale, corrupt or rejected cache loads the bundle from source exactly
 * as require() would, and is written anew. V8 checks its own version and flags but recognises the source only by its
 * length, so the cache also records the bundle's size and modification time, and a SHA-256 of its bytes (a damaged
 * file is never handed to V8). No `vscode` here: unit-tested in plain Node (test/unit/codeCache.test.ts).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";

/** What happened to the cache when the bundle loaded. */
export type CodeCacheState = "hit" | "miss" | "stale" | "corrupt" | "rejected";

export interface LoadedBundle<T> {
    exports: T;
    cache: CodeCacheState;
    /** Writes a fresh cache holding every function compiled so far, unless the one used was accepted. */
    saveCache(): Promise<"written" | "unchanged">;
}

const MAGIC = "HCC1";

/** The cache's file name in the extension's global storage (per profile; kept across starts and updates). */
export const CODE_CACHE_FILE = "hearth.js.v8-code-cache";

/** What identifies the bundle a cache was made from: V8 itself checks only the source's length. */
function bundleKey(bundlePath: string, salt: string): string {
    const stat = fs.statSync(bundlePath);
    return JSON.stringify([salt, stat.size, stat.mtimeMs, process.version, process.arch]);
}

/** The file's cached data when it is intact and made from this bundle; otherwise why not. */
function readCache(cachePath: string, key: string): Buffer | "miss" | "stale" | "corrupt" {
    let file: Buffer;
    try {
        file = fs.readFileSync(cachePath);
    } catch {
        return "miss";
    }
    // MAGIC, the header's length (UInt32BE), the header (JSON: key and the data's SHA-256), then V8's data.
    if (file.length < 8 || file.toString("latin1", 0, 4) !== MAGIC) return "corrupt";
    const headerEnd = 8 + file.readUInt32BE(4);
    if (headerEnd > file.length) return "corrupt";
    let header: { key?: unknown; sha256?: unknown };
    try {
        header = JSON.parse(file.toString("utf8", 8, headerEnd)) as typeof header;
    } catch {
        return "corrupt";
    }
    const data = file.subarray(headerEnd);
    if (createHash("sha256").update(data).digest("hex") !== header.sha256) return "corrupt";
    return header.key === key ? data : "stale";
}

async function writeCache(cachePath: string, key: string, data: Buffer): Promise<void> {
    const header = Buffer.from(JSON.stringify({ key, sha256: createHash("sha256").update(data).digest("hex") }));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    await fs.promises.mkdir(path.dirname(cachePath), { recursive: true });
    // Another window of the same profile may be writing too: each writes its own file and renames it into place.
    const temporary = `${cachePath}.${process.pid}.tmp`;
    await fs.promises.writeFile(temporary, Buffer.concat([Buffer.from(MAGIC, "latin1"), length, header, data]));
    await fs.promises.rename(temporary, cachePath);
}

/**
 * Evaluates the CommonJS bundle at `bundlePath` as require() would (its own require, module, __filename and
 * __dirname), with V8 data from `cachePath` when that cache is valid. `salt` names the build (the extension's version).
 */
export function loadBundleWithCodeCache<T>(bundlePath: string, cachePath: string, salt: string): LoadedBundle<T> {
    const key = bundleKey(bundlePath, salt);
    const cached = readCache(cachePath, key);
    const source = fs.readFileSync(bundlePath, "utf8");
    const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
    const script = new vm.Script(wrapped, { filename: bundlePath, cachedData: typeof cached === "string" ? undefined : cached });
    const cache: CodeCacheState = typeof cached === "string" ? cached : script.cachedDataRejected ? "rejected" : "hit";
    const module = { exports: {} as T };
    const evaluate = script.runInThisContext() as (...args: unknown[]) => void;
    // require() relative to the bundle: the extension host recognises which extension asks for "vscode" by the
    // requiring module's file name.
    evaluate.call(module.exports, module.exports, createRequire(bundlePath), module, bundlePath, path.dirname(bundlePath));
    return {
        exports: module.exports,
        cache,
        saveCache: async () => {
            if (cache === "hit") return "unchanged";
            await writeCache(cachePath, key, script.createCachedData());
            return "written";
        },
    };
}
