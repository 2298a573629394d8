/**
 * The actions on a fenced code block in a chat answer: Copy, Insert at Cursor, Apply to Selection.
 * Model output is never applied without the user's accept: Apply opens a diff (current file ↔ file with the
 * selection replaced by the code, served from a read-only virtual document) and only Accept edits the file, and
 * only if the file did not change in the meantime.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { CodeAction } from "../protocol/webviewProtocol";
import type { EditorTracker } from "./chatAttachments";

const SCHEME = "hearth-chat-proposal";

export class ChatCodeActions implements vscode.Disposable {
    private readonly proposals = new Map<string, string>();
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    private readonly registration: vscode.Disposable;
    private counter = 0;

    constructor(private readonly tracker: EditorTracker) {
        const proposals = this.proposals;
        const changed = this.changed;
        this.registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
            onDidChange: changed.event,
            provideTextDocumentContent: (uri) => proposals.get(uri.toString()) ?? "",
        });
    }

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
        if (action === "insert") {
            await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
            // An explicit user click: insert at the cursor (replacing the selection, like typing would).
            await editor.edit((b) => { for (const s of editor.selections) b.replace(s, code); });
            return;
        }
        await this.proposeApply(editor, code);
    }

    private async proposeApply(editor: vscode.TextEditor, code: string): Promise<void> {
        const t = vscode.l10n.t;
        const doc = editor.document;
        const whole = editor.selection.isEmpty;
        const range = whole ? new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)) : editor.selection;
        const version = doc.version;
        const original = doc.getText();
        const proposed = original.slice(0, doc.offsetAt(range.start)) + code + original.slice(doc.offsetAt(range.end));
        const name = path.basename(doc.fileName);
        const proposalUri = vscode.Uri.from({ scheme: SCHEME, path: `/${++this.counter}/${name}` });
        this.proposals.set(proposalUri.toString(), proposed);
        this.changed.fire(proposalUri);
        const title = whole ? t("{0}: whole file ↔ Hearth's code (review)", name) : t("{0}: selection ↔ Hearth's code (review)", name);
        await vscode.commands.executeCommand("vscode.diff", doc.uri, proposalUri, title, { preview: true });
        const accept = t("Accept");
        const reject = t("Reject");
        const question = whole
            ? t("Nothing was selected: replace the whole of {0} with Hearth's code?", name)
            : t("Replace the selection in {0} with Hearth's code?", name);
        const choice = await vscode.window.showInformationMessage(question, accept, reject);
        await closeDiff(proposalUri);
        this.proposals.delete(proposalUri.toString());
        if (choice !== accept) return;
        if (doc.isClosed || doc.version !== version) {
            void vscode.window.showWarningMessage(t("{0} changed after the suggestion was shown; Hearth did not apply it. Apply again to review the current text.", name));
            return;
        }
        const edit = new vscode.WorkspaceEdit();
        edit.replace(doc.uri, range, code);
        if (!(await vscode.workspace.applyEdit(edit))) {
            void vscode.window.showErrorMessage(t("Hearth could not apply the change to {0}.", name));
            return;
        }
        await vscode.window.showTextDocument(doc, { viewColumn: editor.viewColumn });
    }

    dispose(): void {
        this.registration.dispose();
        this.changed.dispose();
        this.proposals.clear();
    }
}

async function closeDiff(proposal: vscode.Uri): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
        .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposal.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
}
