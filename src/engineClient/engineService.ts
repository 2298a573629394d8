/**
 * The features' entry to the model: starts the engine on first use, loads the configured model with progress,
 * reloads it after a crash, and turns engine failures into messages that say what to do next.
 */
import * as os from "node:os";
import * as vscode from "vscode";
import { getSetting, onDidChangeSetting } from "../config/settings";
import { resolveThreads } from "../core/settingsDefaults";
import {
    EngineError,
    type EngineMethod,
    type LoadModelParams,
    type LoadModelResult,
    type ParamsOf,
    type ResultOf,
} from "../protocol/engineProtocol";
import { EngineProcess, type EngineState, type LlmBackend, type RequestOptions } from "./engineProcess";
import { errorText } from "../core/errorText";

export type ServiceState =
    | { kind: "idle" }
    | { kind: "starting" }
    | { kind: "loading"; progress: number; modelPath: string }
    | { kind: "ready"; model: LoadModelResult }
    | { kind: "generating"; model: LoadModelResult }
    | { kind: "noModel" }
    | { kind: "error"; message: string; stopped: boolean };

/**
 * Generations the user waits for (chat, polish, explain): they show "generating" in the status bar and stop with
 * "Stop Generation". Inline completions run on their own sequence, are cancelled by the next keystroke, and must not
 * make the status bar flicker while the user types.
 */
function isForegroundGeneration<M extends EngineMethod>(method: M, params: ParamsOf<M>): boolean {
    if (method === "chat") return true;
    return method === "complete" && (params as ParamsOf<"complete">).sequence === "chat";
}

export class EngineService implements LlmBackend, vscode.Disposable {
    private readonly engine: EngineProcess;
    private loaded: LoadModelResult | undefined;
    private loading: Promise<LoadModelResult> | undefined;
    private loadingKey: string | undefined;
    private stateValue: ServiceState = { kind: "idle" };
    private readonly stateEmitter = new vscode.EventEmitter<ServiceState>();
    private readonly disposables: vscode.Disposable[] = [];
    private readonly generationControllers = new Set<AbortController>();
    readonly onDidChangeState = this.stateEmitter.event;

    /** `engineEnv`: extra environment for the engine process (where on-demand GPU binaries live). */
    constructor(extensionUri: vscode.Uri, readonly log: vscode.LogOutputChannel, engineEnv?: Record<string, string>) {
        this.engine = new EngineProcess({
            enginePath: vscode.Uri.joinPath(extensionUri, "dist", "engine.mjs").fsPath,
            log: (level, message) => log[level](message),
            env: engineEnv,
        });
        this.disposables.push(this.stateEmitter, this.engine.onDidChangeState((s) => this.onEngineState(s)));
        this.disposables.push(onDidChangeSetting(["model", "contextSize", "threads", "gpu", "gpuLayers"], () => {
            // The next request loads the model with the new settings; nothing is loaded eagerly.
            this.loaded = undefined;
            if (this.stateValue.kind === "ready" || this.stateValue.kind === "noModel") this.setState({ kind: "idle" });
        }));
    }

    get state(): ServiceState {
        return this.stateValue;
    }

    get model(): LoadModelResult | undefined {
        return this.loaded;
    }

    get enginePid(): number | undefined {
        return this.engine.pid;
    }

    /** Raw request without loading a model first (tokenize on a loaded model, inspectModels, stats). */
    requestRaw<M extends EngineMethod>(method: M, params: ParamsOf<M>, options?: RequestOptions<M>): Promise<ResultOf<M>> {
        return this.engine.request(method, params, options);
    }

    /** Runs a request, loading the configured model first; foreground generations (chat, polish, explain) stop with stopAll(). */
    async request<M extends EngineMethod>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
        if (method !== "inspectModels" && method !== "stats") await this.ensureModel(options.signal);
        if (!isForegroundGeneration(method, params)) return this.engine.request(method, params, options);
        const controller = new AbortController();
        const onAbort = () => controller.abort();
        options.signal?.addEventListener("abort", onAbort, { once: true });
        if (options.signal?.aborted) controller.abort();
        this.generationControllers.add(controller);
        if (this.loaded) this.setState({ kind: "generating", model: this.loaded });
        try {
            return await this.engine.request(method, params, { ...options, signal: controller.signal });
        } finally {
            options.signal?.removeEventListener("abort", onAbort);
            this.generationControllers.delete(controller);
            if (this.generationControllers.size === 0 && this.loaded && this.stateValue.kind === "generating") {
                this.setState({ kind: "ready", model: this.loaded });
            }
        }
    }

    /** Stops every generation in flight (status bar menu, chat Stop). */
    stopAll(): void {
        for (const c of this.generationControllers) c.abort();
    }

    /** Loads the configured model if it is not loaded yet, showing progress in the status bar and a notification. */
    async ensureModel(signal?: AbortSignal): Promise<LoadModelResult> {
        const params = this.loadParams();
        const key = JSON.stringify(params);
        if (this.loaded && this.loadingKey === key) return this.loaded;
        if (this.loading && this.loadingKey === key) return this.loading;
        this.loadingKey = key;
        this.loading = this.load(params, signal).finally(() => (this.loading = undefined));
        return this.loading;
    }

    async restart(): Promise<void> {
        this.loaded = undefined;
        this.loadingKey = undefined;
        this.setState({ kind: "starting" });
        try {
            await this.engine.restart();
            this.setState({ kind: "idle" });
        } catch (err) {
            this.setState({ kind: "error", message: errorText(err), stopped: false });
            throw err;
        }
    }

    loadParams(): LoadModelParams {
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

    private async load(params: LoadModelParams, signal?: AbortSignal): Promise<LoadModelResult> {
        if (!params.modelPath) {
            this.setState({ kind: "noModel" });
            throw new EngineError("noModel", vscode.l10n.t("No model is selected. Run “Hearth: Select Model” or “Hearth: Download Model”."));
        }
        this.setState({ kind: "starting" });
        try {
            await this.engine.start();
            this.setState({ kind: "loading", progress: 0, modelPath: params.modelPath });
            const model = await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Window, title: vscode.l10n.t("Hearth: loading model") },
                async (progress) => {
                    let reported = 0;
                    return this.engine.request("loadModel", params, {
                        signal,
                        onEvent: (e) => {
                            const pct = Math.round(e.progress * 100);
                            if (pct > reported) progress.report({ message: `${pct}%`, increment: pct - reported });
                            reported = pct;
                            this.setState({ kind: "loading", progress: e.progress, modelPath: params.modelPath });
                        },
                    });
                },
            );
            this.loaded = model;
            this.setState({ kind: "ready", model });
            if (model.gpuFallbackReason) {
                void vscode.window.showWarningMessage(vscode.l10n.t("Hearth: {0}", model.gpuFallbackReason));
            }
            return model;
        } catch (err) {
            this.loaded = undefined;
            this.loadingKey = undefined;
            const stopped = this.engine.state.kind === "stopped";
            if (!(err instanceof EngineError && err.code === "cancelled")) {
                this.setState({ kind: "error", message: errorText(err), stopped });
            }
            throw err;
        }
    }

    private onEngineState(state: EngineState): void {
        if (state.kind === "crashed" || state.kind === "stopped") {
            this.loaded = undefined;
            this.loadingKey = undefined;
            this.setState({ kind: "error", message: state.reason, stopped: state.kind === "stopped" });
            void this.notifyCrash(state.kind === "stopped", state.reason);
        }
    }

    private async notifyCrash(stopped: boolean, reason: string): Promise<void> {
        const showLog = vscode.l10n.t("Show Log");
        const restart = vscode.l10n.t("Restart");
        const text = stopped ? reason : vscode.l10n.t("Hearth's engine stopped unexpectedly ({0}). It restarts on the next request.", reason);
        const choice = await (stopped ? vscode.window.showErrorMessage(text, showLog, restart) : vscode.window.showWarningMessage(text, showLog));
        if (choice === showLog) this.log.show(true);
        if (choice === restart) await this.restart().catch(() => undefined);
    }

    private setState(state: ServiceState): void {
        this.stateValue = state;
        this.stateEmitter.fire(state);
    }

    dispose(): void {
        this.stopAll();
        this.engine.dispose();
        for (const d of this.disposables) d.dispose();
    }
}
