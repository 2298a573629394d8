/**
 * "Hearth: Select Embedding Model": picks the model the knowledge index uses to search by meaning, like the chat
 * model is picked: encoder models found on this computer (read by the engine), a short curated download list, Browse…,
 * or none (search by words only). The choice is tried on a short text before it is saved, so a wrong file is
 * reported at once and not at the first indexing run.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { getSetting, updateSetting } from "../config/settings";
import { errorText } from "../core/errorText";
import { formatBytes } from "../core/formatBytes";
import { discoverModels } from "../core/models/discoverModels";
import { CURATED_EMBEDDING_MODELS, isEmbeddingArchitecture, type CuratedEmbeddingModel } from "../core/models/embeddingModels";
import { handleEngineError } from "../backend/errorActions";
import type { HearthServices } from "../services";
import { downloadWithProgress } from "./downloadModelCommand";
import { modelFolders } from "./selectModelCommand";

type Choice =
    | { kind: "file"; path: string; name: string }
    | { kind: "download"; model: CuratedEmbeddingModel }
    | { kind: "browse" }
    | { kind: "none" };

type Item = vscode.QuickPickItem & { choice?: Choice };

const INSPECT_BATCH = 6;

export async function selectEmbeddingModelCommand(services: HearthServices): Promise<void> {
    const choice = await pick(services);
    if (!choice) return;
    switch (choice.kind) {
        case "none":
            await updateSetting("embeddingModel", "", true);
            void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: the knowledge index searches by words only."));
            return;
        case "browse": {
            const files = await vscode.window.showOpenDialog({
                canSelectFiles: true, canSelectMany: false, filters: { [vscode.l10n.t("GGUF models")]: ["gguf"] },
                openLabel: vscode.l10n.t("Use for Search"),
            });
            const file = files?.[0]?.fsPath;
            if (file) await useEmbeddingModel(services, file, path.basename(file));
            return;
        }
        case "download": {
            const result = await downloadWithProgress(services, choice.model.uri, choice.model.title);
            if (result) await useEmbeddingModel(services, result.modelPath, choice.model.title);
            return;
        }
        case "file":
            await useEmbeddingModel(services, choice.path, choice.name);
            return;
    }
}

/** Tries the model on a short text, then saves it in the user settings. */
export async function useEmbeddingModel(services: HearthServices, file: string, name: string): Promise<boolean> {
    const previous = getSetting("embeddingModel");
    try {
        await updateSetting("embeddingModel", file, true);
        const batch = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: trying {0}", name), cancellable: true },
            async (_progress, token) => {
                const controller = new AbortController();
                const cancel = token.onCancellationRequested(() => controller.abort());
                try {
                    return await services.embedder.embed(["Hearth 检索测试 search test"], controller.signal);
                } finally {
                    cancel.dispose();
                }
            },
        );
        services.log.info(`Embedding model ${file}: ${batch.dimensions} dimensions`);
        void vscode.window.showInformationMessage(vscode.l10n.t(
            "Hearth: {0} is used to search your documents by meaning ({1} dimensions). The index adds its vectors in the background.",
            name, batch.dimensions));
        return true;
    } catch (err) {
        await updateSetting("embeddingModel", previous, true);
        services.log.warn(`Embedding model ${file} refused: ${errorText(err)}`);
        void handleEngineError(err);
        return false;
    }
}

function pick(services: HearthServices): Promise<Choice | undefined> {
    const t = vscode.l10n.t;
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = t("Hearth: Select Embedding Model");
    qp.placeholder = t("Looking for embedding models on this computer…");
    qp.busy = true;
    const current = getSetting("embeddingModel");
    const found: Item[] = [];
    const render = () => {
        qp.items = [
            { label: "$(circle-slash) " + t("None: search by words only"), description: current ? undefined : t("current"), choice: { kind: "none" } },
            { label: t("On this computer"), kind: vscode.QuickPickItemKind.Separator },
            ...found,
            { label: t("Download"), kind: vscode.QuickPickItemKind.Separator },
            ...CURATED_EMBEDDING_MODELS.map((m): Item => ({
                label: "$(cloud-download) " + m.title,
                description: `≈ ${formatBytes(m.approxBytes)} · ${m.languages}`,
                detail: t(m.summary),
                choice: { kind: "download", model: m },
            })),
            { label: "", kind: vscode.QuickPickItemKind.Separator },
            { label: "$(folder-opened) " + t("Browse…"), choice: { kind: "browse" } },
        ];
    };
    render();
    qp.show();
    const controller = new AbortController();
    const done = new Promise<Choice | undefined>((resolve) => {
        qp.onDidAccept(() => {
            const choice = qp.selectedItems[0]?.choice;
            if (!choice) return;
            resolve(choice);
            qp.hide();
        });
        qp.onDidHide(() => {
            controller.abort();
            resolve(undefined);
            qp.dispose();
        });
    });
    void (async () => {
        try {
            const result = await discoverModels(modelFolders(services.context), { signal: controller.signal });
            const paths = result.models.filter((m) => !m.problem).map((m) => m.path);
            for (let i = 0; i < paths.length && !controller.signal.aborted; i += INSPECT_BATCH) {
                const { models } = await services.engine.request("inspectModels",
                    { paths: paths.slice(i, i + INSPECT_BATCH), gpu: getSetting("gpu") }, { signal: controller.signal });
                for (const info of models) {
                    if (!info.ok || !isEmbeddingArchitecture(info.architecture)) continue;
                    found.push({
                        label: "$(symbol-numeric) " + (info.name ?? path.basename(info.path)),
                        description: [info.parameters, info.quantization, info.sizeBytes ? formatBytes(info.sizeBytes) : undefined,
                            info.path === current ? t("current") : undefined].filter(Boolean).join(" · "),
                        detail: info.path,
                        choice: { kind: "file", path: info.path, name: info.name ?? path.basename(info.path) },
                    });
                }
                render();
            }
            qp.placeholder = found.length
                ? t("Pick the model that turns your documents into vectors for search by meaning.")
                : t("No embedding model found on this computer. Download one (a few dozen MB) or browse for a file.");
        } catch (err) {
            if (!controller.signal.aborted) {
                services.log.warn(`Select Embedding Model: ${errorText(err)}`);
                qp.placeholder = t("Could not read the models on this computer: {0}", errorText(err));
            }
        } finally {
            qp.busy = false;
        }
    })();
    return done;
}
