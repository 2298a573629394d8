/**
 * A review's documents add no problems: Fix with Hearth on a TypeScript error opens the proposal in the Hearth
 * proposal language (TypeScript's colours, no language server), so the Problems panel keeps only the file's own
 * problems. Before, TypeScript checked the read-only proposal as an in-memory file and reported every unresolved
 * import in it ("broken.ts /1/proposed": 1 → 136 problems until Reject).
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { FixOutcome } from "../../../src/explain/diagnosticActions";
import { hearthApi, waitFor, workspaceFile } from "../helpers";

describe("review documents and language servers", function () {
    this.timeout(180_000);

    after(async () => {
        if (await vscode.commands.executeCommand("hearth.review.state")) await vscode.commands.executeCommand("hearth.review.reject");
        await vscode.commands.executeCommand("workbench.action.files.revert");
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    it("Fix with Hearth on a TypeScript error adds no problems while the proposal is open", async () => {
        await (await hearthApi()).backend.ready();
        const document = await vscode.workspace.openTextDocument(workspaceFile("broken.mts"));
        await vscode.window.showTextDocument(document, { preview: false });
        // TypeScript's own problems in the file: proof that its server runs here and checks what is open.
        const own = await waitFor("TypeScript's diagnostics on broken.mts",
            () => { const d = vscode.languages.getDiagnostics(document.uri); return d.length >= 2 ? d : undefined; }, 90_000);
        const target = own.find((d) => /not assignable/.test(d.message)) ?? own[0]!;

        const outcome = await vscode.commands.executeCommand<FixOutcome>("hearth.fixDiagnostic", document.uri, target);
        assert.ok(outcome.status === "ready" || outcome.status === "error", JSON.stringify(outcome));
        const reviewDocs = () => vscode.workspace.textDocuments.filter((d) => d.uri.scheme === "hearth-review");
        await waitFor("the review's documents", () => reviewDocs().length >= 2, 30_000);
        assert.deepEqual([...new Set(reviewDocs().map((d) => d.languageId))], ["hearth-proposed-typescript"]);

        // One more error in the real file: once TypeScript has answered for it, it has also had the review's
        // documents in hand if it were checking them.
        const before = vscode.languages.getDiagnostics(document.uri).length;
        const edit = new vscode.WorkspaceEdit();
        edit.insert(document.uri, document.lineAt(document.lineCount - 1).range.end, "\nconst another: number = \"x\";\n");
        assert.ok(await vscode.workspace.applyEdit(edit));
        await waitFor("TypeScript to check the edited file", () => vscode.languages.getDiagnostics(document.uri).length > before, 60_000);
        const foreign = vscode.languages.getDiagnostics().filter(([uri, d]) => uri.scheme === "hearth-review" && d.length > 0);
        assert.deepEqual(foreign.map(([uri, d]) => `${uri.toString()}: ${d.length}`), []);
    });
});
