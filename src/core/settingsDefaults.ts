/**
 * Every `hearth.*` setting with its type and default, in one place. package.json's `contributes.configuration`
 * must agree with this table; a unit test checks that, so the two cannot drift apart.
 */
export interface HearthSettings {
    model: string;
    modelFolders: string[];
    contextSize: number;
    threads: number;
    gpu: "auto" | "cpu";
    gpuLayers: number;
    "chat.systemPrompt": string;
    "chat.maxTokens": number;
    "chat.temperature": number;
    "chat.summarizeHistory": boolean;
    "completions.enabled": boolean;
    "completions.languages": Record<string, boolean>;
    "completions.debounceMs": number;
    "completions.timeBudgetMs": number;
    "completions.maxTokens": number;
    "download.huggingFaceEndpoint": string;
    embeddingModel: string;
    backend: "embedded" | "openai-compatible";
    "server.url": string;
    "server.model": string;
    "server.contextSize": number;
    "server.timeoutSeconds": number;
    "knowledge.enabled": boolean;
    "knowledge.exclude": string[];
    "knowledge.maxFileSizeKB": number;
    "knowledge.maxDocumentSizeMB": number;
    "library.folders": string[];
}

export const SETTINGS_DEFAULTS: HearthSettings = {
    model: "",
    modelFolders: [],
    contextSize: 8192,
    threads: 0,
    gpu: "auto",
    gpuLayers: -1,
    "chat.systemPrompt": "",
    "chat.maxTokens": 1024,
    "chat.temperature": 0.7,
    "chat.summarizeHistory": true,
    "completions.enabled": true,
    "completions.languages": {},
    "completions.debounceMs": 150,
    "completions.timeBudgetMs": 2000,
    "completions.maxTokens": 96,
    "download.huggingFaceEndpoint": "",
    embeddingModel: "",
    backend: "embedded",
    "server.url": "",
    "server.model": "",
    "server.contextSize": 0,
    "server.timeoutSeconds": 120,
    "knowledge.enabled": true,
    "knowledge.exclude": ["**/*.min.js", "**/*.min.css", "**/*.map", "**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml"],
    "knowledge.maxFileSizeKB": 1024,
    "knowledge.maxDocumentSizeMB": 64,
    "library.folders": [],
};

export type SettingKey = keyof HearthSettings;

/**
 * Settings that choose what Hearth runs or what the model is told. A workspace (a cloned repository's
 * `.vscode/settings.json`) must never set them, or opening a repository could load a GGUF it names or inject a
 * system prompt. Three layers hold that line: package.json scopes them `machine` / `application` (VS Code then
 * drops workspace values), lists them in `restrictedConfigurations` (Restricted Mode), and getSetting
 * (src/config/settings.ts) reads only their user (global) or default value. test/unit/settingsScope.test.ts fails
 * when a setting of these kinds (paths, folders, URLs, prompts, model ids, servers) is added without joining them.
 */
export const USER_ONLY_SETTINGS: readonly SettingKey[] = [
    "model", "modelFolders", "embeddingModel", "chat.systemPrompt", "download.huggingFaceEndpoint",
    "backend", "server.url", "server.model", "server.contextSize", "server.timeoutSeconds",
    "knowledge.enabled", "knowledge.exclude", "knowledge.maxFileSizeKB", "knowledge.maxDocumentSizeMB", "library.folders",
];

export function isUserOnlySetting(key: SettingKey): boolean {
    return USER_ONLY_SETTINGS.includes(key);
}

/**
 * Threads for generation when `hearth.threads` is 0. node-llama-cpp's own default, max(4, cores), made a 2-core
 * machine ~70x slower. We leave one core to VS Code (the editor must stay responsive while the model generates)
 * and cap at 8, past which CPU generation is memory-bound and extra threads only contend.
 */
export function autoThreadCount(cores: number): number {
    return Math.max(1, Math.min(cores - 1, 8));
}

export function resolveThreads(setting: number, cores: number): number {
    return setting > 0 ? Math.floor(setting) : autoThreadCount(cores);
}
