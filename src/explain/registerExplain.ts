/**
 * Explain this error: code actions on every language's diagnostics (Explain with Hearth, Fix with Hearth) and
 * the Hearth: Explain Error command for selected error text or stack traces. Commands take optional arguments
 * and return what they did, so tests can drive them without UI.
 */
import * as vscode from "vscode";
import type { ChatApi, HearthServices } from "../services";
import { explainDiagnostic, fixDiagnostic, HearthDiagnosticActions } from "./diagnosticActions";
import { explainError, type ExplainErrorArgs } from "./explainErrorCommand";

export function registerExplain(services: HearthServices, chat: ChatApi): void {
    const review = services.review;
    services.context.subscriptions.push(
        vscode.languages.registerCodeActionsProvider("*", new HearthDiagnosticActions(), {
            providedCodeActionKinds: HearthDiagnosticActions.kinds,
        }),
        vscode.commands.registerCommand("hearth.explainDiagnostic", (uri?: vscode.Uri, diagnostic?: vscode.Diagnostic) =>
            explainDiagnostic(chat, services, uri, diagnostic)),
        vscode.commands.registerCommand("hearth.fixDiagnostic", (uri?: vscode.Uri, diagnostic?: vscode.Diagnostic) =>
            fixDiagnostic(services, review, uri, diagnostic)),
        vscode.commands.registerCommand("hearth.explainError", (args?: ExplainErrorArgs) => explainError(chat, services, args ?? {})),
    );
}
