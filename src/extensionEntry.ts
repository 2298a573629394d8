/**
 * What VS Code loads (package.json "main" → dist/extension.js): a few lines that load Hearth's own bundle
 * (dist/hearth.js, built from src/extension.ts) through V8's code cache (src/activation/codeCache.ts) and call its
 * activate(). From the second start on, the cache spares the host from parsing and compiling Hearth's code, most of
 * the activation time on a small machine (issue 13). This file imports no `vscode` and nothing heavy, so that the
 * host's require() of it is cheap; the time spent here is counted as bundle load in HearthApi.activation.
 */
import * as path from "node:path";
import type * as vscode from "vscode";
import { CODE_CACHE_FILE, loadBundleWithCodeCache } from "./activation/codeCache";
import type * as hearth from "./extension";

interface PerformanceMarks {
    getMarks(): { name: string; startTime: number }[];
}

/**
 * The extension host marks when it starts and ends require() of an extension's main file
 * (`code/extHost/willLoadExtensionCode/<id>`, `didLoad…`; globalThis.MonacoPerformanceMarks, Date.now() based).
 */
function hostCodeLoadMs(extensionId: string): number | undefined {
    const marks = (globalThis as { MonacoPerformanceMarks?: PerformanceMarks }).MonacoPerformanceMarks?.getMarks();
    const at = (what: string) => marks?.find((m) => m.name === `code/extHost/${what}ExtensionCode/${extensionId}`)?.startTime;
    const will = at("willLoad");
    const did = at("didLoad");
    return will !== undefined && did !== undefined ? did - will : undefined;
}

let main: typeof hearth | undefined;

export function activate(context: vscode.ExtensionContext): hearth.HearthApi {
    const started = performance.now();
    const version = String((context.extension.packageJSON as { version?: unknown }).version);
    const loaded = loadBundleWithCodeCache<typeof hearth>(
        path.join(__dirname, "hearth.js"), path.join(context.globalStorageUri.fsPath, CODE_CACHE_FILE), version);
    main = loaded.exports;
    const hostMs = hostCodeLoadMs(context.extension.id);
    return main.activate(context, {
        codeLoadMs: hostMs === undefined ? undefined : hostMs + (performance.now() - started),
        codeCache: loaded.cache,
        saveCodeCache: loaded.saveCache,
    });
}

export function deactivate(): void {
    main?.deactivate();
}
