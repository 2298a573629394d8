/**
 * Opens the place a citation of a grounded answer points to: the file at the cited lines, selected and revealed; a
 * PDF in VS Code's default viewer, with the page said in the status bar (VS Code cannot open a PDF at a page).
 */
import * as vscode from "vscode";
import type { SourceRef } from "../protocol/conversation";

export async function openSource(source: SourceRef): Promise<void> {
    const uri = vscode.Uri.parse(source.uri, true);
    if (source.page !== undefined || /\.(pdf|docx)$/i.test(uri.path)) {
        await vscode.commands.executeCommand("vscode.open", uri);
        vscode.window.setStatusBarMessage(vscode.l10n.t("Hearth: the cited passage is in {0}", source.label), 8000);
        return;
    }
    const start = Math.max(0, source.startLine - 1);
    const end = Math.max(start, source.endLine - 1);
    const selection = new vscode.Range(start, 0, end, Number.MAX_SAFE_INTEGER);
    const editor = await vscode.window.showTextDocument(uri, { preview: true, selection: new vscode.Range(start, 0, start, 0) });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
