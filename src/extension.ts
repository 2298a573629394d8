/**
 * Activation makes the shared services, registers Hearth's commands, views and providers and returns at once:
 * nothing starts the engine or loads a model until the first request. Everything registered goes to
 * context.subscriptions.
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
import type { ChatApi, HearthServices } from "./services";

/** Hearth's services, returned from activate() only in test builds (src/core/testHooks.ts) for in-host tests. */
export interface HearthTestApi {
    backend: BackendService;
    engine: EngineService;
    chat: ChatApi;
    review: ReviewService;
    knowledge: KnowledgeService;
    statusBar: EngineStatusBar;
}

/**
 * How long activation took. The extension host marks when it starts loading an extension's code
 * (`code/extHost/willLoadExtensionCode/<id>`, and `didLoad…` once require() returned) in its performance marks
 * (globalThis.MonacoPerformanceMarks, Date.now() based); without them (not in VS Code) only activate() is timed.
 */
export interface ActivationTiming {
    /** Reading and evaluating dist/extension.js; undefined when the host's marks are not available. */
    codeLoadMs?: number;
    /** The body of activate(). */
    activateMs: number;
}

/**
 * What activate() returns: its duration as VS Code counts an extension's activation (bundle load + activate(); the
 * in-host suite and the bench read it); the services only in test builds.
 */
export type HearthApi = { activationMs: number; activation: ActivationTiming } & Partial<HearthTestApi>;

interface PerformanceMarks {
    getMarks(): { name: string; startTime: number }[];
}

function codeLoadMs(extensionId: string): number | undefined {
    const marks = (globalThis as { MonacoPerformanceMarks?: PerformanceMarks }).MonacoPerformanceMarks?.getMarks();
    const at = (what: string) => marks?.find((m) => m.name === `code/extHost/${what}ExtensionCode/${extensionId}`)?.startTime;
    const will = at("willLoad");
    const did = at("didLoad");
    return will !== undefined && did !== undefined ? did - will : undefined;
}

export function activate(context: vscode.ExtensionContext): HearthApi {
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

    const activation: ActivationTiming = { codeLoadMs: codeLoadMs(context.extension.id), activateMs: performance.now() - started };
    const activationMs = (activation.codeLoadMs ?? 0) + activation.activateMs;
    log.info(`Hearth activated in ${activationMs.toFixed(1)} ms (bundle load ${activation.codeLoadMs ?? "?"} ms, activate() ${activation.activateMs.toFixed(1)} ms)`);
    return TEST_BUILD && testHooksEnabled() ? { activationMs, activation, backend, engine, chat, review, knowledge, statusBar } : { activationMs, activation };
}

export function deactivate(): void {
    // Disposables in context.subscriptions stop the engine process.
}
