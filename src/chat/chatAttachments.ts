/**
 * Context from the editor for the chat: the selection, the current file, any workspace file (QuickPick over
 * vscode.workspace.findFiles) or every open editor. Token cost is the model's real count when a model is loaded,
 * otherwise an estimate (the chip says "≈" and the request re-counts for real before sending).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import * as vscode from "vscode";
import { formatBytes } from "../core/formatBytes";
import { newId } from "../core/chat/chatModel";
import { type Attachment, type AttachmentKind } from "../protocol/conversation";
import type { LlmBackend } from "../backend/llmBackend";
import type { AttachRequest } from "../protocol/webviewProtocol";
import { errorText } from "../core/errorText";

/** Files bigger than this are not read whole into the chat; the budget would cut them anyway. */
const MAX_ATTACHMENT_CHARS = 400_000;
/** Larger files are refused before they are opened (VS Code keeps an opened file in the extension host's memory). */
const MAX_ATTACHMENT_FILE_BYTES = 50 * 1024 * 1024;
const EXCLUDE = "{**/node_modules/**,**/.git/**,**/out/**,**/dist/**,**/*.gguf,**/*.png,**/*.jpg,**/*.gif,**/*.zip,**/*.vsix}";

export class EditorTracker implements vscode.Disposable {
    /** The last text editor the user was in: the chat view has focus when its buttons are clicked. */
    private last: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
    private readonly subscription = vscode.window.onDidChangeActiveTextEditor((e) => { if (e) this.last = e; });

    get editor(): vscode.TextEditor | undefined {
        const active = vscode.window.activeTextEditor;
        if (active) return active;
        // The remembered editor may have been closed since.
        return this.last && vscode.window.visibleTextEditors.includes(this.last) ? this.last : undefined;
    }

    dispose(): void {
        this.subscription.dispose();
    }
}

type Draft = Omit<Attachment, "tokens" | "estimated"> & {
    /** Characters of the whole text when it was longer than MAX_ATTACHMENT_CHARS and only its start was taken. */
    fullChars?: number;
};

function fromDocument(doc: vscode.TextDocument, kind: AttachmentKind, range?: vscode.Range): Draft {
    const rel = doc.isUntitled ? doc.fileName : vscode.workspace.asRelativePath(doc.uri);
    const base = doc.isUntitled ? doc.fileName : path.basename(doc.uri.fsPath);
    const whole = range ?? new vscode.Range(0, 0, doc.lineCount - 1, doc.lineAt(doc.lineCount - 1).text.length);
    const start = doc.offsetAt(whole.start);
    const chars = doc.offsetAt(whole.end) - start;
    // A huge file is not copied whole: only the part that could ever be sent is read out of the document.
    const cut = chars > MAX_ATTACHMENT_CHARS;
    const text = doc.getText(cut ? new vscode.Range(whole.start, doc.positionAt(start + MAX_ATTACHMENT_CHARS)) : whole);
    const label = range ? `${base}:${range.start.line + 1}-${range.end.line + 1}` : base;
    // A saved file can be searched by the knowledge index when it is too large to send whole (see groundedTurn.ts).
    const uri = !range && doc.uri.scheme === "file" ? doc.uri.toString() : undefined;
    return { id: newId("att"), kind, label, path: rel, languageId: doc.languageId, text, uri, fullChars: cut ? chars : undefined };
}

/** Counts the drafts' tokens; a draft cut at MAX_ATTACHMENT_CHARS says so (the chip shows "cut: n of m"). */
async function counted(drafts: Draft[], backend: LlmBackend): Promise<Attachment[]> {
    const { counts, estimated } = await backend.countTokens(drafts.map((d) => d.text));
    return drafts.map(({ fullChars, ...d }, i) => {
        const tokens = counts[i]!;
        const truncatedFrom = fullChars ? Math.ceil(tokens * fullChars / Math.max(1, d.text.length)) : undefined;
        return { ...d, tokens, estimated, ...(truncatedFrom ? { truncatedFrom } : {}) };
    });
}

/** Gathers the attachments for a request from the editor; shows a message and returns [] when there is nothing. */
export async function gatherAttachments(kind: AttachRequest, tracker: EditorTracker, backend: LlmBackend): Promise<Attachment[]> {
    const t = vscode.l10n.t;
    let drafts: Draft[] = [];
    const editor = tracker.editor;
    if (kind === "selection") {
        const selections = editor?.selections.filter((s) => !s.isEmpty) ?? [];
        if (!editor || selections.length === 0) {
            void vscode.window.showInformationMessage(t("Select some text in an editor first, then attach it."));
            return [];
        }
        drafts = selections.map((s) => fromDocument(editor.document, "selection", s));
    } else if (kind === "file") {
        if (!editor) {
            void vscode.window.showInformationMessage(t("Open a file in the editor first, then attach it."));
            return [];
        }
        drafts = [fromDocument(editor.document, "file")];
    } else if (kind === "openEditors") {
        const uris = new Map<string, vscode.Uri>();
        for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
            if (tab.input instanceof vscode.TabInputText) uris.set(tab.input.uri.toString(), tab.input.uri);
        }
        if (uris.size === 0) {
            void vscode.window.showInformationMessage(t("No text editors are open."));
            return [];
        }
        for (const uri of uris.values()) {
            const doc = await openText(uri);
            if (doc) drafts.push(fromDocument(doc, "openEditor"));
        }
    } else {
        const uri = await pickWorkspaceFile();
        if (!uri) return [];
        const doc = await openText(uri);
        if (!doc) return [];
        drafts = [fromDocument(doc, "file")];
    }
    return counted(drafts, backend);
}

/** A file attached by its address (a workspace file, a file dropped or named by another feature). */
export async function fileAttachment(uri: vscode.Uri, backend: LlmBackend): Promise<Attachment | undefined> {
    const doc = await openText(uri);
    return doc ? (await counted([fromDocument(doc, "file")], backend))[0] : undefined;
}

/** The active file as an automatic attachment ("what does this file do"), or undefined when there is none. */
export async function currentFileAttachment(tracker: EditorTracker, backend: LlmBackend): Promise<Attachment | undefined> {
    const editor = tracker.editor;
    if (!editor) return undefined;
    const [attachment] = await counted([fromDocument(editor.document, "file")], backend);
    return { ...attachment!, auto: true };
}

async function openText(uri: vscode.Uri): Promise<vscode.TextDocument | undefined> {
    const name = vscode.workspace.asRelativePath(uri);
    try {
        // Refused before VS Code opens it: a file too large to be worth reading, or one that is not text.
        const size = (await vscode.workspace.fs.stat(uri)).size;
        if (size > MAX_ATTACHMENT_FILE_BYTES) {
            void vscode.window.showWarningMessage(vscode.l10n.t("Hearth can't attach {0}: it is {1}, and Hearth reads files up to {2}. Attach a selection from it instead.",
                name, formatBytes(size), formatBytes(MAX_ATTACHMENT_FILE_BYTES)));
            return undefined;
        }
        if (uri.scheme === "file" && await looksBinary(uri.fsPath)) {
            void vscode.window.showWarningMessage(vscode.l10n.t("Hearth can't attach {0}: it is a binary file, not text.", name));
            return undefined;
        }
        return await vscode.workspace.openTextDocument(uri);
    } catch (err) {
        void vscode.window.showWarningMessage(vscode.l10n.t("Hearth can't attach {0}: {1}", name, errorText(err)));
        return undefined;
    }
}

/** A NUL byte in the first 8 KB: how git and VS Code tell binary files from text. */
async function looksBinary(file: string): Promise<boolean> {
    const handle = await fs.open(file, "r");
    try {
        const buf = Buffer.alloc(8192);
        const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
        return buf.subarray(0, bytesRead).includes(0);
    } finally {
        await handle.close();
    }
}

async function pickWorkspaceFile(): Promise<vscode.Uri | undefined> {
    if (!vscode.workspace.workspaceFolders?.length) {
        void vscode.window.showInformationMessage(vscode.l10n.t("Open a folder first to attach files from the workspace."));
        return undefined;
    }
    const files = await vscode.workspace.findFiles("**/*", EXCLUDE, 5000);
    const items = files.map((uri) => workspaceFileItem(uri)).sort((a, b) => a.label.localeCompare(b.label));
    const picked = await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t("Attach a file to the chat"),
        placeHolder: vscode.l10n.t("Type to search the workspace"),
        matchOnDescription: true,
    });
    return picked?.uri;
}

/**
 * A row of the #file picker: the file name, and its workspace-relative path (never the absolute one: a file at the
 * root of the folder gave asRelativePath(dirname) the folder itself, which came back absolute).
 */
export function workspaceFileItem(uri: vscode.Uri): vscode.QuickPickItem & { uri: vscode.Uri } {
    const relative = vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
    return { label: path.basename(uri.fsPath), description: relative, uri };
}
