/**
 * Collects the extra context placed ahead of the FIM prefix: a snippet of each file the user worked in (taken
 * around the cursor when they leave it, or around their last edit there) and the definition of the symbol before
 * `.` or `(` at the cursor when it lives in another file. Everything goes into a SnippetRing, which only changes
 * when a file is left, edited elsewhere or a new definition is found, never on a keystroke in the current file.
 */
import * as vscode from "vscode";
import { DisposableStore } from "../core/disposables";
import { SnippetRing, snippetAround } from "../core/completion/snippetRing";
import type { ContextSnippet } from "../core/completion/promptLayout";
import { documentLength } from "./documentWindow";

const SNIPPET_LINES = 40;
const DEFINITION_LINES = 16;
const DEFINITION_TIMEOUT_MS = 500;
const DEFINITION_RETRY_MS = 3000;
/** Skip huge or generated files: their snippet would be noise and their text costly to split. */
const MAX_FILE_CHARS = 1_000_000;

export class ContextCollector implements vscode.Disposable {
    readonly ring = new SnippetRing(10);
    private readonly disposables = new DisposableStore();
    private readonly lastEditLine = new Map<string, number>();
    /** Definition lookups by document and name: true = done; a number = failed at that time (retried later). */
    private readonly lookedUp = new Map<string, true | number>();
    private previous: vscode.TextEditor | undefined;

    constructor() {
        this.previous = vscode.window.activeTextEditor;
        this.disposables.add(
            vscode.window.onDidChangeActiveTextEditor((editor) => {
                if (this.previous && this.previous !== editor) this.capture(this.previous.document, this.previous.selection.active.line);
                this.previous = editor;
            }),
            vscode.workspace.onDidChangeTextDocument((e) => {
                const change = e.contentChanges[0];
                if (!change || !isCodeDocument(e.document)) return;
                const key = e.document.uri.toString();
                this.lastEditLine.set(key, change.range.start.line);
                // Edited while not in front (rename, search and replace): refresh its snippet if it has one.
                if (vscode.window.activeTextEditor?.document !== e.document && this.ring.has(key)) this.capture(e.document, change.range.start.line);
            }),
            vscode.workspace.onDidCloseTextDocument((d) => this.lastEditLine.delete(d.uri.toString())),
        );
    }

    /** Snippets for a request in `document` (its own snippet left out: its text is in the prefix and suffix). */
    snippetsFor(document: vscode.TextDocument): ContextSnippet[] {
        return this.ring.snippets(document.uri.toString());
    }

    private capture(document: vscode.TextDocument, cursorLine: number): void {
        if (!isCodeDocument(document) || document.isClosed || documentLength(document) > MAX_FILE_CHARS) return;
        const key = document.uri.toString();
        const line = this.lastEditLine.get(key) ?? cursorLine;
        this.ring.upsert(key, vscode.workspace.asRelativePath(document.uri), snippetAround(document.getText(), line, SNIPPET_LINES));
    }

    /**
     * After `name.` or `name(`: look the definition of `name` up once (in the background, so this keystroke's
     * request does not wait) and add it to the ring when it is in another file.
     */
    noteSymbolAtCursor(document: vscode.TextDocument, position: vscode.Position): void {
        const linePrefix = document.lineAt(position.line).text.slice(0, position.character);
        const match = /([A-Za-z_$][\w$]*)\s*[.(]$/.exec(linePrefix);
        if (!match) return;
        const name = match[1]!;
        const lookupKey = `${document.uri.toString()}#${name}`;
        const previous = this.lookedUp.get(lookupKey);
        // A language server that is still starting answers nothing: try again a little later, not on every key.
        if (previous === true || (typeof previous === "number" && Date.now() - previous < DEFINITION_RETRY_MS)) return;
        if (this.lookedUp.size > 500) this.lookedUp.clear();
        this.lookedUp.set(lookupKey, Date.now());
        const at = new vscode.Position(position.line, match.index + 1);
        void this.addDefinition(document, at, name).then((found) => {
            if (found) this.lookedUp.set(lookupKey, true);
        });
    }

    /** Labels of the snippets a request in `document` would get (diagnostics and in-host tests). */
    labelsFor(document: vscode.TextDocument): string[] {
        return this.snippetsFor(document).map((s) => s.label);
    }

    /** Resolves true when the lookup got an answer (even one in the same file, which needs no snippet). */
    private async addDefinition(document: vscode.TextDocument, at: vscode.Position, name: string): Promise<boolean> {
        try {
            const found = await Promise.race([
                vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>("vscode.executeDefinitionProvider", document.uri, at),
                new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), DEFINITION_TIMEOUT_MS)),
            ]);
            const first = found?.[0];
            if (!first) return false;
            const uri = "targetUri" in first ? first.targetUri : first.uri;
            const range = "targetUri" in first ? first.targetRange : first.range;
            if (uri.toString() === document.uri.toString()) return true;
            const target = await vscode.workspace.openTextDocument(uri);
            if (documentLength(target) > MAX_FILE_CHARS) return true;
            const start = Math.max(0, range.start.line - 2);
            const text = snippetAround(target.getText(), start + DEFINITION_LINES / 2, DEFINITION_LINES);
            this.ring.upsert(`def:${uri.toString()}:${range.start.line}`, `${vscode.workspace.asRelativePath(uri)} (${name})`, text);
            return true;
        } catch {
            // No definition provider for this language, or it failed: the context is a nicety, not a requirement.
            return false;
        }
    }

    dispose(): void {
        this.disposables.dispose();
    }
}

/** Real files and untitled editors; not output panes, settings UIs or git's virtual documents. */
export function isCodeDocument(document: vscode.TextDocument): boolean {
    return document.uri.scheme === "file" || document.uri.scheme === "untitled" || document.uri.scheme === "vscode-remote"
        || document.uri.scheme === "vscode-userdata" || document.uri.scheme === "vscode-notebook-cell";
}
