/**
 * "Hearth: Download Model": a short curated list (or any hf:/https address), downloaded by the engine with
 * node-llama-cpp's downloader into Hearth's global storage, shown as a cancellable notification with percent, speed
 * and time left. Cancelling keeps the partial file, so running the command again resumes. The finished model is
 * selected and loaded. This is the only place Hearth touches the network, and only when the user asks. Only https
 * (the Hugging Face address too); every file is checked against its published SHA-256 (src/engine/verifyDownload.ts).
 */
import * as os from "node:os";
import * as vscode from "vscode";
import { getSetting } from "../config/settings";
import { CURATED_MODELS, curatedFitsMemory, isDownloadableUri, type CuratedModel } from "../core/models/curatedModels";
import { downloadUrlProblem } from "../core/models/downloadChecks";
import { DownloadProgressTracker, formatDuration, formatTransfer } from "../core/models/downloadProgress";
import { formatBytes } from "../core/formatBytes";
import { EngineError, type DownloadModelResult } from "../protocol/engineProtocol";
import type { HearthServices } from "../services";
import { handleEngineError } from "../backend/errorActions";
import { hearthModelsDir } from "./selectModelCommand";
import { useModel } from "./useModel";
import { errorText } from "../core/errorText";

type DownloadPickItem = vscode.QuickPickItem & { model?: CuratedModel; custom?: true };

function purposeText(model: CuratedModel): string {
    return model.purposes.map((p) => (p === "completions" ? vscode.l10n.t("code completions") : vscode.l10n.t("chat and writing"))).join(", ");
}

function curatedItem(model: CuratedModel, totalRam: number): DownloadPickItem {
    const fits = curatedFitsMemory(model, totalRam);
    return {
        label: `$(cloud-download) ${model.title}`,
        description: `≈ ${formatBytes(model.approxBytes)} · ${model.quantization} · ${purposeText(model)}`,
        detail: `${fits ? "" : "$(warning) " + vscode.l10n.t("Needs about {0} of RAM on the CPU; this machine has {1}.", formatBytes(model.minRamBytes), formatBytes(totalRam)) + " "}`
            + vscode.l10n.t(model.summary),
        model,
    };
}

export async function downloadModelCommand(services: HearthServices): Promise<void> {
    const totalRam = os.totalmem();
    const items: DownloadPickItem[] = [
        ...CURATED_MODELS.map((m) => curatedItem(m, totalRam)),
        { label: "", kind: vscode.QuickPickItemKind.Separator },
        { label: "$(link) " + vscode.l10n.t("Other model…"), description: vscode.l10n.t("A Hugging Face address (hf:user/repo:Q4_K_M) or an https link to a .gguf file"), custom: true },
    ];
    const pick = await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t("Hearth: Download Model"),
        placeHolder: vscode.l10n.t("Downloads from Hugging Face ({0}) into Hearth's storage. Nothing else is sent.", endpointHost()),
        matchOnDescription: true,
        matchOnDetail: true,
    });
    if (!pick) return;
    let uri: string;
    let title: string;
    let pinned: Record<string, string> | undefined;
    if (pick.model) {
        uri = pick.model.uri;
        title = pick.model.title;
        pinned = pick.model.sha256 && { ...pick.model.sha256 };
    } else {
        const typed = await vscode.window.showInputBox({
            title: vscode.l10n.t("Hearth: Download Model"),
            prompt: vscode.l10n.t("Hugging Face address or https link of a GGUF model"),
            placeHolder: "hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF:Q4_K_M",
            ignoreFocusOut: true,
            validateInput: (v) => (!v.trim() || isDownloadableUri(v) ? undefined
                : vscode.l10n.t("Use hf:<user>/<repo>:<quantization>, hf:<user>/<repo>/<file>.gguf or an https:// link ending in .gguf (add #sha256=<hash> for a server other than Hugging Face).")),
        });
        if (!typed?.trim()) return;
        uri = typed.trim();
        title = uri;
    }
    const result = await downloadWithProgress(services, uri, title, pinned);
    if (result) await useModel(services, result.modelPath, title);
}

/**
 * The Hugging Face address: `hearth.download.huggingFaceEndpoint` (a mirror), else the HF_ENDPOINT environment
 * variable, else huggingface.co; `problem` when the configured one is not an https address (it is then not used).
 */
function huggingFaceEndpoint(): { endpoint: string | undefined; problem?: string; source?: string } {
    for (const [source, value] of [["hearth.download.huggingFaceEndpoint", getSetting("download.huggingFaceEndpoint").trim()], ["HF_ENDPOINT", process.env.HF_ENDPOINT?.trim() ?? ""]] as const) {
        if (!value) continue;
        const problem = downloadUrlProblem(value);
        return problem ? { endpoint: undefined, problem, source } : { endpoint: new URL(value).href, source };
    }
    return { endpoint: undefined };
}

function endpointHost(): string {
    const { endpoint } = huggingFaceEndpoint();
    return endpoint ? new URL(endpoint).host : "huggingface.co";
}

/** Runs the engine's download with a cancellable notification; resolves undefined when cancelled or failed. */
export async function downloadWithProgress(services: HearthServices, uri: string, title: string, expectedSha256?: Record<string, string>): Promise<DownloadModelResult | undefined> {
    const dirPath = hearthModelsDir(services.context);
    const { endpoint, problem, source } = huggingFaceEndpoint();
    if (problem) {
        void vscode.window.showWarningMessage(vscode.l10n.t("Hearth: {0} is not used: {1}. Using huggingface.co.", source ?? "", problem));
    }
    services.log.info(`Downloading ${uri} into ${dirPath}${endpoint ? ` from ${endpoint}` : ""}`);
    try {
        const result = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: downloading {0}", title), cancellable: true },
            async (progress, token) => {
                const controller = new AbortController();
                const cancel = token.onCancellationRequested(() => controller.abort());
                let tracker: DownloadProgressTracker | undefined;
                let resumeNote = "";
                progress.report({ message: vscode.l10n.t("Finding the file…") });
                try {
                    return await services.engine.request("downloadModel", { uri, dirPath, huggingFaceEndpoint: endpoint, expectedSha256 }, {
                        signal: controller.signal,
                        onEvent: (e) => {
                            if (e.phase === "verify") {
                                const pct = e.totalBytes ? Math.floor((e.downloadedBytes / e.totalBytes) * 100) : 0;
                                progress.report({ message: vscode.l10n.t("Checking the file against its published SHA-256… {0}%", pct) });
                                return;
                            }
                            if (!tracker) {
                                tracker = new DownloadProgressTracker(e.downloadedBytes, Date.now());
                                if (e.downloadedBytes > 0 && e.downloadedBytes < e.totalBytes) {
                                    resumeNote = vscode.l10n.t("resumed") + " · ";
                                }
                            }
                            const view = tracker.update(e.downloadedBytes, e.totalBytes, Date.now());
                            const left = view.secondsLeft !== undefined ? " · " + vscode.l10n.t("{0} left", formatDuration(view.secondsLeft)) : "";
                            progress.report({ increment: view.increment, message: `${resumeNote}${Math.floor(view.percent)}% · ${formatTransfer(view)}${left}` });
                        },
                    });
                } finally {
                    cancel.dispose();
                }
            },
        );
        services.log.info(`Downloaded ${uri} → ${result.modelPath} (${result.totalBytes} bytes, SHA-256 ${result.sha256.join(", ")} verified`
            + `${result.alreadyDownloaded ? ", already complete" : result.resumedFromBytes ? `, resumed at ${result.resumedFromBytes}` : ""})`);
        return result;
    } catch (err) {
        if (err instanceof EngineError && err.code === "cancelled") {
            void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: download paused. Run “Hearth: Download Model” and pick the same model to resume where it stopped."));
            return undefined;
        }
        if (err instanceof EngineError && err.code === "downloadUnreachable") {
            // The engine's message is the host it could not reach; what Node said goes to the log only.
            services.log.error(`Download of ${uri} failed: ${err.message} cannot be reached: ${err.detail ?? ""}`);
            const mirror = endpoint ? vscode.l10n.t(" (the mirror set in {0})", source ?? "hearth.download.huggingFaceEndpoint") : "";
            void handleEngineError(new EngineError("downloadUnreachable", vscode.l10n.t(
                "Hearth cannot reach {0}{1} to download the model. Check the internet connection and proxy, then Retry.", err.message, mirror)));
            return undefined;
        }
        services.log.error(`Download of ${uri} failed: ${errorText(err)}`);
        void handleEngineError(err);
        return undefined;
    }
}
