import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { INDEX_FORMAT, MANIFEST } from "../../src/core/knowledge/indexStore";
import { KnowledgeIndex } from "../../src/core/knowledge/knowledgeIndex";
import { REPO_ROOT } from "../helpers/fixtures";
import { versionText } from "../helpers/indexWriterChild";
import { indexConfig, indexedPaths, openIndex, tempDir, writeTree } from "../helpers/knowledgeFiles";

async function fileTexts(index: KnowledgeIndex, root: string, files: number): Promise<(string | undefined)[]> {
    const out: (string | undefined)[] = [];
    for (let f = 0; f < files; f++) {
        const lines = await index.chunksOf(path.join(root, `f${f}.md`));
        out.push(lines.length ? lines.map((l) => l[1]).join("\n\n") : undefined);
    }
    return out;
}

describe("knowledge index: incremental updates", () => {
    it("re-reads only what changed: save, create, delete, rename, and after a restart by mtime+size+hash", async () => {
        const root = await tempDir("inc-root");
        const dir = await tempDir("inc-idx");
        const files: Record<string, string> = {};
        // Each note has a word of its own ("kwaq", "kwbq", …: no digits, which the tokenizer would split off).
        const own = (i: number): string => `kw${"abcdefghijklmnopqrst"[i]}q`;
        for (let i = 0; i < 20; i++) files[`notes/n${i}.md`] = `# Note ${i}\n\nshared word and unique token ${own(i)}.`;
        await writeTree(root, files);
        let index = await openIndex(indexConfig(dir, root));
        assert.deepEqual(await index.sync(), { indexed: 20, removed: 0 });
        assert.equal((await indexedPaths(index, "shared")).length, 20);

        // Save: one file changes.
        await fs.writeFile(path.join(root, "notes/n3.md"), "# Note 3\n\nshared word and a brand new zebra.");
        assert.deepEqual(await index.updatePaths([path.join(root, "notes/n3.md")]), { indexed: 1, removed: 0 });
        assert.equal((await index.search("zebra", 5))[0]?.relativePath, "notes/n3.md");
        assert.equal((await index.search(own(3), 5)).length, 0, "the old text is gone");

        // Create, delete, rename (the watcher reports both paths).
        await writeTree(root, { "notes/new.md": "shared word, giraffe." });
        await fs.rm(path.join(root, "notes/n5.md"));
        await fs.rename(path.join(root, "notes/n7.md"), path.join(root, "notes/renamed.md"));
        const r = await index.updatePaths(["notes/new.md", "notes/n5.md", "notes/n7.md", "notes/renamed.md"].map((p) => path.join(root, p)));
        assert.deepEqual(r, { indexed: 2, removed: 2 });
        assert.equal((await index.search("giraffe", 5))[0]?.relativePath, "notes/new.md");
        assert.equal((await index.search(own(5), 5)).length, 0);
        assert.equal((await index.search(own(7), 5))[0]?.relativePath, "notes/renamed.md");

        // A deleted folder removes everything under it.
        await writeTree(root, { "old/a.md": "shared word okapi", "old/b.md": "shared word okapi" });
        await index.updatePaths([path.join(root, "old")]);
        assert.equal((await index.search("okapi", 5)).length, 2);
        await fs.rm(path.join(root, "old"), { recursive: true });
        assert.deepEqual(await index.updatePaths([path.join(root, "old")]), { indexed: 0, removed: 2 });
        await index.close();

        // Restart: a changed file (same size, new content and mtime) is found; a touched one is hashed, not re-indexed.
        const n1 = path.join(root, "notes/n1.md");
        await fs.writeFile(n1, (await fs.readFile(n1, "utf8")).replace(own(1), "kiwi"));
        const n2 = path.join(root, "notes/n2.md");
        const later = new Date(Date.now() + 5000);
        await fs.utimes(n2, later, later);
        index = await openIndex(indexConfig(dir, root));
        assert.equal((await index.search(own(1), 5))[0]?.relativePath, "notes/n1.md", "the reopened index is the old one");
        assert.deepEqual(await index.sync(), { indexed: 1, removed: 0 });
        assert.equal((await index.search("kiwi", 5))[0]?.relativePath, "notes/n1.md");
        assert.deepEqual(await index.sync(), { indexed: 0, removed: 0 }, "nothing left to do: the touched file's new mtime was recorded");
        await index.close();
    });
});

describe("knowledge index: cancelling a build", () => {
    it("keeps what was indexed before Cancel, searchable and on disk, and the next sync finishes the rest", async () => {
        const root = await tempDir("cancel-root");
        const dir = await tempDir("cancel-idx");
        const files: Record<string, string> = {};
        for (let i = 0; i < 300; i++) files[`n${String(i).padStart(3, "0")}.md`] = `# Note ${i}\n\nshared word.`;
        await writeTree(root, files);
        let index = await openIndex(indexConfig(dir, root));
        const controller = new AbortController();
        await assert.rejects(index.sync({ signal: controller.signal, onProgress: (p) => { if (p.done >= 1) controller.abort(); } }), { name: "AbortError" });
        const kept = index.fileCount;
        assert.ok(kept >= 1 && kept < 300, `${kept} files kept`);
        assert.equal(index.complete, false);
        assert.ok((await index.search("shared", 5)).length > 0, "what was indexed is searchable");
        await index.close();
        index = await openIndex(indexConfig(dir, root));
        assert.equal(index.fileCount, kept, "and it was committed");
        assert.deepEqual(await index.sync(), { indexed: 300 - kept, removed: 0 });
        assert.equal(index.complete, true);
        await index.close();
    });
});

describe("knowledge index: crash safety", function () {
    this.timeout(240_000);

    it("a writer SIGKILLed at random moments leaves the last committed index or a newer complete one, never a broken one", async () => {
        const root = await tempDir("crash-root");
        const dir = await tempDir("crash-idx");
        const files = 12;
        const child = require.resolve("../helpers/indexWriterChild");
        let version = 1;
        let kills = 0;
        let midWrite = 0;
        for (let round = 0; round < 16; round++) {
            const proc = spawn(process.execPath, [child, dir, root, String(files), String(version)], { stdio: ["ignore", "pipe", "pipe"] });
            let committed = -1;
            let writing = -1;
            let stderr = "";
            let started: () => void = () => undefined;
            const firstWrite = new Promise<void>((r) => (started = r));
            proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            proc.stdout.on("data", (d: Buffer) => {
                for (const m of d.toString().matchAll(/(writing|committed) (\d+)/g)) {
                    if (m[1] === "committed") committed = Number(m[2]);
                    else writing = Number(m[2]);
                    started();
                }
            });
            // Once it is writing, kill it at a random moment: within the first commit, or a few commits later.
            await Promise.race([firstWrite, new Promise((r) => proc.on("exit", r))]);
            await new Promise((r) => setTimeout(r, Math.random() * (round % 2 ? 60 : 500)));
            const exited = new Promise((r) => proc.on("exit", r));
            proc.kill("SIGKILL");
            await exited;
            assert.equal(stderr, "", "the writer itself never failed");
            assert.ok(writing >= 0, "the writer started");
            kills++;
            if (writing > committed) midWrite++;
            // The index must open without a notice, and every file must hold one complete version that is at least
            // the last one acknowledged (the files on disk may already be newer).
            const { index, notice } = await KnowledgeIndex.open(indexConfig(dir, root));
            assert.equal(notice, undefined, `round ${round}: ${notice?.detail}`);
            const texts = await fileTexts(index, root, files);
            texts.forEach((text, f) => {
                if (committed < 0 && text === undefined) return;
                assert.ok(text, `round ${round}: file ${f} is in the index`);
                const v = Number(/version v(\d+)/.exec(text)![1]);
                assert.equal(text, versionText(f, v), `round ${round}: file ${f} holds one whole version`);
                assert.ok(v >= committed && v <= writing, `round ${round}: file ${f} has v${v}, acknowledged ${committed}, writing ${writing}`);
            });
            const hits = await index.search("lorem paragraph", 5);
            assert.ok(committed < 0 || hits.length > 0, "search works on the recovered index");
            await index.close();
            version = writing + 1;
        }
        assert.equal(kills, 16);
        assert.ok(midWrite >= 8, `killed in the middle of writing a version ${midWrite} times of 16`);
    });
});

describe("knowledge index: damaged or old-format index", () => {
    async function built(): Promise<{ root: string; dir: string }> {
        const root = await tempDir("dmg-root");
        const dir = await tempDir("dmg-idx");
        await writeTree(root, { "a.md": "# Apples\n\nRed apples grow on trees.", "b.md": "# Bananas\n\nYellow bananas." });
        const index = await openIndex(indexConfig(dir, root));
        await index.sync();
        await index.close();
        return { root, dir };
    }

    async function reopenAndRebuild(dir: string, root: string, reason: string): Promise<void> {
        const { index, notice } = await KnowledgeIndex.open(indexConfig(dir, root));
        assert.equal(notice?.reason, reason, notice?.detail);
        assert.equal(index.fileCount, 0, "started afresh");
        await index.sync();
        assert.equal((await index.search("bananas", 3))[0]?.relativePath, "b.md", "rebuilt and searchable");
        await index.close();
        const again = await KnowledgeIndex.open(indexConfig(dir, root));
        assert.equal(again.notice, undefined, "the rebuilt index opens cleanly");
        await again.index.close();
    }

    it("a flipped byte in the manifest is detected (checksum) and the index rebuilt", async () => {
        const { root, dir } = await built();
        const file = path.join(dir, MANIFEST);
        const raw = await fs.readFile(file, "utf8");
        await fs.writeFile(file, raw.replace("Apples", "Apples").replace(/"generation":(\d+)/, (_m, g) => `"generation":${Number(g) + 7}`));
        await reopenAndRebuild(dir, root, "corrupt");
    });

    it("a truncated segment, a garbage manifest and a damaged lexical snapshot are detected", async () => {
        let { root, dir } = await built();
        const seg = (await fs.readdir(dir)).find((n) => n.startsWith("seg-"))!;
        await fs.truncate(path.join(dir, seg), 10);
        await reopenAndRebuild(dir, root, "corrupt");

        ({ root, dir } = await built());
        await fs.writeFile(path.join(dir, MANIFEST), "\u0000\u0000garbage");
        await reopenAndRebuild(dir, root, "corrupt");

        ({ root, dir } = await built());
        const lex = (await fs.readdir(dir)).find((n) => n.startsWith("lex-"))!;
        const content = await fs.readFile(path.join(dir, lex));
        const middle = Math.floor(content.length / 2);
        content[middle] = content[middle]! ^ 0x20;
        await fs.writeFile(path.join(dir, lex), content);
        await reopenAndRebuild(dir, root, "corrupt");
    });

    it("a real index of format 1 (MiniSearch's JSON snapshot) is detected, rebuilt with a notice, and its files removed", async () => {
        const root = await tempDir("fmt1-root");
        const dir = await tempDir("fmt1-idx");
        await writeTree(root, { "a.md": "# Apples\n\nRed apples grow on trees.\n", "b.md": "# Bananas\n\nYellow bananas.\n" });
        const fixture = path.join(REPO_ROOT, "test", "fixtures", "knowledge-index-format1");
        for (const name of ["manifest.json", "seg-1.jsonl", "lex-1.json"]) await fs.copyFile(path.join(fixture, name), path.join(dir, name));
        const { index, notice } = await KnowledgeIndex.open(indexConfig(dir, root));
        assert.equal(notice?.reason, "oldFormat", notice?.detail);
        assert.match(notice?.detail ?? "", /format 1\b/);
        assert.equal(index.fileCount, 0, "started afresh");
        await index.sync();
        assert.equal((await index.search("bananas", 3))[0]?.relativePath, "b.md", "rebuilt and searchable");
        await index.close();
        const left = await fs.readdir(dir);
        assert.ok(!left.includes("lex-1.json"), `the format-1 snapshot is gone: ${left.join(", ")}`);
        assert.ok(left.some((n) => /^lex-\d+\.bin$/.test(n)), `a binary snapshot was written: ${left.join(", ")}`);
        const again = await KnowledgeIndex.open(indexConfig(dir, root));
        assert.equal(again.notice, undefined, "the rebuilt index opens cleanly");
        await again.index.close();
    });

    it("an index of another format version is rebuilt", async () => {
        const { root, dir } = await built();
        const file = path.join(dir, MANIFEST);
        const raw = await fs.readFile(file, "utf8");
        await fs.writeFile(file, raw.replace(`"format":${INDEX_FORMAT}`, `"format":${INDEX_FORMAT - 1}`));
        await reopenAndRebuild(dir, root, "oldFormat");
    });
});
