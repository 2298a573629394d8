// Bundles Hearth's three kinds of code:
//  - the extension host side (CommonJS, `vscode` provided by the host),
//  - the engine child process (ESM, because node-llama-cpp is ESM-only; it stays external and ships in node_modules),
//  - the webview scripts (browser IIFE, written into media/dist so the webview's localResourceRoots stay = media/).
import * as esbuild from "esbuild";
import { existsSync } from "node:fs";
import { buildLazyLanguages } from "./scripts/hljs-languages.mjs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const common = {
    bundle: true,
    minify: production,
    sourcemap: production ? false : "linked",
    logLevel: "info",
    legalComments: "none",
    // The shipped bundle leaves out test-only commands (src/core/testHooks.ts): the check folds to false and is dropped.
    ...(production ? { define: { "process.env.HEARTH_BUILD": '"production"' } } : {}),
};

// esbuild wraps each `import * as vscode from "vscode"` in its own `__toESM(require("vscode"))`, and every such call
// copies all of the API's several hundred properties onto a fresh object: 46 copies in this bundle. This plugin sends
// every module's import of "vscode" to one shared module that re-exports it, so the API is copied once when the bundle
// loads (test/package/vsix.test.ts checks the shipped bundle). Part of issue 13's activation goal.
const vscodeImportedOnce = {
    name: "vscode-imported-once",
    setup(build) {
        build.onResolve({ filter: /^vscode$/ }, (args) =>
            args.namespace === "vscode-once" ? { path: "vscode", external: true } : { path: "vscode", namespace: "vscode-once" },
        );
        build.onLoad({ filter: /.*/, namespace: "vscode-once" }, () => ({ contents: 'export * from "vscode";', loader: "js" }));
    },
};

const builds = [
    {
        // What VS Code loads: it loads Hearth's bundle below through V8's code cache (src/extensionEntry.ts).
        ...common,
        entryPoints: { extension: "src/extensionEntry.ts" },
        outdir: "dist",
        format: "cjs",
        platform: "node",
        target: "node20",
        external: ["vscode"],
    },
    {
        ...common,
        entryPoints: { hearth: "src/extension.ts" },
        plugins: [vscodeImportedOnce],
        // Minified in every build, not only the shipped one: the extension host reads, parses and compiles all of it
        // at every start (244 KB instead of 417 KB), and the in-host tests and the bench's activation_ms then measure
        // the code users run. The development build keeps its linked source map for debugging.
        minify: true,
        outdir: "dist",
        format: "cjs",
        platform: "node",
        target: "node20",
        external: ["vscode", "node-llama-cpp"],
    },
    {
        // The knowledge index's worker thread (reads, chunks, indexes and searches files off the host's thread);
        // PDF.js and mammoth are bundled into it. @napi-rs/canvas is PDF.js's optional renderer: text only here.
        ...common,
        entryPoints: { knowledgeWorker: "src/knowledge/indexWorker.ts" },
        outdir: "dist",
        format: "cjs",
        platform: "node",
        target: "node20",
        external: ["@napi-rs/canvas"],
        // PDF.js (an ES module) asks for import.meta.url; in this CommonJS bundle it is the bundle's own file URL.
        define: { "import.meta.url": "__hearthImportMetaUrl" },
        banner: { js: 'const __hearthImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    },
    {
        ...common,
        // The chat-template checker runs in a worker thread of the engine (src/engine/chatTemplateCheck.ts).
        entryPoints: { engine: "src/engine/main.ts", chatTemplateWorker: "src/engine/chatTemplateWorker.ts" },
        outdir: "dist",
        outExtension: { ".js": ".mjs" },
        format: "esm",
        platform: "node",
        target: "node20",
        external: ["node-llama-cpp"],
    },
];

// Webview entry points (one per webview); each folder under src/webview/ with a main.ts is a bundle.
const webviews = ["chat"].filter((name) => existsSync(`src/webview/${name}/main.ts`));
if (webviews.length) {
    builds.push({
        ...common,
        entryPoints: Object.fromEntries(webviews.map((name) => [name, `src/webview/${name}/main.ts`])),
        outdir: "media/dist",
        format: "iife",
        platform: "browser",
        target: "es2022",
        loader: { ".css": "css" },
        // One script per highlight.js language, loaded by the chat panel when the bundle lacks it
        // (src/webview/chat/highlightLoader.ts); built here, once per highlight.js version.
        define: { HEARTH_HLJS_INDEX: JSON.stringify(await buildLazyLanguages(common, "media/dist")) },
    });
}

if (watch) {
    const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
} else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
}
