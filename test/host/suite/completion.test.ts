/**
 * Inline suggestions in the real extension host on the fixture model (stories260K with FIM tokens, so the FIM path
 * runs): the provider answers through VS Code's API, never inside a selection, honours the per-language switch
 * and the snooze, and VS Code's own inline-suggest trigger + commit (what Tab does) inserts Hearth's ghost text.
 * The fixture writes children's stories, so the documents are stories.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as vscode from "vscode";
import type { ProvideAtResult } from "../../../src/completion/registerCompletions";
import { hearthApi, waitFor, workspaceFile } from "../helpers";

const STORY = "Once upon a time, there was a little girl named Lily. She loved to play with her";

async function openWith(name: string, text: string): Promise<vscode.TextEditor> {
    const uri = workspaceFile(name);
    fs.writeFileSync(uri.fsPath, text);
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { preview: false });
}

function provideAt(editor: vscode.TextEditor, position: vscode.Position): Thenable<ProvideAtResult> {
    return vscode.commands.executeCommand<ProvideAtResult>("hearth.completions.provideAt", editor.document.uri, position);
}

function endOf(editor: vscode.TextEditor): vscode.Position {
    return editor.document.positionAt(editor.document.getText().length);
}

describe("inline suggestions in the extension host", function () {
    this.timeout(120_000);
    const config = () => vscode.workspace.getConfiguration("hearth");

    before(async () => {
        const api = await hearthApi();
        const model = await api.backend.ready();
        assert.equal(model.capabilities.fim, true, "the host fixture model has FIM tokens");
        await vscode.workspace.getConfiguration("editor").update("inlineSuggest.enabled", true, vscode.ConfigurationTarget.Global);
    });

    afterEach(async () => {
        await config().update("completions.languages", undefined, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    it("the provider gives a Hearth suggestion through the FIM path, and reuses the KV cache on the next keystroke", async () => {
        const editor = await openWith("completion-story.txt", STORY);
        const first = await provideAt(editor, endOf(editor));
        assert.ok(first.items.length === 1 && first.items[0]!.trim().length > 0, `a suggestion: ${JSON.stringify(first)}`);
        assert.equal(first.last?.kind, "infill");
        assert.ok(!first.items[0]!.includes("\n"), "prose: one line");

        // Type one character that is not what was suggested: a fresh request, most of the prompt cached.
        const other = first.items[0]!.startsWith(" x") ? " y" : " x";
        await editor.edit((b) => b.insert(endOf(editor), other));
        const second = await provideAt(editor, endOf(editor));
        assert.equal(second.last?.kind, "infill");
        assert.ok((second.last?.evaluatedPromptTokens ?? Infinity) < (second.last?.promptTokens ?? 0) / 2,
            `KV cache reused: ${second.last?.evaluatedPromptTokens} of ${second.last?.promptTokens} prompt tokens evaluated`);
    });

    it("typing through a suggestion answers from the cache", async () => {
        const editor = await openWith("completion-cache.txt", STORY);
        const first = await provideAt(editor, endOf(editor));
        const suggestion = first.items[0] ?? "";
        assert.ok(suggestion.length >= 2, `a suggestion to type through: ${JSON.stringify(first)}`);
        await editor.edit((b) => b.insert(endOf(editor), suggestion.slice(0, 1)));
        const next = await provideAt(editor, endOf(editor));
        assert.equal(next.last?.kind, "cache");
        assert.deepEqual(next.items, [suggestion.slice(1)]);
    });

    it("snooze silences suggestions until resumed with the toggle", async () => {
        const editor = await openWith("completion-snooze.txt", STORY);
        await vscode.commands.executeCommand("hearth.completions.snooze");
        try {
            assert.deepEqual((await provideAt(editor, endOf(editor))).items, []);
        } finally {
            await vscode.commands.executeCommand("hearth.completions.toggle"); // while snoozed, toggle resumes
        }
        assert.equal(config().get("completions.enabled"), true, "resuming a snooze does not turn the setting off");
        assert.equal((await provideAt(editor, endOf(editor))).items.length, 1);
    });

    it("never suggests inside a selection; honours per-language off", async () => {
        const editor = await openWith("completion-selection.txt", `${STORY}\nThe end.`);
        const start = editor.document.positionAt(STORY.indexOf("girl"));
        editor.selection = new vscode.Selection(start, start.translate(0, 10));
        const inside = await provideAt(editor, start.translate(0, 4));
        assert.deepEqual(inside.items, []);

        editor.selection = new vscode.Selection(endOf(editor), endOf(editor));
        await config().update("completions.languages", { plaintext: false }, vscode.ConfigurationTarget.Global);
        const off = await provideAt(editor, endOf(editor));
        assert.deepEqual(off.items, []);
    });

    it("extra context: the file worked in before and the definition of the symbol before '(' are offered", async () => {
        await openWith("lib.ts", "export function greet(name: string): string {\n    return `Hello, ${name}`;\n}\n");
        const main = await openWith("main.ts", "import { greet } from \"./lib\";\n\nconst message = greet(");
        const labels = () => vscode.commands.executeCommand<string[]>("hearth.completions.contextLabels", main.document.uri);
        // Earlier tests' files are in the ring too (recently worked in); lib.ts, left last, is the newest.
        assert.equal((await labels()).at(-1), "lib.ts", "leaving lib.ts put a snippet of it in the ring");
        // The lookup runs in the background after a keystroke behind `greet(`; TypeScript's server may still be starting.
        const found = await waitFor("the definition of greet in the ring", async () => {
            await provideAt(main, endOf(main));
            const now = await labels();
            return now.includes("lib.ts (greet)") ? now : undefined;
        }, 90_000);
        assert.deepEqual(found.slice(-2), ["lib.ts", "lib.ts (greet)"], "ring order: oldest first, stable");
        assert.ok(!found.includes("main.ts"), "the current file is not its own extra context");
    });

    it("VS Code's inline suggest shows Hearth's ghost text and accepting it inserts the text", async () => {
        const editor = await openWith("completion-accept.txt", STORY);
        editor.selection = new vscode.Selection(endOf(editor), endOf(editor));
        const before = editor.document.getText();
        // First let the provider answer this position once (the model may still be loading): the answer is cached,
        // so VS Code's own trigger below is served at once. Without this, each retry's trigger superseded the
        // previous, still-debouncing request on a slow machine and no suggestion was ever shown.
        const first = await waitFor("Hearth's suggestion at the cursor", async () => {
            const r = await provideAt(editor, endOf(editor));
            return r.items.length > 0 ? r : undefined;
        }, 60_000);
        assert.ok(first.items[0]!.length > 0);
        // Trigger, then accept (what Tab does) until the document grows.
        await waitFor("an accepted Hearth suggestion", async () => {
            await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
            await waitFor("the suggestion to be computed", async () => await vscode.commands.executeCommand<boolean>("hearth.completions.idle"), 10_000);
            await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
            return editor.document.getText() !== before;
        }, 60_000);
        const after = editor.document.getText();
        assert.ok(after.startsWith(before) && after.length > before.length, `text inserted at the cursor: ${JSON.stringify(after.slice(before.length))}`);
        assert.ok(!after.slice(before.length).includes("\n"));
    });
});
