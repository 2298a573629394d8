/**
 * Models capability: "Hearth: Select Model", "Hearth: Download Model", and the first-run walkthrough when no model is
 * set. Failures are shown with the action that fixes them by `handleEngineError` (src/backend/errorActions.ts).
 */
import * as vscode from "vscode";
import { getSetting } from "../config/settings";
import type { HearthServices } from "../services";
import { downloadModelCommand } from "./downloadModelCommand";
import { handleEngineError } from "../backend/errorActions";
import { selectEmbeddingModelCommand } from "./selectEmbeddingModel";
import { selectModelCommand } from "./selectModelCommand";

const WALKTHROUGH_ID = "hearth.gettingStarted";
const WALKTHROUGH_SHOWN_KEY = "hearth.walkthroughShown";

export function registerModels(services: HearthServices): void {
    const { context } = services;
    context.subscriptions.push(
        vscode.commands.registerCommand("hearth.selectModel", () => selectModelCommand(services).catch(handleEngineError)),
        vscode.commands.registerCommand("hearth.downloadModel", () => downloadModelCommand(services).catch(handleEngineError)),
        vscode.commands.registerCommand("hearth.selectEmbeddingModel", () => selectEmbeddingModelCommand(services).catch(handleEngineError)),
    );
    openWalkthroughOnFirstRun(context);
}

/** Once per installation, and only while no model is configured: the walkthrough offers select / download. */
function openWalkthroughOnFirstRun(context: vscode.ExtensionContext): void {
    if (getSetting("model") || context.globalState.get<boolean>(WALKTHROUGH_SHOWN_KEY)) return;
    void context.globalState.update(WALKTHROUGH_SHOWN_KEY, true);
    void vscode.commands.executeCommand("workbench.action.openWalkthrough", `${context.extension.id}#${WALKTHROUGH_ID}`, false);
}
