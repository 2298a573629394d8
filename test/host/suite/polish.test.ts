/**
 * Polish Selection end to end in the real extension host: the real engine on the fixture model, the diff review,
 * Accept as one undo step, Refine with Previous version, cancel leaving the file byte-identical, and the stale
 * check refusing to clobber the user's edits. The fixture writes children's stories whatever it is asked, so
 * these tests check mechanics, not the quality of the rewrite.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as vscode from "vscode";
import type { PolishOutcome } from "../../../src/polish/polishCommand";
import type { ReviewOutcome, ReviewSnapshot } from "../../../src/review/reviewService";
import { hearthApi, waitFor, workspaceFile } from "../helpers";

async function openWith(name: string, text: string): Promise<{ editor: vscode.TextEditor; uri: vscode.Uri }> {
    const uri = workspaceFile(name);
    fs.writeFileSync(uri.fsPath, text);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    return { editor, uri };
}

function select(editor: vscode.TextEditor, text: string): vscode.Range {
    const doc = editor.document.getText();
    const start = doc.indexOf(text);
    assert.ok(start >= 0, `"${text.slice(0, 20)}" not found`);
    const range = new vscode.Range(editor.document.positionAt(start), editor.document.positionAt(start + text.length));
    editor.selection = new vscode.Selection(range.start, range.end);
    return range;
}

/** The user typing while the review is open (the diff editor has the focus, so no TextEditor#edit). */
async function edit(document: vscode.TextDocument, build: (e: vscode.WorkspaceEdit) => void): Promise<void> {
    const e = new vscode.WorkspaceEdit();
    build(e);
    assert.ok(await vscode.workspace.applyEdit(e), "edit not applied");
    assert.ok(document.isDirty);
}

const reviewState = () => vscode.commands.executeCommand<ReviewSnapshot | undefined>("hearth.review.state");

function reviewDiffOpen(): boolean {
    return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
        .some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === "hearth-review");
}

describe("Polish Selection in the extension host", function () {
    this.timeout(120_000);

    before(async () => {
        const api = await hearthApi();
        await api.backend.ready();
    });

    afterEach(async () => {
        if (await reviewState()) await vscode.commands.executeCommand("hearth.review.reject");
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    it("streams a proposal into a diff, applies it on Accept in one undo step", async () => {
        const original = "# Trip\n\nthe cat sat on teh mat and it was very very happy.\n\nThe end.\n";
        const { editor } = await openWith("polish-accept.md", original);
        const paragraph = "the cat sat on teh mat and it was very very happy.";
        select(editor, paragraph);

        const outcome = await vscode.commands.executeCommand<PolishOutcome>("hearth.polish.shorter");
        assert.equal(outcome.status, "ready", JSON.stringify(outcome));
        if (outcome.status !== "ready") return;
        assert.ok(outcome.text.trim().length > 0);
        await waitFor("the review diff to open", reviewDiffOpen);
        const state = await reviewState();
        assert.ok(state && !state.busy && state.text === outcome.text, JSON.stringify(state));
        assert.equal(editor.document.getText(), original, "the document changed before Accept");

        const accepted = await vscode.commands.executeCommand<ReviewOutcome>("hearth.review.accept");
        assert.equal(accepted, "accepted");
        const document = editor.document;
        assert.equal(document.getText(), original.replace(paragraph, outcome.text));
        await waitFor("the review diff to close", () => !reviewDiffOpen());
        assert.equal(await reviewState(), undefined);

        await vscode.window.showTextDocument(document, { preview: false });
        await vscode.commands.executeCommand("undo");
        assert.equal(document.getText(), original, "one undo did not restore the original exactly");
    });

    it("refines the last version, keeps the chain and steps back to the previous version", async () => {
        const original = "Lily had a red ball. She played with it in the park every day.";
        const { editor } = await openWith("polish-refine.txt", original);
        select(editor, original);
        const first = await vscode.commands.executeCommand<PolishOutcome>("hearth.polish.formal");
        assert.equal(first.status, "ready");
        if (first.status !== "ready") return;

        const refined = await vscode.commands.executeCommand<boolean>("hearth.review.refine", { instruction: "make it shorter" });
        assert.equal(refined, true);
        let state = await reviewState();
        assert.ok(state, "review closed after refine");
        assert.equal(state.versions, 2);
        assert.equal(state.index, 1);

        assert.equal(await vscode.commands.executeCommand("hearth.review.previous"), true);
        state = await reviewState();
        assert.equal(state?.index, 0);
        assert.equal(state?.text, first.text, "Previous did not bring back the first version");

        assert.equal(await vscode.commands.executeCommand("hearth.review.reject"), "rejected");
        assert.equal(editor.document.getText(), original, "Reject changed the document");
    });

    it("cancelling mid-way leaves the file byte-identical (CRLF file, long selection in parts)", async () => {
        const paragraph = "Tom and Lily went to the park to play with a big red ball. They ran and laughed all day long.";
        const original = `Title\r\n\r\n${Array.from({ length: 10 }, (_, i) => `${i + 1}. ${paragraph}`).join("\r\n\r\n")}\r\n`;
        const { editor, uri } = await openWith("polish-cancel.txt", original);
        const bytesBefore = fs.readFileSync(uri.fsPath);
        select(editor, original.slice("Title\r\n\r\n".length));

        const running = vscode.commands.executeCommand<PolishOutcome>("hearth.polish.custom", { instruction: "Rewrite it as a poem." });
        const streaming = await waitFor("the proposal to start streaming", async () => {
            const s = await reviewState();
            return s?.busy && s.text !== editor.document.getText(editor.selection) ? s : undefined;
        }, 60_000);
        assert.ok(streaming.busy);
        assert.equal(await vscode.commands.executeCommand("hearth.review.reject"), "cancelled");
        const outcome = await running;
        assert.equal(outcome.status, "cancelled");

        assert.equal(editor.document.getText(), original);
        assert.equal(editor.document.isDirty, false, "the document was modified");
        assert.ok(fs.readFileSync(uri.fsPath).equals(bytesBefore), "the file on disk changed");
        assert.equal(await reviewState(), undefined);
    });

    it("closing the review's diff tab rejects the proposal", async () => {
        const original = "Ben saw a big dog. The dog was kind.";
        const { editor } = await openWith("polish-close.txt", original);
        select(editor, original);
        assert.equal((await vscode.commands.executeCommand<PolishOutcome>("hearth.polish.casual")).status, "ready");
        // The diff opens asynchronously (vscode.diff is not awaited by the review); on a slow machine the tiny
        // model can finish before the tab exists, so wait for it rather than reading the tabs at once.
        const reviewTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
            .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === "hearth-review");
        await waitFor("the review's diff tab to open", async () => reviewTabs().length > 0);
        const diffTabs = reviewTabs();
        assert.equal(diffTabs.length, 1);
        await vscode.window.tabGroups.close(diffTabs);
        await waitFor("the review to end", async () => (await reviewState()) === undefined);
        assert.equal(editor.document.getText(), original);
    });

    it("refuses to apply when the selected text was edited during the review", async () => {
        const original = "Keep this line.\nthe dog run fast to home.\nKeep this one too.\n";
        const { editor } = await openWith("polish-stale.txt", original);
        select(editor, "the dog run fast to home.");
        const outcome = await vscode.commands.executeCommand<PolishOutcome>("hearth.polish.grammar");
        assert.equal(outcome.status, "ready");

        // An edit above the selection only moves it: still acceptable. An edit inside it makes the proposal stale.
        const document = editor.document;
        await edit(document, (e) => e.insert(document.uri, new vscode.Position(0, 0), "New first line.\n"));
        const inside = document.getText().indexOf("dog");
        await edit(document, (e) => e.replace(document.uri, new vscode.Range(document.positionAt(inside), document.positionAt(inside + 3)), "cat"));
        const edited = document.getText();

        assert.equal(await vscode.commands.executeCommand("hearth.review.accept"), "stale");
        assert.equal(document.getText(), edited, "Accept clobbered the user's edit");
        await document.save();
    });

    it("applies after an edit elsewhere moved the selection", async () => {
        const original = "Intro.\nthe dog run fast to home.\nOutro.\n";
        const { editor } = await openWith("polish-moved.txt", original);
        select(editor, "the dog run fast to home.");
        const outcome = await vscode.commands.executeCommand<PolishOutcome>("hearth.polish.grammar");
        assert.equal(outcome.status, "ready");
        if (outcome.status !== "ready") return;
        const document = editor.document;
        await edit(document, (e) => e.insert(document.uri, new vscode.Position(0, 0), "Added above.\n"));
        assert.equal(await vscode.commands.executeCommand("hearth.review.accept"), "accepted");
        assert.equal(document.getText(), `Added above.\nIntro.\n${outcome.text}\nOutro.\n`);
        await document.save();
    });
});
