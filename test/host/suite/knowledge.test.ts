/**
 * The knowledge index in a real extension host: it indexes the test workspace in its worker thread, finds notes
 * with file and line, follows file changes through VS Code's file watcher, keeps the host's event loop free while
 * it builds, and Clear Index deletes it from disk.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import * as vscode from "vscode";
import { makeDocx } from "../../helpers/docxWriter";
import { makePdf } from "../../helpers/pdfWriter";
import { hearthApi, waitFor, workspaceFile } from "../helpers";

const GENERATED = "knowledge-generated";

describe("Knowledge index in the extension host", function () {
    this.timeout(180_000);

    after(async () => {
        await vscode.workspace.fs.delete(workspaceFile(GENERATED), { recursive: true }).then(undefined, () => undefined);
    });

    it("indexes the workspace in the background and finds a note with its file and lines", async () => {
        const api = await hearthApi();
        const status = await api.knowledge.whenReady("workspace");
        assert.equal(status.state, "ready", status.error);
        assert.ok(status.files >= 2, `${status.files} files indexed`);
        assert.ok(fs.existsSync(status.location), "the index is in the extension's workspace storage");
        const hits = await api.knowledge.search("private assistant language model network down", { scope: "workspace", limit: 3 });
        const hit = hits[0];
        assert.ok(hit, "no hit");
        assert.equal(hit.relativePath, "notes.md");
        assert.equal(vscode.Uri.parse(hit.uri).fsPath, workspaceFile("notes.md").fsPath);
        assert.ok(hit.startLine >= 1 && hit.endLine >= hit.startLine);
        const lines = (await vscode.workspace.fs.readFile(vscode.Uri.parse(hit.uri))).toString().split(/\r?\n/);
        assert.match(lines.slice(hit.startLine - 1, hit.endLine).join("\n"), /private assistant/);
        assert.deepEqual(await api.knowledge.search("zzqxjv", { scope: "workspace" }), [], "nothing relevant: an empty list");
    });

    it("follows a created, changed and deleted file through the file watcher", async () => {
        const api = await hearthApi();
        const file = workspaceFile(`${GENERATED}/watched.md`);
        await vscode.workspace.fs.writeFile(file, Buffer.from("# Watched\n\nThe quokka smiles at the camera.\n"));
        await waitFor("the new file to be indexed", async () =>
            (await api.knowledge.search("quokka", { scope: "workspace" }))[0]?.relativePath === `${GENERATED}/watched.md` || undefined);
        await vscode.workspace.fs.writeFile(file, Buffer.from("# Watched\n\nNow it is about a pangolin.\n"));
        await waitFor("the change to be indexed", async () =>
            ((await api.knowledge.search("pangolin", { scope: "workspace" })).length > 0 && (await api.knowledge.search("quokka", { scope: "workspace" })).length === 0) || undefined);
        await vscode.workspace.fs.delete(file);
        await waitFor("the deleted file to leave the index", async () =>
            (await api.knowledge.search("pangolin", { scope: "workspace" })).length === 0 || undefined);
    });

    it("builds 800 files in the worker while the extension host's event loop stays free", async () => {
        const api = await hearthApi();
        const folder = workspaceFile(GENERATED);
        for (let i = 0; i < 800; i++) {
            const text = Array.from({ length: 12 }, (_, p) => `Section ${p} of generated note ${i}: ${"words about indexing and retrieval ".repeat(8)}`).join("\n\n");
            fs.mkdirSync(folder.fsPath, { recursive: true });
            fs.writeFileSync(`${folder.fsPath}/note-${i}.md`, text);
        }
        // Let the file watcher's burst of 800 "created" events settle first (they are indexed too), so what is measured
        // below is the rebuild alone.
        await waitFor("the watcher to bring in the generated notes", async () =>
            (await api.knowledge.search("generated note 799", { scope: "workspace", limit: 1 }))[0]?.relativePath === `${GENERATED}/note-799.md` || undefined, 120_000);
        const delay = monitorEventLoopDelay({ resolution: 10 });
        const elu = performance.eventLoopUtilization();
        const started = performance.now();
        delay.enable();
        await api.knowledge.rebuild("workspace");
        delay.disable();
        const ms = performance.now() - started;
        const busy = performance.eventLoopUtilization(elu);
        const status = api.knowledge.status("workspace");
        const maxLagMs = delay.max / 1e6;
        console.log(`    rebuilt ${status.files} files (${status.chunks} chunks) in ${ms.toFixed(0)} ms; host event loop utilisation ${(busy.utilization * 100).toFixed(1)}%, max delay ${maxLagMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`);
        assert.equal(status.state, "ready");
        assert.ok(status.files >= 800, `${status.files} files`);
        // Indexing on the host's thread would keep its event loop busy for the whole build.
        assert.ok(busy.utilization < 0.5, `the host's event loop was busy ${(busy.utilization * 100).toFixed(1)}% of the build`);
        assert.ok(maxLagMs < 500, `the host's event loop was blocked for ${maxLagMs.toFixed(0)} ms`);
        const hit = (await api.knowledge.search("generated note 417", { scope: "workspace", limit: 3 }))[0];
        assert.equal(hit?.relativePath, `${GENERATED}/note-417.md`);
    });

    it("indexes one PDF outside the index with page numbers (indexFile / documentChunks / file scope)", async () => {
        const api = await hearthApi();
        const pdf = workspaceFile(`${GENERATED}/report.pdf`);
        await vscode.workspace.fs.writeFile(pdf, makePdf([["Introduction to the report."], ["Second page."], ["The budget for the lighthouse is on page three."]]));
        assert.deepEqual(await api.knowledge.indexFile(pdf), { chunks: 3 });
        const chunks = await api.knowledge.documentChunks(pdf);
        assert.deepEqual(chunks.map((c) => c.page), [1, 2, 3]);
        const hits = await api.knowledge.search("lighthouse budget", { scope: { file: pdf.toString() }, limit: 2 });
        assert.equal(hits[0]?.page, 3);
        assert.equal(hits[0]?.relativePath, "report.pdf");
    });

    it("Add Folder to Library indexes a folder outside the workspace (Markdown and DOCX); Remove Folder empties it", async () => {
        const api = await hearthApi();
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-library-"));
        fs.writeFileSync(path.join(folder, "recipes.md"), "# Recipes\n\n红烧肉的做法：先把五花肉切块，再用冰糖炒出糖色。\n");
        fs.writeFileSync(path.join(folder, "travel.md"), "# Travel\n\nThe ferry to the island leaves at nine.\n");
        fs.writeFileSync(path.join(folder, "keeper.docx"), await makeDocx(["Contract of the lighthouse keeper", "The keeper's salary is paid monthly."]));
        try {
            await vscode.commands.executeCommand("hearth.library.addFolder", [vscode.Uri.file(folder)]);
            const status = await waitFor("the library to be indexed", () => {
                const s = api.knowledge.status("library");
                return s.state === "ready" && s.files >= 3 ? s : undefined;
            }, 60_000);
            assert.ok(status.location.includes("library-index"));
            const hits = await api.knowledge.search("红烧肉怎么做", { scope: "library", limit: 3 });
            assert.equal(hits[0]?.relativePath, `${path.basename(folder)}/recipes.md`, "a Chinese question finds the Chinese note");
            assert.equal((await api.knowledge.search("lighthouse keeper salary", { scope: "library", limit: 1 }))[0]?.relativePath, `${path.basename(folder)}/keeper.docx`);
            assert.equal((await api.knowledge.search("ferry island", { scope: "workspace" })).length, 0, "the workspace index does not hold library files");
        } finally {
            await vscode.commands.executeCommand("hearth.library.removeFolder", folder);
        }
        await waitFor("the library to be empty", () => (api.knowledge.status("library").state === "empty" ? true : undefined), 30_000);
        assert.deepEqual(await api.knowledge.search("ferry island", { scope: "library" }), []);
    });

    it("Hearth: Clear Index deletes the index from disk; Rebuild Index brings it back", async () => {
        const api = await hearthApi();
        const location = api.knowledge.status("workspace").location;
        assert.ok(fs.existsSync(location));
        // A settings change reopens the index just as Clear starts (Remove Folder from Library does the same to the
        // workspace index): Clear must still delete it, and the reload must not bring it back.
        const hearth = () => vscode.workspace.getConfiguration("hearth");
        const sizeBefore = hearth().inspect<number>("knowledge.maxFileSizeKB")?.globalValue;
        try {
            await hearth().update("knowledge.maxFileSizeKB", (hearth().get<number>("knowledge.maxFileSizeKB") ?? 1024) + 1, vscode.ConfigurationTarget.Global);
            await vscode.commands.executeCommand("hearth.knowledge.clear", "workspace", { confirm: false });
        } finally {
            await hearth().update("knowledge.maxFileSizeKB", sizeBefore, vscode.ConfigurationTarget.Global);
        }
        assert.ok(!fs.existsSync(location), "the index folder is gone");
        assert.equal(api.knowledge.status("workspace").state, "empty");
        assert.deepEqual(await api.knowledge.search("private assistant", { scope: "workspace" }), []);
        await vscode.commands.executeCommand("hearth.knowledge.rebuild", "workspace");
        assert.equal(api.knowledge.status("workspace").state, "ready");
        assert.ok((await api.knowledge.search("private assistant", { scope: "workspace" })).length > 0);
    });
});
