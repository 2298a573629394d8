/**
 * Shared diff review: propose an edit, let the user Accept, Reject or Refine it, apply it as ONE WorkspaceEdit.
 * Used by Polish, Fix with Hearth and the chat's "Apply to Selection".
 *
 * API
 *   const review = services.review;                      // one per extension (extension.ts); registers the hearth.review.* commands
 *   const session = review.proposeEdit({
 *       document, range, originalText,                   // what would be replaced (originalText = document.getText(range))
 *       newText,                                         // the proposal; omit it to stream: session.showPartial(...)
 *       title,                                           // diff editor title
 *       refine: async (instruction, lastVersion, stream) => newVersion | undefined,   // optional
 *   });
 *   session.showPartial(text, status?)   while the model writes (the diff updates live)
 *   session.setVersion(text, note?)      the finished proposal (Accept becomes possible)
 *   session.fail(message)                generation failed: closes the review, nothing applied
 *   session.signal                       aborted when the user rejects while generating: stop the model
 *   await session.outcome                "accepted" | "rejected" | "stale" | "cancelled"
 *
 * Where the user decides: editor-title buttons on the diff (Accept, Reject, Refine, Previous/Next version, shown
 * when the context key hearth.reviewActive is set), a status-bar item opening a quick pick, the command palette,
 * and keybindings. Commands for tests and other features: hearth.review.accept / reject / refine({instruction}) /
 * previous / next / state.
 *
 * Safety: the target range is tracked through the user's edits; Accept refuses (outcome "stale") when the
 * original text was edited meanwhile, and never applies anything the user did not accept.
 */
import * as vscode from "vscode";
import { DisposableStore } from "../core/disposables";
import { TEST_BUILD, testHooksEnabled } from "../core/testHooks";
import { checkUnchanged, trackChanges, type TrackResult } from "../core/polish/trackedRange";
import { closeDiffTabs, ReviewDocuments } from "./reviewDocuments";
import { ReviewSession, type ProposeEditOptions, type ReviewOutcome, type ReviewSnapshot } from "./reviewSession";

export type { ProposeEditOptions, RefineHandler, ReviewOutcome, ReviewSnapshot, ReviewStream } from "./reviewSession";

const CTX_ACTIVE = "hearth.reviewActive";
const CTX_READY = "hearth.reviewReady";
const CTX_HAS_PREVIOUS = "hearth.reviewHasPrevious";
const CTX_HAS_NEXT = "hearth.reviewHasNext";

export class ReviewService implements vscode.Disposable {
    private readonly documents = new ReviewDocuments();
    private readonly statusItem = vscode.window.createStatusBarItem("hearth.review", vscode.StatusBarAlignment.Left, 1000);
    private readonly disposables = new DisposableStore();
    private current: ReviewSession | undefined;
    private tracked: TrackResult | undefined;
    private nextId = 1;

    constructor(private readonly log: vscode.LogOutputChannel) {
        this.statusItem.name = vscode.l10n.t("Hearth Review");
        this.statusItem.command = "hearth.review.showActions";
        this.disposables.add(
            this.documents,
            this.statusItem,
            vscode.commands.registerCommand("hearth.review.accept", () => this.accept()),
            vscode.commands.registerCommand("hearth.review.reject", () => this.reject()),
            vscode.commands.registerCommand("hearth.review.refine", (args?: { instruction?: string }) => this.refine(args?.instruction)),
            vscode.commands.registerCommand("hearth.review.previous", () => this.step(-1)),
            vscode.commands.registerCommand("hearth.review.next", () => this.step(1)),
            vscode.commands.registerCommand("hearth.review.showActions", () => this.showActions()),
            vscode.workspace.onDidChangeTextDocument((e) => this.onDocumentChanged(e)),
            vscode.window.tabGroups.onDidChangeTabs((e) => this.onTabsChanged(e.closed)),
        );
        // For in-host tests only, never in the shipped extension (src/core/testHooks.ts).
        if (TEST_BUILD && testHooksEnabled()) {
            this.disposables.add(vscode.commands.registerCommand("hearth.review.state", (): ReviewSnapshot | undefined => this.current?.snapshot()));
        }
    }

    /** Opens a review of replacing `range` with a proposal (streamed or given). Supersedes an open review. */
    proposeEdit(options: ProposeEditOptions): ReviewSession {
        this.current?.finish("rejected");
        const id = this.nextId++;
        const uris = this.documents.urisFor(id, options.document);
        const session = new ReviewSession(id, options, uris, this.documents, () => this.onSessionChanged(session));
        this.current = session;
        this.tracked = {
            kind: "moved",
            range: { start: options.document.offsetAt(options.range.start), end: options.document.offsetAt(options.range.end) },
        };
        void session.outcome.then(() => this.onSessionFinished(session));
        void vscode.commands.executeCommand("vscode.diff", uris.original, uris.proposed, options.title, { preview: false });
        this.onSessionChanged(session);
        if (options.newText !== undefined) session.setVersion(options.newText);
        return session;
    }

    get active(): ReviewSession | undefined {
        return this.current;
    }

    async accept(): Promise<ReviewOutcome | undefined> {
        const session = this.current;
        if (!session) return undefined;
        if (session.busy) {
            void vscode.window.showInformationMessage(vscode.l10n.t("Hearth is still writing the proposal. Wait for it to finish, or Reject to stop."));
            return undefined;
        }
        const document = session.options.document;
        const tracked = document.isClosed ? undefined : this.tracked;
        const range = tracked?.kind === "moved"
            ? new vscode.Range(document.positionAt(tracked.range.start), document.positionAt(tracked.range.end))
            : undefined;
        const check = checkUnchanged(tracked, range ? document.getText(range) : undefined, session.options.originalText);
        if (!check.ok || !range) {
            session.finish("stale");
            void vscode.window.showWarningMessage(check.ok || check.reason !== "closed"
                ? vscode.l10n.t("The text changed since Hearth proposed this edit, so nothing was applied. Run it again on the current text.")
                : vscode.l10n.t("The document was closed, so Hearth applied nothing."));
            return "stale";
        }
        const text = session.text;
        if (text !== session.options.originalText) {
            const edit = new vscode.WorkspaceEdit();
            edit.replace(document.uri, range, text);
            const applied = await vscode.workspace.applyEdit(edit);
            if (!applied) {
                session.finish("stale");
                void vscode.window.showErrorMessage(vscode.l10n.t("VS Code could not apply the edit (is the file read-only?). Nothing was changed."));
                return "stale";
            }
        }
        session.finish("accepted");
        const editor = await vscode.window.showTextDocument(document, { preview: false });
        const end = document.positionAt(document.offsetAt(range.start) + text.length);
        editor.selection = new vscode.Selection(range.start, end);
        return "accepted";
    }

    reject(): ReviewOutcome | undefined {
        const session = this.current;
        if (!session) return undefined;
        // Rejecting while the model writes stops it; nothing was applied either way.
        const outcome: ReviewOutcome = session.generating ? "cancelled" : "rejected";
        session.finish(outcome);
        return outcome;
    }

    async refine(instruction?: string): Promise<boolean> {
        const session = this.current;
        if (!session?.canRefine || session.busy) return false;
        const text = instruction ?? await vscode.window.showInputBox({
            title: vscode.l10n.t("Refine the proposal"),
            prompt: vscode.l10n.t("How should Hearth change this version?"),
            placeHolder: vscode.l10n.t("e.g. make it shorter"),
            ignoreFocusOut: true,
        });
        if (!text?.trim()) return false;
        return session.refine(text.trim());
    }

    step(delta: number): boolean {
        return this.current?.step(delta) ?? false;
    }

    async showActions(): Promise<void> {
        const session = this.current;
        if (!session) return;
        type Item = vscode.QuickPickItem & { run: () => unknown };
        const items: Item[] = [];
        if (!session.busy) items.push({ label: `$(check) ${vscode.l10n.t("Accept")}`, run: () => this.accept() });
        items.push({ label: `$(close) ${session.generating ? vscode.l10n.t("Stop and Discard") : vscode.l10n.t("Reject")}`, run: () => this.reject() });
        if (session.canRefine && !session.busy) items.push({ label: `$(edit) ${vscode.l10n.t("Refine…")}`, run: () => this.refine() });
        if (session.hasPrevious && !session.busy) items.push({ label: `$(arrow-left) ${vscode.l10n.t("Previous Version")}`, run: () => this.step(-1) });
        if (session.hasNext && !session.busy) items.push({ label: `$(arrow-right) ${vscode.l10n.t("Next Version")}`, run: () => this.step(1) });
        const pick = await vscode.window.showQuickPick(items, { title: session.options.title, placeHolder: session.status });
        await pick?.run();
    }

    private onDocumentChanged(e: vscode.TextDocumentChangeEvent): void {
        const session = this.current;
        if (!session || !this.tracked || e.document !== session.options.document || e.contentChanges.length === 0) return;
        if (this.tracked.kind === "overlap") return;
        this.tracked = trackChanges(this.tracked.range, e.contentChanges.map((c) => ({
            rangeOffset: c.rangeOffset, rangeLength: c.rangeLength, textLength: c.text.length,
        })));
        if (this.tracked.kind === "overlap") {
            session.setStatus(vscode.l10n.t("The selected text was edited; Accept will not apply this proposal."));
        }
    }

    /** Closing the review's diff tab is a Reject (and stops the model if it is still writing). */
    private onTabsChanged(closed: readonly vscode.Tab[]): void {
        const session = this.current;
        if (!session || closed.length === 0) return;
        const key = session.uris.proposed.toString();
        const shows = (t: vscode.Tab) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === key;
        if (!closed.some(shows)) return;
        if (vscode.window.tabGroups.all.some((g) => g.tabs.some(shows))) return;
        this.reject();
    }

    private onSessionChanged(session: ReviewSession): void {
        if (session !== this.current) return;
        const s = session.snapshot();
        void vscode.commands.executeCommand("setContext", CTX_ACTIVE, true);
        void vscode.commands.executeCommand("setContext", CTX_READY, !session.busy);
        void vscode.commands.executeCommand("setContext", CTX_HAS_PREVIOUS, session.hasPrevious && !session.busy);
        void vscode.commands.executeCommand("setContext", CTX_HAS_NEXT, session.hasNext && !session.busy);
        this.statusItem.text = session.busy
            ? `$(sync~spin) ${s.status || vscode.l10n.t("Hearth is writing…")}`
            : `$(git-compare) ${vscode.l10n.t("Hearth: review edit ({0} of {1})", s.index + 1, s.versions)}`;
        this.statusItem.tooltip = session.busy
            ? vscode.l10n.t("Click to stop")
            : vscode.l10n.t("Accept, Reject or Refine the proposed edit");
        this.statusItem.show();
    }

    private onSessionFinished(session: ReviewSession): void {
        void closeDiffTabs(session.uris.proposed).finally(() => {
            this.documents.forget(session.uris.original);
            this.documents.forget(session.uris.proposed);
        });
        if (session !== this.current) return;
        this.current = undefined;
        this.tracked = undefined;
        for (const key of [CTX_ACTIVE, CTX_READY, CTX_HAS_PREVIOUS, CTX_HAS_NEXT]) {
            void vscode.commands.executeCommand("setContext", key, false);
        }
        this.statusItem.hide();
        this.log.info(`review ${session.id} finished: ${session.outcomeValue}`);
    }

    dispose(): void {
        this.current?.finish("cancelled");
        this.disposables.dispose();
    }
}
