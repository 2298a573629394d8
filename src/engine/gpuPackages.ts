/**
 * Lets node-llama-cpp find prebuilt binary packages that live outside the extension folder. node-llama-cpp picks its
 * binaries with `import("@node-llama-cpp/<platform>-<gpu>")` from its own folder, and ESM resolution ignores
 * NODE_PATH, so the CUDA packages that "Hearth: Install CUDA Acceleration" downloads into Hearth's global storage
 * (they survive extension updates) are reached through a module resolution hook: a `@node-llama-cpp/*` import that
 * the extension folder cannot satisfy is resolved again from `<dir>/node_modules/`. Packages shipped in the VSIX
 * always win. Runs in the engine process before node-llama-cpp is imported.
 */
import * as fs from "node:fs";
import * as nodeModule from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

// Runs on Node's loader thread; `data.base` is the file URL of `<dir>/node_modules/`.
const RESOLVE_HOOK = `
let base;
export async function initialize(data) { base = data.base; }
export async function resolve(specifier, context, nextResolve) {
    try {
        return await nextResolve(specifier, context);
    } catch (err) {
        if (!specifier.startsWith("@node-llama-cpp/") || !err || err.code !== "ERR_MODULE_NOT_FOUND") throw err;
        return nextResolve(specifier, { ...context, parentURL: base });
    }
}`;

export type GpuPackagesRegistration =
    | { kind: "registered"; dir: string; packages: string[] }
    | { kind: "skipped"; reason: string };

export function registerGpuPackagesDir(dir: string | undefined): GpuPackagesRegistration {
    if (!dir) return { kind: "skipped", reason: "no folder configured" };
    const scope = path.join(dir, "node_modules", "@node-llama-cpp");
    let packages: string[];
    try {
        packages = fs.readdirSync(scope).filter((name) => fs.existsSync(path.join(scope, name, "package.json")));
    } catch {
        return { kind: "skipped", reason: `nothing installed in ${dir}` };
    }
    if (!packages.length) return { kind: "skipped", reason: `nothing installed in ${dir}` };
    // module.register exists from Node 20.6 (VS Code 1.90's Electron runs Node 20.9).
    if (typeof nodeModule.register !== "function") {
        return { kind: "skipped", reason: `this runtime (Node ${process.versions.node}) cannot register module hooks` };
    }
    nodeModule.register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`, {
        data: { base: pathToFileURL(path.join(dir, "node_modules") + path.sep).href },
    });
    return { kind: "registered", dir, packages };
}
