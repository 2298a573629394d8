/**
 * "Hearth: Summarise Document…": a summary of a document of any length (a 300-page PDF, a long report, a DOCX) by
 * map-reduce over its chunks (src/core/summarize), so no request exceeds the model's context. Progress and Cancel in
 * a notification; the summary opens as a new Markdown document with page (or line) references.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { handleEngineError } from "../backend/errorActions";
import { errorText } from "../core/errorText";
import { sectionsFromChunks, summarizeDocument, type SummarizeResult } from "../core/summarize/mapReduce";
import { rewriteBackend } from "../review/rewriteBackend";
import type { HearthServices } from "../services";

export type SummarizeOutcome =
    | { status: "done"; summary: string; result: SummarizeResult; document: vscode.Uri }
    | { status: "cancelled" }
    | { status: "error"; message: string };

export async function summarizeDocumentCommand(services: HearthServices, target?: vscode.Uri): Promise<SummarizeOutcome | undefined> {
    const t = vscode.l10n.t;
    const uri = target ?? await pickDocument();
    if (!uri) return undefined;
    const name = path.basename(uri.fsPath);
    try {
        const outcome = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: t("Hearth: summarising {0}", name), cancellable: true },
            async (progress, token) => {
                const controller = new AbortController();
                const cancel = token.onCancellationRequested(() => controller.abort());
                try {
                    progress.report({ message: t("Reading the document…") });
                    const chunks = await services.knowledge.documentChunks(uri, controller.signal);
                    if (!chunks.some((c) => c.text.trim())) throw new Error(t("{0} has no text Hearth can read (a scanned PDF has only images).", name));
                    const backend = await rewriteBackend(services.backend, controller.signal);
                    let reported = 0;
                    const result = await summarizeDocument({
                        title: name, sections: sectionsFromChunks(chunks), backend, signal: controller.signal,
                        onProgress: (p) => {
                            const message = p.phase === "map"
                                ? t("Summarising part {0} of {1}", Math.min(p.done + 1, p.total), p.total)
                                : t("Combining the summaries (round {0})", p.round);
                            // The map phase is most of the work: it fills the bar to 90 %.
                            const pct = p.phase === "map" ? Math.floor((p.done / Math.max(1, p.total)) * 90) : 90 + Math.min(9, p.round * 3);
                            progress.report({ message, increment: Math.max(0, pct - reported) });
                            reported = Math.max(reported, pct);
                        },
                    });
                    return { result, parts: chunks.length };
                } finally {
                    cancel.dispose();
                }
            },
        );
        if (outcome.result.cancelled) return { status: "cancelled" };
        const model = services.backend.model?.name ?? "";
        const content = [
            `# ${t("Summary of {0}", name)}`,
            "",
            outcome.result.summary,
            "",
            "---",
            `_${t("Made on this computer by Hearth with {0}: {1} requests over {2} chunks, none larger than the model's context.", model, outcome.result.requests, outcome.parts)}_`,
            "",
        ].join("\n");
        const document = await vscode.workspace.openTextDocument({ language: "markdown", content });
        await vscode.window.showTextDocument(document, { preview: false });
        services.log.info(`Summarised ${uri.fsPath}: ${outcome.result.requests} requests, ${outcome.result.reduceRounds} reduce rounds, `
            + `largest request ${outcome.result.largestRequestTokens} tokens`);
        return { status: "done", summary: outcome.result.summary, result: outcome.result, document: document.uri };
    } catch (err) {
        if (isCancel(err)) return { status: "cancelled" };
        services.log.error(`Summarise ${uri.fsPath}: ${errorText(err)}`);
        void handleEngineError(err);
        return { status: "error", message: errorText(err) };
    }
}

async function pickDocument(): Promise<vscode.Uri | undefined> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const t = vscode.l10n.t;
    if (active?.scheme === "file") {
        const current = { label: "$(file) " + path.basename(active.fsPath), description: t("the open file"), uri: active };
        const other = { label: "$(folder-opened) " + t("Choose a document…"), uri: undefined };
        const choice = await vscode.window.showQuickPick([current, other], { title: t("Hearth: Summarise Document") });
        if (!choice) return undefined;
        if (choice.uri) return choice.uri;
    }
    const picked = await vscode.window.showOpenDialog({
        canSelectFiles: true, canSelectMany: false, defaultUri: active?.scheme === "file" ? active : undefined,
        title: t("Hearth: Summarise Document"), openLabel: t("Summarise"),
        filters: { [t("Documents")]: ["pdf", "docx", "md", "txt", "markdown", "rst", "tex", "html"], [t("All files")]: ["*"] },
    });
    return picked?.[0];
}

function isCancel(err: unknown): boolean {
    return (err instanceof Error && (err.name === "AbortError" || /cancel/i.test((err as { code?: string }).code ?? "")))
        || (typeof err === "object" && err !== null && (err as { code?: unknown }).code === "cancelled");
}

/** Command palette and the Explorer's context menu on a file (the URI comes from the menu). */
export function registerSummarizeDocument(services: HearthServices): void {
    services.context.subscriptions.push(vscode.commands.registerCommand("hearth.summarizeDocument",
        (uri?: vscode.Uri) => summarizeDocumentCommand(services, uri instanceof vscode.Uri ? uri : undefined)));
}
