/**
 * Activation makes the shared services, registers Hearth's commands, views and providers and returns at once:
 * nothing starts the engine or loads a model until the first request. Everything registered goes to
 * context.subscriptions. This file is bundled to dist/hearth.js, which src/extensionEntry.ts (what VS Code loads)
 * loads through V8's code cache.
 */
import * as vscode from "vscode";
import { BackendService } from "./backend/backendService";
import { ModelGate } from "./backend/modelGate";
import { getSetting, onDidChangeSetting } from "./config/settings";
import { registerChat } from "./chat/registerChat";
import { registerCompletions } from "./completion/registerCompletions";
import { EngineService } from "./engineClient/engineService";
import { EngineStatusBar } from "./engineClient/engineStatusBar";
import { registerEngineCommands } from "./engineClient/registerEngineCommands";
import { registerExplain } from "./explain/registerExplain";
import { createKnowledgeService, registerKnowledge } from "./knowledge/registerKnowledge";
import { registerSummarizeDocument } from "./knowledge/summarizeDocumentCommand";
import type { KnowledgeService } from "./knowledge/knowledgeService";
import { registerLanguageModels } from "./lm/registerLm";
import { gpuPackagesEnv, registerCudaInstall } from "./models/cudaInstall";
import { registerModels } from "./models/registerModels";
import { registerPolish } from "./polish/registerPolish";
import { ReviewService } from "./review/reviewService";
import { ServerService } from "./serverClient/serverService";
import { TEST_BUILD, testHooksEnabled } from "./core/testHooks";
import type { CodeCacheState } from "./activation/codeCache";
import type { ChatApi, HearthServices } from "./services";

/** Hearth's services, returned from activate() only in test builds (src/core/testHooks.ts) for in-host tests. */
export interface HearthTestApi {
    context: vscode.ExtensionContext;
    backend: BackendService;
    engine: EngineService;
    chat: ChatApi;
    review: ReviewService;
    knowledge: KnowledgeService;
    statusBar: EngineStatusBar;
}

/**
 * How long activation took, as VS Code counts an extension's activation: loading its code, then activate().
 */
export interface ActivationTiming {
    /**
     * Loading Hearth's code: the host's require() of dist/extension.js (its own performance marks) plus that file
     * loading dist/hearth.js; undefined outside VS Code's extension host (no marks).
     */
    codeLoadMs?: number;
    /** The body of activate(). */
    activateMs: number;
    /** Whether dist/hearth.js was compiled from V8's code cache ("hit") or from source. */
    codeCache?: CodeCacheState;
}

/**
 * What activate() returns: its duration as VS Code counts an extension's activation (bundle load + activate(); the
 * in-host suite and the bench read it); the services only in test builds.
 */
export type HearthApi = { activationMs: number; activation: ActivationTiming } & Partial<HearthTestApi>;

/** What src/extensionEntry.ts tells activate() about loading this bundle. */
export interface BundleLoad {
    codeLoadMs?: number;
    codeCache: CodeCacheState;
    saveCodeCache(): Promise<"written" | "unchanged">;
}

/**
 * The code cache is written a while after activation, off the workbench's start, and then holds what the first
 * seconds compiled as well (the status bar, a chat view that opens with the window).
 */
const CODE_CACHE_SAVE_DELAY_MS = 5_000;

function saveCodeCacheLater(context: vscode.ExtensionContext, load: BundleLoad, log: vscode.LogOutputChannel): void {
    const timer = setTimeout(() => {
        load.saveCodeCache().then(
            (outcome) => { if (outcome === "written") log.info(`V8 code cache written (was: ${load.codeCache}); the next start loads Hearth's code from it`); },
            (err: unknown) => log.warn(`could not write the V8 code cache (Hearth still starts, only slower): ${err instanceof Error ? err.message : String(err)}`));
    }, CODE_CACHE_SAVE_DELAY_MS);
    context.subscriptions.push({ dispose: () => clearTimeout(timer) });
}

export function activate(context: vscode.ExtensionContext, load?: BundleLoad): HearthApi {
    const started = performance.now();
    const log = vscode.window.createOutputChannel("Hearth", { log: true });
    const engine = new EngineService(context.extensionUri, log, gpuPackagesEnv(context));
    // The server backend makes no connection until `hearth.backend` is "openai-compatible" and a request is made.
    const server = new ServerService(context, log);
    const backend = new BackendService({ embedded: engine.backend, "openai-compatible": server.backend }, () => getSetting("backend"));
    const review = new ReviewService(log);
    const modelGate = new ModelGate(backend);
    const statusBar = new EngineStatusBar(backend, engine);
    context.subscriptions.push(log, engine, server, backend, review, modelGate, statusBar,
        onDidChangeSetting(["backend"], () => backend.backendChanged()));
    const knowledge = createKnowledgeService(context, log, engine.embedder);
    const services: HearthServices = { context, backend, embedder: engine.embedder, engine, modelGate, review, knowledge, log };

    registerEngineCommands(services);
    registerModels(services);
    registerCudaInstall(services);
    const chat = registerChat(services);
    registerPolish(services);
    registerExplain(services, chat);
    registerCompletions(services);
    registerKnowledge(context, knowledge);
    registerSummarizeDocument(services);
    registerLanguageModels(services);

    const activation: ActivationTiming = { codeLoadMs: load?.codeLoadMs, activateMs: performance.now() - started, codeCache: load?.codeCache };
    const activationMs = (activation.codeLoadMs ?? 0) + activation.activateMs;
    log.info(`Hearth activated in ${activationMs.toFixed(1)} ms (bundle load ${activation.codeLoadMs?.toFixed(1) ?? "?"} ms, `
        + `code cache: ${activation.codeCache ?? "not used"}; activate() ${activation.activateMs.toFixed(1)} ms)`);
    if (load) saveCodeCacheLater(context, load, log);
    return TEST_BUILD && testHooksEnabled() ? { activationMs, activation, context, backend, engine, chat, review, knowledge, statusBar } : { activationMs, activation };
}

export function deactivate(): void {
    // Disposables in context.subscriptions stop the engine process.
}
