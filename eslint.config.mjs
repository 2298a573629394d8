// Lint rules, among them the ones that guard Hearth's layering between its own folders (see LAYERS below).
import tseslint from "typescript-eslint";

/**
 * What each top folder of src/ may import among Hearth's own folders. Anything else is a lint error.
 * - core: plain TypeScript (prompts, budgets, trimming, ranking), unit-tested in Node: only core and protocol.
 * - protocol: shapes only; imports nothing of ours but its own files.
 * - engine: the engine child process; never the host's folders.
 * - backend: the neutral backend interface features generate through, and the shared service over it.
 * - engineClient / serverClient: the two implementations of that interface (embedded engine, OpenAI-compatible server).
 * - config, review: shared host services (settings, the diff review).
 * - capabilities (chat, polish, explain, completion, models, knowledge, lm): only the shared services and
 *   src/services.ts — never each other.
 * - activation: loading Hearth's bundle (the V8 code cache); plain Node, no VS Code API.
 * src/extension.ts, the composition root, may import everything; src/extensionEntry.ts loads it.
 */
const SHARED_FOR_CAPABILITIES = ["backend", "config", "review", "core", "protocol", "services"];
const CAPABILITIES = ["chat", "polish", "explain", "completion", "models", "knowledge", "lm"];
const LAYERS = {
    core: ["core", "protocol"],
    protocol: ["protocol"],
    engine: ["engine", "core", "protocol"],
    webview: ["webview", "core", "protocol"],
    backend: ["backend", "core", "protocol", "config"],
    engineClient: ["engineClient", "backend", "config", "core", "protocol", "services"],
    serverClient: ["serverClient", "backend", "config", "core", "protocol"],
    config: ["config", "core", "protocol"],
    activation: ["activation"],
    review: ["review", "backend", "config", "core", "protocol"],
    ...Object.fromEntries(CAPABILITIES.map((c) => [c, [c, ...SHARED_FOR_CAPABILITIES]])),
};

const NO_VSCODE = { name: "vscode", message: "This folder must not depend on the VS Code API (it runs or is tested outside the extension host)." };
const NO_LLAMA = { name: "node-llama-cpp", message: "Only the engine process (src/engine) imports node-llama-cpp." };

/**
 * no-restricted-imports patterns for a file `depth` folders below src/: a relative import that climbs exactly
 * `depth` levels lands in src/ and must name an allowed folder; climbing further leaves src/ altogether.
 */
function layerPatterns(folder, allowed, depth) {
    const up = `(?:\\.\\./){${depth}}`;
    return [
        {
            regex: `^${up}(?!\\.\\./)(?!(?:${allowed.join("|")})(?:/|$))`,
            message: `src/${folder} may import only ${allowed.map((a) => `src/${a}`).join(", ")} among Hearth's folders (see LAYERS in eslint.config.mjs).`,
        },
        { regex: `^(?:\\.\\./){${depth + 1}}`, message: "Code in src/ must not import from outside src/." },
    ];
}

const pathsFor = (folder) => [
    ...(["core", "protocol", "engine", "webview", "activation"].includes(folder) ? [NO_VSCODE] : []),
    ...(folder === "engine" ? [] : [NO_LLAMA]),
];

const layerConfigs = Object.entries(LAYERS).flatMap(([folder, allowed]) =>
    [1, 2, 3].map((depth) => ({
        files: [`src/${folder}/${"*/".repeat(depth - 1)}*.ts`],
        rules: {
            "no-restricted-imports": ["error", { paths: pathsFor(folder), patterns: layerPatterns(folder, allowed, depth) }],
        },
    })));

export default tseslint.config(
    { ignores: ["dist/**", "out/**", "media/dist/**", "node_modules/**", ".tools/**", "bench/.cache/**", ".cache/**", "test/retrieval/corpus/**"] },
    {
        files: ["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts"],
        extends: [tseslint.configs.recommended],
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
        },
    },
    ...layerConfigs,
    // The neutral backend interface, the service over it and the engine's client stay free of the VS Code API: the
    // integration tests and the benchmark drive them in plain Node.
    ...[["backend", "src/backend/llmBackend.ts"], ["backend", "src/backend/backendService.ts"],
        ["engineClient", "src/engineClient/embeddedBackend.ts"], ["engineClient", "src/engineClient/engineProcess.ts"],
        ...["serverBackend", "serverApi", "serverProbe", "httpClient", "sseEvents", "serverMessages"].map((f) => ["serverClient", `src/serverClient/${f}.ts`]),
        // The knowledge index's worker thread and its client run outside the extension host's API too.
        ["knowledge", "src/knowledge/indexWorker.ts"], ["knowledge", "src/knowledge/indexWorkerClient.ts"],
        ["knowledge", "src/knowledge/workerProtocol.ts"]]
        .map(([folder, file]) => ({
            files: [file],
            rules: { "no-restricted-imports": ["error", { paths: [NO_VSCODE, NO_LLAMA], patterns: layerPatterns(folder, LAYERS[folder], 1) }] },
        })),
);
