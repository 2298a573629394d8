/**
 * "Hearth: Download Model": a short curated list (or any hf:/https address), downloaded by the engine with
 * node-llama-cpp's downloader into Hearth's global storage, shown as a cancellable notification with percent, speed
 * and time left. Cancelling keeps the partial file, so running the command again resumes. The finished model is
 * selected and loaded. This is the only place Hearth touches the network, and only when the user asks.
 */
import * as os from "node:os";
import * as vscode from "vscode";
import { getSetting } from "../config/settings";
import { CURATED_MODELS, curatedFitsMemory, isDownloadableUri, type CuratedModel } from "../core/models/curatedModels";
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
    if (pick.model) {
        uri = pick.model.uri;
        title = pick.model.title;
    } else {
        const typed = await vscode.window.showInputBox({
            title: vscode.l10n.t("Hearth: Download Model"),
            prompt: vscode.l10n.t("Hugging Face address or https link of a GGUF model"),
            placeHolder: "hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF:Q4_K_M",
            ignoreFocusOut: true,
            validateInput: (v) => (!v.trim() || isDownloadableUri(v) ? undefined
                : vscode.l10n.t("Use hf:<user>/<repo>:<quantization>, hf:<user>/<repo>/<file>.gguf or an https:// link ending in .gguf.")),
        });
        if (!typed?.trim()) return;
        uri = typed.trim();
        title = uri;
    }
    const result = await downloadWithProgress(services, uri, title);
    if (result) await useModel(services, result.modelPath, title);
}

/** Runs the engine's download with a cancellable notification; resolves undefined when cancelled or failed. */
/** `hearth.download.huggingFaceEndpoint` when it is an http(s) URL (a mirror), else node-llama-cpp's default. */
function huggingFaceEndpoint(): string | undefined {
    const value = getSetting("download.huggingFaceEndpoint").trim();
    if (!value) return undefined;
    try {
        const url = new URL(value);
        return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
    } catch {
        return undefined;
    }
}

function endpointHost(): string {
    const configured = huggingFaceEndpoint() ?? process.env.HF_ENDPOINT;
    try {
        return configured ? new URL(configured).host : "huggingface.co";
    } catch {
        return "huggingface.co";
    }
}

export async function downloadWithProgress(services: HearthServices, uri: string, title: string): Promise<DownloadModelResult | undefined> {
    const dirPath = hearthModelsDir(services.context);
    const endpoint = huggingFaceEndpoint();
    if (getSetting("download.huggingFaceEndpoint").trim() && !endpoint) {
        void vscode.window.showWarningMessage(vscode.l10n.t("Hearth: “hearth.download.huggingFaceEndpoint” is not an http(s) address; using huggingface.co."));
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
                    return await services.engine.request("downloadModel", { uri, dirPath, huggingFaceEndpoint: endpoint }, {
                        signal: controller.signal,
                        onEvent: (e) => {
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
        services.log.info(`Downloaded ${uri} → ${result.modelPath} (${result.totalBytes} bytes`
            + `${result.alreadyDownloaded ? ", already complete" : result.resumedFromBytes ? `, resumed at ${result.resumedFromBytes}` : ""})`);
        return result;
    } catch (err) {
        if (err instanceof EngineError && err.code === "cancelled") {
            void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: download paused. Run “Hearth: Download Model” and pick the same model to resume where it stopped."));
            return undefined;
        }
        services.log.error(`Download of ${uri} failed: ${errorText(err)}`);
        void handleEngineError(err);
        return undefined;
    }
}
