/**
 * Read-only virtual documents behind a review's diff editor: the left side is the document as it was when the
 * edit was proposed, the right side the same text with the proposal in place. The right side updates while the
 * model is still writing, so the diff streams.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { reviewDocumentPath } from "../core/reviewLanguages";

export const REVIEW_SCHEME = "hearth-review";

/** How often a streaming proposal may refresh the diff editor (each refresh re-diffs the whole file). */
const REFRESH_MS = 120;

export class ReviewDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly contents = new Map<string, string>();
    private readonly pendingRefresh = new Map<string, ReturnType<typeof setTimeout>>();
    private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.emitter.event;
    private readonly registration: vscode.Disposable;

    constructor() {
        this.registration = vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, this);
    }

    /**
     * URIs for review `id` of `document`. The file name keeps its extension so the diff gets syntax colouring; for
     * languages whose servers would check the proposal, the path names a Hearth proposal language instead (same
     * colours, no diagnostics: src/core/reviewLanguages.ts).
     */
    urisFor(id: number, document: vscode.TextDocument): { original: vscode.Uri; proposed: vscode.Uri } {
        const name = path.basename(document.uri.path) || "untitled.txt";
        return {
            original: vscode.Uri.from({ scheme: REVIEW_SCHEME, path: reviewDocumentPath(id, "original", name, document.languageId) }),
            proposed: vscode.Uri.from({ scheme: REVIEW_SCHEME, path: reviewDocumentPath(id, "proposed", name, document.languageId) }),
        };
    }

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.contents.get(uri.toString()) ?? "";
    }

    set(uri: vscode.Uri, text: string, immediate = true): void {
        const key = uri.toString();
        if (this.contents.get(key) === text) return;
        this.contents.set(key, text);
        if (immediate) {
            this.flush(key, uri);
        } else if (!this.pendingRefresh.has(key)) {
            this.pendingRefresh.set(key, setTimeout(() => this.flush(key, uri), REFRESH_MS));
        }
    }

    get(uri: vscode.Uri): string | undefined {
        return this.contents.get(uri.toString());
    }

    forget(uri: vscode.Uri): void {
        const key = uri.toString();
        const timer = this.pendingRefresh.get(key);
        if (timer) clearTimeout(timer);
        this.pendingRefresh.delete(key);
        this.contents.delete(key);
    }

    private flush(key: string, uri: vscode.Uri): void {
        const timer = this.pendingRefresh.get(key);
        if (timer) clearTimeout(timer);
        this.pendingRefresh.delete(key);
        this.emitter.fire(uri);
    }

    dispose(): void {
        for (const t of this.pendingRefresh.values()) clearTimeout(t);
        this.pendingRefresh.clear();
        this.contents.clear();
        this.emitter.dispose();
        this.registration.dispose();
    }
}

/** Closes every tab showing the diff whose right side is `proposed`. */
export async function closeDiffTabs(proposed: vscode.Uri): Promise<void> {
    const key = proposed.toString();
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) =>
        (t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === key)
        || (t.input instanceof vscode.TabInputText && t.input.uri.toString() === key));
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}
