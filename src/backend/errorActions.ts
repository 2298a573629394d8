/**
 * One place that turns engine failures into messages with the action that fixes them. Features call
 * `handleEngineError(err)` from their catch blocks:
 *
 *   try { await engine.request("chat", ...); } catch (err) { await handleEngineError(err); }
 *
 * - noModel        → "Select Model" / "Download Model"
 * - badModel       → "Select Model" / "Download Model" / "Show Log" (the message names the file and the reason)
 * - modelTooLarge  → "Select Model" / "Download Model" / "Open Settings" (context size)
 * - engineStopped  → "Restart Engine" / "Show Log"
 * - downloadFailed, downloadUnreachable → "Retry Download" / "Show Log"
 * - serverUnreachable, serverTimeout → "Open Server Settings" / "Use Embedded Engine" / "Show Log"
 * - serverUnauthorized → "Set Server API Key"
 * - serverModelNotFound → "Select Model"
 * - cancelled      → nothing (the user asked for it)
 * - engineCrashed  → nothing: the engine service already told the user when the process died
 * - anything else  → the message with "Show Log"
 *
 * The chat panel's error banner offers the same actions (`panelActionsFor`), so the fix is where the failure shows.
 */
import * as vscode from "vscode";
import { EngineError, type EngineErrorCode } from "../protocol/engineProtocol";
import type { PanelCommand } from "../protocol/webviewProtocol";
import { errorText } from "../core/errorText";
import { updateSetting } from "../config/settings";

interface Action {
    title: string;
    run(): Thenable<unknown>;
    /** The chat panel's button for the same action, when it has one. */
    panel?: PanelCommand;
}

const command = (title: string, id: string, ...args: unknown[]): Action => ({ title, run: () => vscode.commands.executeCommand(id, ...args) });
const panel = (action: Action, id: PanelCommand): Action => ({ ...action, panel: id });

function actionsFor(err: Pick<EngineError, "code">): { severity: "warning" | "error"; actions: Action[] } | undefined {
    const selectModel = panel(command(vscode.l10n.t("Select Model"), "hearth.selectModel"), "selectModel");
    const downloadModel = panel(command(vscode.l10n.t("Download Model"), "hearth.downloadModel"), "downloadModel");
    const showLog = panel(command(vscode.l10n.t("Show Log"), "hearth.showLog"), "showLog");
    switch (err.code) {
        case "cancelled":
        case "engineCrashed":
            return undefined;
        case "noModel":
            return { severity: "warning", actions: [selectModel, downloadModel] };
        case "badModel":
            return { severity: "error", actions: [selectModel, downloadModel, showLog] };
        case "modelTooLarge":
            return {
                severity: "error",
                actions: [selectModel, downloadModel, command(vscode.l10n.t("Open Settings"), "workbench.action.openSettings", "hearth.contextSize")],
            };
        case "engineStopped":
            return { severity: "error", actions: [panel(command(vscode.l10n.t("Restart Engine"), "hearth.restartEngine"), "restartEngine"), showLog] };
        case "downloadFailed":
        case "downloadUnreachable":
            return { severity: "error", actions: [command(vscode.l10n.t("Retry Download"), "hearth.downloadModel"), showLog] };
        case "serverUnreachable":
        case "serverTimeout":
            return {
                severity: "error",
                actions: [
                    command(vscode.l10n.t("Open Server Settings"), "workbench.action.openSettings", "hearth.server"),
                    {
                        title: vscode.l10n.t("Use Embedded Engine"),
                        run: () => updateSetting("backend", "embedded"),
                    },
                    showLog,
                ],
            };
        case "serverUnauthorized":
            return { severity: "error", actions: [command(vscode.l10n.t("Set Server API Key"), "hearth.setServerApiKey")] };
        case "serverModelNotFound":
            return { severity: "error", actions: [selectModel, showLog] };
        default:
            return { severity: "error", actions: [showLog] };
    }
}

/**
 * Shows `err` with the buttons that resolve it and runs the one the user picks. Resolves when the message is closed
 * (callers need not await it). Non-engine errors are shown as they are, with "Show Log".
 */
export async function handleEngineError(err: unknown): Promise<void> {
    const engineError = err instanceof EngineError ? err : new EngineError("internal", errorText(err));
    const plan = actionsFor(engineError);
    if (!plan) return;
    const show = plan.severity === "warning" ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    const choice = await show(`Hearth: ${engineError.message}`, ...plan.actions.map((a) => a.title));
    await plan.actions.find((a) => a.title === choice)?.run();
}

/**
 * The chat banner's buttons for a backend error: the notification's actions that the panel can run. `stopped`: the
 * engine stopped restarting itself (three crashes), which only Restart Engine undoes.
 */
export function panelActionsFor(code: EngineErrorCode | undefined, stopped: boolean): PanelCommand[] {
    const plan = actionsFor({ code: stopped ? "engineStopped" : code ?? "internal" });
    const ids = (plan?.actions ?? []).flatMap((a) => (a.panel ? [a.panel] : []));
    return ids.length ? ids : ["showLog"];
}

/** True for errors that mean "no usable model": features may use it to grey out UI instead of retrying. */
export function isModelProblem(err: unknown): boolean {
    return err instanceof EngineError && (err.code === "noModel" || err.code === "badModel" || err.code === "modelTooLarge");
}
