/**
 * Huge inputs in the real extension host (issue 15): opening a 50 MB log (and asking for a completion at its end),
 * attaching a 100,000-line file and a binary file to the chat, and polishing a 5 MB selection. The longest
 * event-loop block of the extension host during each action is measured (test/host/loopBlocks.ts:
 * perf_hooks.monitorEventLoopDelay, and the same ticks counted only while the main thread was running, which is what
 * the goal of under 100 ms is checked on); each ends with the result or a clear truncation or refusal message.
 *
 * VS Code's own work is measured apart where it can be told apart: opening a document makes the workbench send its
 * whole text to the extension host, which blocks that host before any extension sees the document.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as vscode from "vscode";
import { documentWindow } from "../../../src/completion/documentWindow";
import { budgetFor, layoutPrompt } from "../../../src/core/completion/promptLayout";
import type { PolishOutcome } from "../../../src/polish/polishCommand";
import type { ChatApi } from "../../../src/services";
import { hearthApi, workspaceFile } from "../helpers";
import { measureLoopBlocks, type LoopBlocks } from "../loopBlocks";

/** Issue 15's goal for the longest block of the extension host's event loop. */
const BLOCK_GOAL_MS = 100;

type Measured<T> = { result: T } & LoopBlocks;
const measured = <T>(action: () => Promise<T> | Thenable<T>): Promise<Measured<T>> => measureLoopBlocks(action);

/** Warnings Hearth shows while `action` runs (the test's `vscode` is the same API object Hearth uses). */
async function warningsDuring<T>(action: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
    const warnings: string[] = [];
    const window = vscode.window as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
    const original = window.showWarningMessage;
    window.showWarningMessage = (message: unknown) => {
        warnings.push(String(message));
        return Promise.resolve(undefined);
    };
    try {
        return { result: await action(), warnings };
    } finally {
        window.showWarningMessage = original;
    }
}

/**
 * Waits until the extension host's event loop has been quiet (no block of 30 ms or more) for four windows of 500 ms in
 * a row (VS Code asks for a shown document's links about a second after it opens), at most 20 s; returns the longest
 * block seen meanwhile.
 */
async function untilQuiet(): Promise<number> {
    let longest = 0;
    let quiet = 0;
    for (const deadline = Date.now() + 20_000; quiet < 4 && Date.now() < deadline;) {
        const window = await measureLoopBlocks(() => new Promise((r) => setTimeout(r, 500)), 0);
        longest = Math.max(longest, window.runningMs);
        quiet = window.runningMs < 30 ? quiet + 1 : 0;
    }
    return longest;
}

describe("Huge inputs: the extension host keeps responding", function () {
    this.timeout(300_000);
    let chat: ChatApi;
    const blocks: { what: string; ms: number }[] = [];
    const files = { log: workspaceFile("huge.log"), lines: workspaceFile("lines100k.ts"), binary: workspaceFile("blob.bin"), prose: workspaceFile("prose5mb.md") };

    before(async () => {
        const api = await hearthApi();
        chat = api.chat;
        // The engine runs and the model is loaded before anything is measured: starting the engine process is
        // measured on its own below (forking a process whose heap holds a 50 MB document costs the fork itself).
        await api.backend.ready();
        // Written before any measurement starts.
        const line = "2025-01-01T00:00:00.000Z INFO  worker-07 request 1234567 served /api/items in 12 ms status=200\n";
        fs.writeFileSync(files.log.fsPath, line.repeat(Math.ceil(50_000_000 / line.length)).slice(0, 50_000_000));
        fs.writeFileSync(files.lines.fsPath, Array.from({ length: 100_000 }, (_, i) => `export const value${i} = ${i} * 2; // line ${i + 1}`).join("\n") + "\n");
        const binary = Buffer.alloc(64 * 1024);
        for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919) % 256;
        fs.writeFileSync(files.binary.fsPath, binary);
        const paragraph = "The hearth was the heart of the house, where the family gathered in the evening to talk and to read. ";
        fs.writeFileSync(files.prose.fsPath, `${paragraph.repeat(8)}\n\n`.repeat(Math.ceil(5_000_000 / (paragraph.length * 8 + 2))).slice(0, 5_000_000));
    });

    after(async () => {
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
        for (const f of Object.values(files)) fs.rmSync(f.fsPath, { force: true });
        console.log(`    longest extension-host event-loop block per action: ${blocks.map((b) => `${b.what} ${b.ms.toFixed(0)} ms`).join("; ")}`);
    });

    let current: { what: string; ms: number }[] = [];
    beforeEach(() => (current = []));

    /** Records a measurement; `assertGoal` at the end of each test checks them, so every action is measured first. */
    function record(what: string, m: Measured<unknown>): void {
        blocks.push({ what, ms: m.runningMs });
        current.push({ what, ms: m.runningMs });
        console.log(`      ${what}: longest block ${m.runningMs.toFixed(0)} ms running (${m.wallMs.toFixed(0)} ms wall clock; longest GC pause ${m.gcMs.toFixed(0)} ms)`);
    }

    function assertGoal(): void {
        const over = current.filter((b) => b.ms >= BLOCK_GOAL_MS);
        assert.deepEqual(over.map((b) => `${b.what}: blocked ${b.ms.toFixed(0)} ms`), [], `goal: every block under ${BLOCK_GOAL_MS} ms`);
    }

    it("starting the engine process (reported: the cost of fork() grows with the extension host's memory)", async () => {
        const api = await hearthApi();
        const restart = await measured(() => api.engine.restart());
        console.log(`      starting the engine process: longest block ${restart.runningMs.toFixed(0)} ms running (${restart.wallMs.toFixed(0)} ms wall clock)`);
        await api.backend.ready();
    });

    it("opening a 50 MB log and asking for a completion at its end", async () => {
        // VS Code's part: the workbench sends the 50 MB text to the extension host (not Hearth's code).
        const opened = await measured(() => vscode.workspace.openTextDocument(files.log));
        console.log(`      VS Code syncing the 50 MB document into the extension host (not Hearth's code): longest block ${opened.runningMs.toFixed(0)} ms running (${opened.wallMs.toFixed(0)} ms wall clock)`);
        const document = opened.result;
        assert.equal(document.lineCount > 500_000, true);
        // Showing it: a CPU profile of the extension host puts this block in VS Code's built-in merge-conflict
        // extension (getText of the whole document, 76 ms of a 79 ms block), not in Hearth: reported, not asserted.
        const shown = await measured(() => vscode.window.showTextDocument(document, { preview: false }));
        console.log(`      showing the 50 MB log (VS Code's merge-conflict extension reads the whole text; not Hearth's code): longest block ${shown.runningMs.toFixed(0)} ms running (${shown.wallMs.toFixed(0)} ms wall clock)`);
        // VS Code's part again: once an editor shows a document, the workbench asks the extension host for its links,
        // and VS Code's own link finder for file-system schemes (registered for every document as soon as any
        // extension, e.g. the built-in git, has a file system provider) reads every line: 400-800 ms for 50 MB,
        // found with a CPU profile of the extension host (computeLinks in extensionHostProcess.js). It comes about a
        // second after the editor opens, so it is waited for here and reported apart, not counted as Hearth's.
        const settled = await untilQuiet();
        console.log(`      VS Code's own work after showing the 50 MB log (document links; not Hearth's code): longest block ${settled.toFixed(0)} ms running`);
        const end = document.lineAt(document.lineCount - 1).range.end;
        const completion = await measured(() => vscode.commands.executeCommand("hearth.completions.provideAt", document.uri, end));
        record("a completion at the end of the 50 MB log", completion);
        // The provider sends a window of the document, not all of it: the prompt it builds is the same either way,
        // near the end and in the middle (outside the measurements: this copies the whole text).
        const whole = document.getText();
        for (const offset of [whole.length, Math.floor(whole.length / 2) + 17]) {
            const budget = budgetFor(4096, 96, 6);
            const windowed = documentWindow(document, offset);
            assert.deepEqual(layoutPrompt({ ...windowed, languageId: "log", fileName: "huge.log" }, budget),
                layoutPrompt({ text: whole, offset, languageId: "log", fileName: "huge.log" }, budget), `different prompt at offset ${offset}`);
            assert.ok(windowed.text.length < 200_000);
        }
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
        assertGoal();
    });

    it("attaching a 100,000-line file: the start is attached and marked as cut", async () => {
        const document = await vscode.workspace.openTextDocument(files.lines);
        await vscode.window.showTextDocument(document, { preview: false });
        console.log(`      VS Code's own work after showing the 100,000-line file (document links; not Hearth's code): longest block ${(await untilQuiet()).toFixed(0)} ms running`);
        const attached = await measured(() => chat.attach("file"));
        record("attaching a 100,000-line file", attached);
        const added = attached.result;
        assert.equal(added.length, 1);
        const attachment = added[0]!;
        assert.ok(attachment.text.length <= 400_000 && document.getText().startsWith(attachment.text), "not the start of the file");
        assert.ok(attachment.truncatedFrom !== undefined && attachment.truncatedFrom > attachment.tokens,
            `the chip does not say the file was cut (${attachment.tokens} of ${attachment.truncatedFrom})`);
        // Not left pending: the next suite's chat turn would send it (the file is deleted after this suite).
        await chat.post({ type: "removeAttachment", id: attachment.id });
        assertGoal();
    });

    it("attaching a binary file is refused with a message", async () => {
        const { result, warnings } = await warningsDuring(() => measured(() => chat.attach(files.binary)));
        record("attaching a binary file", result);
        assert.deepEqual(result.result, []);
        assert.deepEqual(warnings, ["Hearth can't attach blob.bin: it is a binary file, not text."]);
        assertGoal();
    });

    it("polishing a 5 MB selection is refused with a message, nothing opened", async () => {
        const document = await vscode.workspace.openTextDocument(files.prose);
        const editor = await vscode.window.showTextDocument(document, { preview: false });
        editor.selection = new vscode.Selection(new vscode.Position(0, 0), document.lineAt(document.lineCount - 1).range.end);
        console.log(`      VS Code's own work after showing the 5 MB text (document links; not Hearth's code): longest block ${(await untilQuiet()).toFixed(0)} ms running`);
        const { result, warnings } = await warningsDuring(() => measured(() => vscode.commands.executeCommand<PolishOutcome>("hearth.polish.improve")));
        record("polishing a 5 MB selection", result);
        assert.equal(result.result.status, "tooLarge");
        assert.deepEqual(warnings, ["The selection is too long to polish at once (5,000,000 characters; Hearth polishes up to 200,000 at a time, about 40 pages). Select a part of it and polish it in steps."]);
        assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff), false, "a review diff was opened");
        assertGoal();
    });
});
