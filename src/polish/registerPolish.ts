/**
 * Polish Selection commands: one per kind (editor context submenu "Hearth: Polish Selection"), plus
 * hearth.polishSelection (Ctrl+Alt+P) which asks for the kind. Every command accepts optional PolishArgs and
 * resolves a PolishOutcome once the proposal is ready for review, so tests can drive it without UI.
 */
import * as vscode from "vscode";
import { isPolishKind, isProseLanguage, POLISH_KINDS, type PolishKind } from "../core/polish/polishPrompts";
import type { HearthServices } from "../services";
import { kindLabel, PolishCommand, type PolishArgs, type PolishOutcome } from "./polishCommand";

export function registerPolish(services: HearthServices): void {
    const review = services.review;
    const polish = new PolishCommand(services, review);
    const { subscriptions } = services.context;

    for (const kind of POLISH_KINDS) {
        subscriptions.push(vscode.commands.registerCommand(`hearth.polish.${kind}`, (args?: PolishArgs) => polish.run(kind, args ?? {})));
    }
    subscriptions.push(vscode.commands.registerCommand("hearth.polishSelection", async (args?: PolishArgs): Promise<PolishOutcome> => {
        const kind = isPolishKind(args?.kind) ? args.kind : await pickKind();
        if (!kind) return { status: "cancelled" };
        return polish.run(kind, args ?? {});
    }));
}

async function pickKind(): Promise<PolishKind | undefined> {
    const languageId = vscode.window.activeTextEditor?.document.languageId ?? "plaintext";
    const code = !isProseLanguage(languageId);
    const items = POLISH_KINDS.map((polishKind) => ({
        polishKind,
        label: polishKind === "improve" && code ? vscode.l10n.t("Improve Code (keeps behaviour)") : kindLabel(polishKind),
    }));
    const pick = await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t("Hearth: Polish Selection"),
        placeHolder: vscode.l10n.t("How should Hearth rewrite the selected text?"),
    });
    return pick?.polishKind;
}
