/**
 * "Hearth: Select Model" while `hearth.backend` is "openai-compatible": the server's own models (GET /v1/models
 * through services.backend.listModels), current one first; picking one sets `hearth.server.model` and connects with
 * visible progress. A model file on this computer is the embedded engine's business: one item switches back to it.
 */
import * as vscode from "vscode";
import { getSetting, updateSetting } from "../config/settings";
import { handleEngineError } from "../backend/errorActions";
import type { ModelListing } from "../backend/llmBackend";
import type { HearthServices } from "../services";

type Item = vscode.QuickPickItem & { model?: ModelListing; useEmbedded?: true };

export async function selectServerModel(services: HearthServices): Promise<void> {
    const qp = vscode.window.createQuickPick<Item>();
    const url = getSetting("server.url");
    qp.title = vscode.l10n.t("Hearth: Select Model on {0}", url || "?");
    qp.placeholder = vscode.l10n.t("Asking the server for its models…");
    qp.busy = true;
    qp.matchOnDetail = true;
    const useEmbedded: Item = {
        label: `$(device-desktop) ${vscode.l10n.t("Use a model on this computer instead…")}`,
        detail: vscode.l10n.t("Switches “hearth.backend” to “embedded”: nothing is sent to a server."),
        useEmbedded: true,
    };
    qp.items = [useEmbedded];
    const controller = new AbortController();
    const picked = new Promise<Item | undefined>((resolve) => {
        qp.onDidAccept(() => {
            resolve(qp.selectedItems[0]);
            qp.hide();
        });
        qp.onDidHide(() => {
            controller.abort();
            resolve(undefined);
            qp.dispose();
        });
    });
    qp.show();
    void services.backend.listModels(controller.signal).then((models) => {
        const current = getSetting("server.model") || models[0]?.id;
        const items: Item[] = models.map((m) => ({
            label: `${m.id === current ? "$(check) " : ""}${m.name}`,
            description: m.contextSize ? vscode.l10n.t("{0} tokens of context", m.contextSize) : undefined,
            detail: m.detail,
            model: m,
        }));
        qp.items = [...items, { label: "", kind: vscode.QuickPickItemKind.Separator }, useEmbedded];
        qp.activeItems = items.filter((i) => i.model?.id === current);
        qp.placeholder = models.length
            ? vscode.l10n.t("{0} models on the server. Pick the one Hearth should use.", models.length)
            : vscode.l10n.t("The server lists no models.");
        qp.busy = false;
    }, (err) => {
        if (controller.signal.aborted) return;
        qp.hide();
        void handleEngineError(err);
    });

    const choice = await picked;
    if (choice?.useEmbedded) {
        await updateSetting("backend", "embedded");
        await vscode.commands.executeCommand("hearth.selectModel");
        return;
    }
    if (!choice?.model) return;
    await updateSetting("server.model", choice.model.id);
    services.log.info(`Selected server model ${choice.model.id}`);
    await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: connecting to {0}", choice.model.name), cancellable: true },
        async (_progress, token) => {
            const ready = new AbortController();
            const cancel = token.onCancellationRequested(() => ready.abort());
            try {
                const model = await services.backend.ready(ready.signal);
                vscode.window.setStatusBarMessage(vscode.l10n.t("Hearth: {0} is ready ({1}, {2} tokens of context)",
                    model.name, model.location.kind === "server" ? model.location.host : "", model.contextSize), 6000);
            } catch (err) {
                void handleEngineError(err);
            } finally {
                cancel.dispose();
            }
        },
    );
}
