/** Makes a model file Hearth's model (`hearth.model`, user settings) and loads it with visible, cancellable progress. */
import * as path from "node:path";
import * as vscode from "vscode";
import { getSetting, updateSetting } from "../config/settings";
import type { HearthServices } from "../services";
import { handleEngineError } from "../backend/errorActions";
import { readyWithProgress } from "../backend/readyWithProgress";

export async function useModel(services: HearthServices, modelPath: string, displayName = path.basename(modelPath)): Promise<boolean> {
    await updateSetting("model", modelPath, true);
    // hearth.model is a machine setting: a workspace's settings.json cannot override this choice (see getSetting).
    services.log.info(`Selected model ${modelPath}`);
    if (getSetting("model") !== modelPath) return false;
    return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: loading {0}", displayName), cancellable: true },
        async (progress, token) => {
            try {
                // A model file is the embedded engine's business, whichever backend answers chat right now.
                const model = await readyWithProgress(services.engine.backend, progress, token);
                const compute = model.location.kind === "embedded" ? model.location.compute.toUpperCase() : model.location.host;
                vscode.window.setStatusBarMessage(vscode.l10n.t("Hearth: {0} is ready ({1}, {2} tokens of context)",
                    model.name, compute, model.contextSize), 6000);
                return true;
            } catch (err) {
                void handleEngineError(err);
                return false;
            }
        },
    );
}
