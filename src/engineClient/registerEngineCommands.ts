/** Commands that act on the engine itself: the status bar's quick menu, restart, log, stop generation. */
import * as vscode from "vscode";
import type { HearthServices } from "../services";
import { errorText } from "../core/errorText";
import { getSetting } from "../config/settings";
import { handleEngineError } from "../backend/errorActions";
import { readyWithProgress } from "../backend/readyWithProgress";
import { EngineError } from "../protocol/engineProtocol";

export function registerEngineCommands({ context, engine, backend, log }: HearthServices): void {
    context.subscriptions.push(
        vscode.commands.registerCommand("hearth.restartEngine", async () => {
            try {
                await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: restarting the engine…") },
                    () => engine.restart(),
                );
            } catch (err) {
                void vscode.window.showErrorMessage(vscode.l10n.t("Hearth could not restart its engine: {0}", errorText(err)));
                return;
            }
            // The restart ends with the model loaded again (the status bar shows it), not an idle engine.
            if (backend.kind !== "embedded" || !getSetting("model")) return;
            try {
                await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: engine restarted; loading the model…"), cancellable: true },
                    async (progress, token) => {
                        const model = await readyWithProgress(backend, progress, token);
                        log.info(`Engine restarted; ${model.name} loaded again`);
                    },
                );
            } catch (err) {
                if (err instanceof EngineError && err.code === "cancelled") return;
                void handleEngineError(err);
            }
        }),
        vscode.commands.registerCommand("hearth.showLog", () => log.show(true)),
        vscode.commands.registerCommand("hearth.stopGeneration", () => backend.stopAll()),
        vscode.commands.registerCommand("hearth.showMenu", async () => {
            const items: (vscode.QuickPickItem & { command: string })[] = [
                { label: "$(file-binary) " + vscode.l10n.t("Select Model…"), command: "hearth.selectModel" },
                { label: "$(cloud-download) " + vscode.l10n.t("Download Model…"), command: "hearth.downloadModel" },
                { label: "$(debug-stop) " + vscode.l10n.t("Stop Generation"), command: "hearth.stopGeneration" },
                { label: "$(debug-restart) " + vscode.l10n.t("Restart Engine"), command: "hearth.restartEngine" },
                { label: "$(output) " + vscode.l10n.t("Show Log"), command: "hearth.showLog" },
                { label: "$(comment-discussion) " + vscode.l10n.t("Open Chat"), command: "hearth.openChat" },
                { label: "$(settings-gear) " + vscode.l10n.t("Settings"), command: "hearth.openSettings" },
            ];
            // With a server backend, its API key is one click away.
            if (backend.kind === "openai-compatible") {
                items.splice(1, 0, { label: "$(key) " + vscode.l10n.t("Set Server API Key…"), command: "hearth.setServerApiKey" });
            }
            const pick = await vscode.window.showQuickPick(items, { title: "Hearth" });
            if (pick) await vscode.commands.executeCommand(pick.command);
        }),
        vscode.commands.registerCommand("hearth.openSettings", () =>
            vscode.commands.executeCommand("workbench.action.openSettings", "@ext:hearth-local.hearth")),
    );
}
