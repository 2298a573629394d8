/**
 * Opening a link from a model's answer: only after a modal that shows the full address, and only http(s)/mailto
 * (src/core/chat/links.ts says why). The chat webview renders links without href and posts the click here.
 */
import * as vscode from "vscode";
import { parseModelLink } from "../core/chat/links";

export type LinkOutcome = "opened" | "declined" | "refused";

export interface LinkDeps {
    /** Shows the modal; resolves to the chosen button's title, or undefined when dismissed. */
    confirm(message: string, detail: string, openTitle: string): Thenable<string | undefined>;
    open(uri: vscode.Uri): Thenable<boolean>;
    log?: vscode.LogOutputChannel;
}

/** The real modal and browser. */
export const LINK_UI: LinkDeps = {
    confirm: (message, detail, openTitle) => vscode.window.showWarningMessage(message, { modal: true, detail }, openTitle),
    open: (uri) => vscode.env.openExternal(uri),
};

export async function openModelLink(href: unknown, deps: LinkDeps = LINK_UI): Promise<LinkOutcome> {
    const t = vscode.l10n.t;
    const link = parseModelLink(href);
    if (!link) {
        deps.log?.warn(`Refused to open a link from a model answer: ${String(href).slice(0, 200)}`);
        void vscode.window.showWarningMessage(t("Hearth: this link from the model's answer cannot be opened (only web and mail addresses of up to 2,048 characters are)."));
        return "refused";
    }
    const openTitle = link.scheme === "mailto" ? t("Write Mail") : t("Open Link");
    const message = link.scheme === "mailto"
        ? t("Write a mail to an address the model wrote?")
        : t("Open a link the model wrote? It leaves your machine.");
    const detail = t("{0}\n\nEverything in this address, including any text in it, goes to {1}. Open it only if you expected this link.",
        link.url, link.receiver || link.url);
    const choice = await deps.confirm(message, detail, openTitle);
    if (choice !== openTitle) return "declined";
    deps.log?.info(`Opening a link from a model answer after confirmation: ${link.url}`);
    await deps.open(vscode.Uri.parse(link.url, true));
    return "opened";
}
