/**
 * Hearth: Explain Error — explains a selected error message or stack trace (editor, output, terminal via the
 * clipboard, or the clipboard itself) in the chat panel, with the workspace code its file:line frames point at.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { buildExplainErrorPrompt, explainErrorSummary, lineWindow, snippetText, type ResolvedSnippet } from "../core/explain/explainPrompts";
import { newId } from "../core/chat/chatModel";
import type { Attachment } from "../protocol/conversation";
import { extractFileReferences, isLibraryPath, javaRelativePath, type FileReference } from "../core/explain/stackTrace";
import { handleEngineError } from "../backend/errorActions";
import type { ChatApi, ChatTurnRequest, HearthServices } from "../services";

export interface ExplainErrorArgs {
    /** The error text (tests, other features); otherwise taken from the selection or the clipboard. */
    text?: string;
    /** Set by the terminal keybinding: copy the terminal's selection first. */
    fromTerminal?: boolean;
    /** Ask in the chat that is open (the user asked there); otherwise the explanation starts its own chat. */
    inCurrentChat?: boolean;
}

export interface ExplainErrorResult extends ChatTurnRequest {
    /** Workspace files (relative path:line) whose code went into the prompt. */
    references: string[];
}

/** Frames resolved into snippets, at most; the first user frames are the informative ones. */
const MAX_SNIPPETS = 4;
const SNIPPET_RADIUS = 8;
const EXCLUDE = "{**/node_modules/**,**/.git/**,**/target/**,**/dist/**,**/out/**,**/build/**,**/.venv/**,**/venv/**}";

export async function explainError(chat: ChatApi, services: HearthServices, args: ExplainErrorArgs = {}): Promise<ExplainErrorResult | undefined> {
    const text = (await errorText(args))?.trim();
    if (!text) return undefined;
    const snippets = await resolveSnippets(extractFileReferences(text));
    const references = snippets.map((s) => `${s.fileName}:${s.line}`);
    const request: ExplainErrorResult = {
        prompt: buildExplainErrorPrompt(text, snippets.length),
        displayText: vscode.l10n.t("Explain error: {0}", explainErrorSummary(text, references[0])),
        attachments: snippets.map(snippetAttachment),
        thread: args.inCurrentChat ? "current" : "new",
        references,
    };
    services.log.info(`explain error: ${request.references.length} workspace location(s) resolved`);
    try {
        await chat.ask({ prompt: request.prompt, displayText: request.displayText, attachments: request.attachments, thread: request.thread });
    } catch (err) {
        void handleEngineError(err);
    }
    return request;
}

/** A resolved trace location as a chip on the chat message ("handlers.py:7"); the text is the numbered code. */
function snippetAttachment(s: ResolvedSnippet & { uri?: string }): Attachment {
    const text = snippetText(s);
    return {
        id: newId("att"), kind: "selection", label: `${path.posix.basename(s.fileName)}:${s.line}`, path: s.fileName,
        languageId: s.languageId, text, tokens: Math.ceil(text.length / 3.5), estimated: true, uri: s.uri,
    };
}

async function errorText(args: ExplainErrorArgs): Promise<string | undefined> {
    if (args.text) return args.text;
    if (args.fromTerminal) {
        await vscode.commands.executeCommand("workbench.action.terminal.copySelection");
        return vscode.env.clipboard.readText();
    }
    const editor = vscode.window.activeTextEditor;
    if (editor && !editor.selection.isEmpty) return editor.document.getText(editor.selection);
    const clipboard = await vscode.env.clipboard.readText();
    if (clipboard.trim()) return clipboard;
    return vscode.window.showInputBox({
        title: vscode.l10n.t("Hearth: Explain Error"),
        prompt: vscode.l10n.t("Paste the error message or stack trace (or select it in an editor, or copy it, and run the command again)."),
        ignoreFocusOut: true,
    });
}

async function resolveSnippets(refs: FileReference[]): Promise<(ResolvedSnippet & { uri?: string })[]> {
    const out: (ResolvedSnippet & { uri?: string })[] = [];
    const seen = new Set<string>();
    for (const ref of refs) {
        if (out.length >= MAX_SNIPPETS) break;
        if (isLibraryPath(ref.path)) continue;
        const uri = await resolveInWorkspace(ref);
        if (!uri) continue;
        const key = `${uri.toString()}:${ref.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        try {
            const document = await vscode.workspace.openTextDocument(uri);
            if (ref.line > document.lineCount) continue;
            const w = lineWindow(ref.line - 1, document.lineCount, SNIPPET_RADIUS);
            const range = new vscode.Range(w.start, 0, w.end, document.lineAt(w.end).text.length);
            out.push({
                fileName: vscode.workspace.asRelativePath(uri, false),
                languageId: document.languageId,
                code: document.getText(range).replace(/\r\n/g, "\n"),
                startLine: w.start + 1,
                line: ref.line,
                uri: uri.scheme === "file" ? uri.toString() : undefined,
            });
        } catch {
            // Unreadable (binary, permissions): the trace text alone still goes to the model.
        }
    }
    return out;
}

/** A trace path as a file inside one of the workspace folders, or undefined (outside files are never read). */
async function resolveInWorkspace(ref: FileReference): Promise<vscode.Uri | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) return undefined;
    const p = ref.path.replace(/\\/g, "/");
    if (path.isAbsolute(p) || /^[A-Za-z]:\//.test(p)) {
        const uri = vscode.Uri.file(p);
        const inside = folders.some((f) => {
            const rel = path.relative(f.uri.fsPath, uri.fsPath);
            return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
        });
        if (inside && (await exists(uri))) return uri;
        // Traces from containers or CI carry other roots: fall back to the path's tail below.
    } else {
        for (const f of folders) {
            const uri = vscode.Uri.joinPath(f.uri, p.replace(/^\.\//, ""));
            if (await exists(uri)) return uri;
        }
    }
    const tail = ref.format === "java" ? javaRelativePath(ref) ?? p : p.replace(/^(?:[A-Za-z]:)?\/+/, "").replace(/^(?:\.\.?\/)+/, "");
    const segments = tail.split("/");
    // Try the longest tail first (most specific), down to the bare file name.
    for (let i = Math.max(0, segments.length - 4); i < segments.length; i++) {
        const pattern = `**/${segments.slice(i).join("/")}`;
        const found = await vscode.workspace.findFiles(pattern, EXCLUDE, 2);
        if (found.length === 1) return found[0];
        if (found.length > 1) return undefined; // ambiguous: better no snippet than the wrong file
    }
    return undefined;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
    try {
        const stat = await vscode.workspace.fs.stat(uri);
        return stat.type === vscode.FileType.File;
    } catch {
        return false;
    }
}
