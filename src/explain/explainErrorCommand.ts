/**
 * Hearth: Explain Error — explains a selected error message or stack trace (editor, output, terminal via the
 * clipboard, or the clipboard itself) in the chat panel, with the workspace code its file:line frames point at.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { buildExplainErrorPrompt, explainErrorDisplayText, lineWindow, type ResolvedSnippet } from "../core/explain/explainPrompts";
import { extractFileReferences, isLibraryPath, javaRelativePath, type FileReference } from "../core/explain/stackTrace";
import { handleEngineError } from "../backend/errorActions";
import type { ChatApi, ChatTurnRequest, HearthServices } from "../services";

export interface ExplainErrorArgs {
    /** The error text (tests, other features); otherwise taken from the selection or the clipboard. */
    text?: string;
    /** Set by the terminal keybinding: copy the terminal's selection first. */
    fromTerminal?: boolean;
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
    const request: ExplainErrorResult = {
        prompt: buildExplainErrorPrompt(text, snippets),
        displayText: explainErrorDisplayText(text),
        references: snippets.map((s) => `${s.fileName}:${s.line}`),
    };
    services.log.info(`explain error: ${request.references.length} workspace location(s) resolved`);
    try {
        await chat.ask({ prompt: request.prompt, displayText: request.displayText });
    } catch (err) {
        void handleEngineError(err);
    }
    return request;
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

async function resolveSnippets(refs: FileReference[]): Promise<ResolvedSnippet[]> {
    const out: ResolvedSnippet[] = [];
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
