/**
 * Hearth's engine process inside the extension: owns the EngineProcess and the EmbeddedBackend on top of it, feeds
 * the backend the model settings, shows model loading in the window's progress area, tells the user when the engine
 * crashed (with Restart), and answers the engine-only requests of model management (inspect files, download,
 * memory stats). Features generate through services.backend, never through this class.
 */
import * as os from "node:os";
import * as vscode from "vscode";
import { getSetting, onDidChangeSetting } from "../config/settings";
import { DisposableStore } from "../core/disposables";
import { resolveThreads } from "../core/settingsDefaults";
import { errorText } from "../core/errorText";
import type { BackendState } from "../backend/llmBackend";
import type { LoadModelParams, ParamsOf, ResultOf } from "../protocol/engineProtocol";
import { EmbeddedBackend } from "./embeddedBackend";
import { EngineEmbedder } from "./engineEmbedder";
import { EngineProcess, type RequestOptions } from "./engineProcess";

/** Engine requests that are not generation: model files, downloads, memory. */
export type EngineManagementMethod = "inspectModels" | "downloadModel" | "stats" | "unload";

export class EngineService implements vscode.Disposable {
    private readonly process: EngineProcess;
    readonly backend: EmbeddedBackend;
    /** Embeddings for the knowledge index (`hearth.embeddingModel`), computed in the same engine process. */
    readonly embedder: EngineEmbedder;
    private readonly disposables = new DisposableStore();
    private loadProgress: { resolve(): void; report(pct: number): void } | undefined;

    /** `engineEnv`: extra environment for the engine process (where on-demand GPU binaries live). */
    constructor(extensionUri: vscode.Uri, readonly log: vscode.LogOutputChannel, engineEnv?: Record<string, string>) {
        this.process = new EngineProcess({
            enginePath: vscode.Uri.joinPath(extensionUri, "dist", "engine.mjs").fsPath,
            log: (level, message) => log[level](message),
            env: engineEnv,
        });
        this.backend = new EmbeddedBackend(this.process, {
            loadParams: () => modelLoadParams(),
            noModelMessage: vscode.l10n.t("No model is selected. Run “Hearth: Select Model” or “Hearth: Download Model”."),
        });
        this.embedder = new EngineEmbedder(this.process, () => {
            const modelPath = getSetting("embeddingModel");
            if (!modelPath) return undefined;
            return { modelPath, threads: resolveThreads(getSetting("threads"), os.availableParallelism()), gpu: getSetting("gpu") };
        });
        this.disposables.add(
            this.backend,
            onDidChangeSetting(["embeddingModel"], () => this.embedder.settingsChanged()),
            this.backend.onDidChangeState((s) => this.onBackendState(s)),
            this.process.onDidChangeState((s) => {
                if (s.kind === "crashed" || s.kind === "stopped") void this.notifyCrash(s.kind === "stopped", s.reason);
            }),
            // The next request loads the model with the new settings; nothing is loaded eagerly.
            onDidChangeSetting(["model", "contextSize", "threads", "gpu", "gpuLayers"], () => this.backend.invalidate()),
        );
    }

    /** The engine process id while it runs (tests check restarts and orphans by pid). */
    get enginePid(): number | undefined {
        return this.process.pid;
    }

    /** Model files, downloads and memory statistics; never loads a model. */
    request<M extends EngineManagementMethod>(method: M, params: ParamsOf<M>, options?: RequestOptions<M>): Promise<ResultOf<M>> {
        return this.process.request(method, params, options);
    }

    /** Explicit restart by the user: a fresh process; the model loads again on the next request. */
    async restart(): Promise<void> {
        this.backend.invalidate();
        await this.process.restart();
    }

    private onBackendState(state: BackendState): void {
        if (state.kind === "loading") {
            this.showLoadProgress(state.progress);
            return;
        }
        this.loadProgress?.resolve();
        this.loadProgress = undefined;
        const fallback = state.kind === "ready" && state.model.location.kind === "embedded" ? state.model.location.gpuFallbackReason : undefined;
        if (fallback) void vscode.window.showWarningMessage(vscode.l10n.t("Hearth: {0}", fallback));
        const templateWarning = state.kind === "ready" ? this.backend.loadResult?.chatTemplateWarning : undefined;
        if (templateWarning) void vscode.window.showWarningMessage(vscode.l10n.t("Hearth: {0}", templateWarning));
    }

    /** Model loading shows in the window's progress area for as long as the backend reports "loading". */
    private showLoadProgress(progress: number): void {
        const pct = Math.round(progress * 100);
        if (this.loadProgress) return this.loadProgress.report(pct);
        let reported = 0;
        void vscode.window.withProgress(
            { location: vscode.ProgressLocation.Window, title: vscode.l10n.t("Hearth: loading model") },
            (p) => new Promise<void>((resolve) => {
                this.loadProgress = {
                    resolve,
                    report: (value) => {
                        if (value > reported) p.report({ message: `${value}%`, increment: value - reported });
                        reported = Math.max(reported, value);
                    },
                };
                this.loadProgress.report(pct);
            }),
        );
    }

    private async notifyCrash(stopped: boolean, reason: string): Promise<void> {
        const showLog = vscode.l10n.t("Show Log");
        const restart = vscode.l10n.t("Restart");
        const text = stopped ? reason : vscode.l10n.t("Hearth's engine stopped unexpectedly ({0}). It restarts on the next request.", reason);
        const choice = await (stopped ? vscode.window.showErrorMessage(text, showLog, restart) : vscode.window.showWarningMessage(text, showLog));
        if (choice === showLog) this.log.show(true);
        if (choice === restart) await this.restart().catch((err) => this.log.error(`Restart failed: ${errorText(err)}`));
    }

    dispose(): void {
        this.loadProgress?.resolve();
        this.disposables.dispose();
        this.process.dispose();
    }
}

/** What the settings ask the engine to load. */
export function modelLoadParams(): LoadModelParams {
    const gpuLayers = getSetting("gpuLayers");
    return {
        modelPath: getSetting("model"),
        contextSize: Math.max(512, getSetting("contextSize")),
        threads: resolveThreads(getSetting("threads"), os.availableParallelism()),
        gpuLayers: gpuLayers < 0 ? "auto" : gpuLayers,
        sequences: 2,
        gpu: getSetting("gpu"),
    };
}
