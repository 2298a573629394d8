/**
 * Explain this error in the real extension host: a diagnostic gets both Hearth code actions, Explain builds a
 * chat turn with the diagnostic and its surrounding code, Fix streams a reviewed proposal through the real
 * engine, and Explain Error resolves stack-trace frames into workspace snippets.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { FixOutcome } from "../../../src/explain/diagnosticActions";
import type { ExplainErrorResult } from "../../../src/explain/explainErrorCommand";
import type { ChatTurnRequest } from "../../../src/services";
import type { ReviewSnapshot } from "../../../src/review/reviewService";
import { hearthApi, workspaceFile } from "../helpers";

describe("Explain with Hearth in the extension host", function () {
    this.timeout(120_000);
    let diagnostics: vscode.DiagnosticCollection;
    let document: vscode.TextDocument;
    let diagnostic: vscode.Diagnostic;

    before(async () => {
        await (await hearthApi()).backend.ready();
        document = await vscode.workspace.openTextDocument(workspaceFile("sample.py"));
        await vscode.window.showTextDocument(document, { preview: false });
        const line = document.getText().split("\n").findIndex((l) => l.includes("return a + b"));
        assert.ok(line >= 0, "sample.py changed: no 'return a + b'");
        diagnostic = new vscode.Diagnostic(
            new vscode.Range(line, 11, line, 16),
            'Operator "+" not supported for types "str" and "int"',
            vscode.DiagnosticSeverity.Error,
        );
        diagnostic.source = "Pylance";
        diagnostic.code = "reportOperatorIssue";
        diagnostics = vscode.languages.createDiagnosticCollection("hearth-test");
        diagnostics.set(document.uri, [diagnostic]);
    });

    after(async () => {
        diagnostics.dispose();
        if (await vscode.commands.executeCommand("hearth.review.state")) await vscode.commands.executeCommand("hearth.review.reject");
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    async function hearthActions(): Promise<vscode.CodeAction[]> {
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", document.uri, diagnostic.range);
        return actions.filter((a) => a.command?.command.startsWith("hearth."));
    }

    it("offers Explain with Hearth and Fix with Hearth as quick fixes on the diagnostic", async () => {
        const actions = await hearthActions();
        const titles = actions.map((a) => a.title);
        assert.ok(titles.includes("Explain with Hearth"), `titles: ${titles.join(", ")}`);
        assert.ok(titles.includes("Fix with Hearth"), `titles: ${titles.join(", ")}`);
        for (const a of actions) assert.equal(a.kind?.value, vscode.CodeActionKind.QuickFix.value);
    });

    it("Explain sends a chat turn with the message, source, code, language and the enclosing code", async () => {
        const explain = (await hearthActions()).find((a) => a.title === "Explain with Hearth");
        assert.ok(explain?.command);
        const request = await vscode.commands.executeCommand<ChatTurnRequest>(explain.command.command, ...(explain.command.arguments ?? []));
        assert.ok(request, "explain returned nothing");
        assert.ok(request.prompt.includes('Operator "+" not supported'));
        assert.ok(request.prompt.includes("Pylance reportOperatorIssue"));
        assert.ok(request.prompt.includes("python"));
        assert.ok(request.prompt.includes("def add(a, b):"), request.prompt);
        assert.match(request.prompt, />\s*\d+ \|\s+return a \+ b/);
        assert.match(request.displayText, /^Explain: Pylance: /);
    });

    it("Fix streams a proposal into the review, and Reject leaves the file unchanged", async () => {
        const before = document.getText();
        const fix = (await hearthActions()).find((a) => a.title === "Fix with Hearth");
        assert.ok(fix?.command);
        const outcome = await vscode.commands.executeCommand<FixOutcome>(fix.command.command, ...(fix.command.arguments ?? []));
        assert.equal(outcome.status, "ready", JSON.stringify(outcome));
        const state = await vscode.commands.executeCommand<ReviewSnapshot>("hearth.review.state");
        assert.ok(state && !state.busy && state.versions === 1, JSON.stringify(state));
        assert.equal(await vscode.commands.executeCommand("hearth.review.reject"), "rejected");
        assert.equal(document.getText(), before);
    });

    it("Explain Error resolves a Python traceback's frames into workspace snippets", async () => {
        const trace = [
            "Traceback (most recent call last):",
            '  File "/srv/deploy/app/sample.py", line 7, in add',
            "    return a + b",
            '  File "/usr/lib/python3.11/runpy.py", line 88, in _run_code',
            'TypeError: can only concatenate str (not "int") to str',
        ].join("\n");
        const result = await vscode.commands.executeCommand<ExplainErrorResult>("hearth.explainError", { text: trace });
        assert.ok(result, "explainError returned nothing");
        assert.deepEqual(result.references, ["sample.py:7"]);
        assert.ok(result.prompt.includes('The error: TypeError: can only concatenate str (not "int") to str'), result.prompt);
        assert.deepEqual(result.attachments?.map((a) => a.label), ["sample.py:7"]);
        assert.match(result.attachments![0]!.text, />\s*7 \| {5}return a \+ b/);
        assert.equal(result.displayText, 'Explain error: TypeError: can only concatenate str (not "int") to str (sample.py:7)');
    });

    it("Explain Error on a pasted traceback starts its own chat, shows the exception and the code it sent as chips", async () => {
        const { chat } = await hearthApi();
        await chat.ask({ prompt: "Say hello.", displayText: "Say hello." });
        const unrelated = chat.conversations()[0]!;
        const unrelatedMessages = unrelated.messages.length;
        assert.ok(unrelatedMessages >= 2);
        const trace = [
            "Traceback (most recent call last):",
            '  File "/home/ci/build/sample.py", line 7, in add',
            "    return a + b",
            "ZeroDivisionError: division by zero",
        ].join("\n");
        await vscode.env.clipboard.writeText(trace);
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
        // Ctrl+Alt+E with nothing selected: the command reads the clipboard.
        const result = await vscode.commands.executeCommand<ExplainErrorResult>("hearth.explainError");
        assert.ok(result, "explainError returned nothing");
        const [explained, previous] = chat.conversations();
        assert.notEqual(explained!.id, unrelated.id, "the explanation went into the open, unrelated chat");
        assert.equal(previous!.id, unrelated.id);
        assert.equal(previous!.messages.length, unrelatedMessages, "the unrelated chat changed");
        const [question, answer] = explained!.messages;
        assert.equal(explained!.messages.length, 2);
        assert.equal(question!.displayText, "Explain error: ZeroDivisionError: division by zero (sample.py:7)");
        assert.deepEqual(question!.attachments?.map((a) => [a.label, a.path]), [["sample.py:7", "sample.py"]]);
        assert.ok(question!.text.includes("The error: ZeroDivisionError: division by zero"));
        assert.ok(!answer!.promptCut, "the prompt was cut");
        assert.equal(answer!.role, "assistant");
        assert.notEqual(answer!.status, "error", answer!.error);
        const sent = chat.lastRequest()!.at(-1)!.text;
        assert.ok(sent.includes("ZeroDivisionError: division by zero"), "the error is not in what the model saw");
        assert.match(sent, /> ?7 \| {5}return a \+ b/, "the workspace code is not in what the model saw");
    });
});
