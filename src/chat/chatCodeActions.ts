/**
 * The actions on a fenced code block in a chat answer: Copy, Insert at Cursor, Apply to Selection.
 * Model output is never applied without the user's accept: both Insert and Apply go through the shared review
 * (src/review: a diff with Accept / Reject; Accept refuses when the text changed meanwhile). Insert proposes the code
 * at the cursor (replacing the selection, if any, as typing would; with several cursors, at the primary one); Apply
 * proposes it in place of the selection, or of the whole file when nothing is selected.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { CodeAction } from "../protocol/webviewProtocol";
import type { ReviewService } from "../review/reviewService";
import type { EditorTracker } from "./chatAttachments";

export class ChatCodeActions {
    constructor(private readonly tracker: EditorTracker, private readonly review: ReviewService) {}

    async run(action: CodeAction, code: string): Promise<void> {
        const t = vscode.l10n.t;
        if (action === "copy") {
            await vscode.env.clipboard.writeText(code);
            vscode.window.setStatusBarMessage(t("Hearth: code copied to the clipboard"), 2000);
            return;
        }
        const editor = this.tracker.editor;
        if (!editor) {
            void vscode.window.showInformationMessage(t("Open a file in the editor and place the cursor (or select the text to replace) first."));
            return;
        }
        const doc = editor.document;
        if (action === "insert") {
            const at = editor.selection;
            const session = this.review.proposeEdit({
                document: doc,
                range: at,
                originalText: doc.getText(at),
                newText: code,
                title: t("{0}: Hearth's code at the cursor (review)", path.basename(doc.fileName)),
            });
            await session.outcome;
            return;
        }
        const whole = editor.selection.isEmpty;
        const range = whole ? new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)) : editor.selection;
        const name = path.basename(doc.fileName);
        if (whole) {
            const replace = t("Review Replacing the Whole File");
            const choice = await vscode.window.showInformationMessage(
                t("Nothing was selected: replace the whole of {0} with Hearth's code?", name), replace);
            if (choice !== replace) return;
        }
        const session = this.review.proposeEdit({
            document: doc,
            range,
            originalText: doc.getText(range),
            newText: code,
            title: whole ? t("{0}: whole file ↔ Hearth's code (review)", name) : t("{0}: selection ↔ Hearth's code (review)", name),
        });
        await session.outcome;
    }
}
