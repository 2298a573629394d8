/**
 * Embedding vectors in the knowledge index (src/core/knowledge/vectorIndex.ts): stored per segment, keyed by the
 * model, crash-safe, and fused with the lexical ranking by RRF in search. The embedder here is a deterministic
 * stand-in (a pseudo-random unit vector per exact text), so a query embedded from a chunk's text has cosine 1 with
 * that chunk and about 0 with the others; test/engine/knowledgeVectors.test.ts does the same with the real engine.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { MANIFEST } from "../../src/core/knowledge/indexStore";
import type { KnowledgeIndex, QueryVector } from "../../src/core/knowledge/knowledgeIndex";
import { reciprocalRankFusion } from "../../src/core/knowledge/rankFusion";
import { indexConfig, openIndex, tempDir, writeTree } from "../helpers/knowledgeFiles";

const DIMS = 64;

/** A unit vector determined by the model name and the exact text. */
function fakeVector(model: string, text: string): Float32Array {
    const v = new Float32Array(DIMS);
    let seed = createHash("sha256").update(`${model}\n${text}`).digest();
    for (let i = 0; i < DIMS; i++) {
        if (i % 32 === 0 && i) seed = createHash("sha256").update(seed).digest();
        v[i] = seed[i % 32]! / 127.5 - 1;
    }
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
}

function fakeEmbed(model: string, calls?: string[][]) {
    return async (texts: string[]): Promise<Float32Array[]> => {
        calls?.push(texts);
        return texts.map((t) => fakeVector(model, t));
    };
}

const textOf = (i: number): string => `Paragraph ${"abcdefghijklmnop"[i]} about lanterns ${"lantern ".repeat(i)}and quiet harbours.`;

async function corpus(): Promise<{ root: string; dir: string; index: KnowledgeIndex }> {
    const root = await tempDir("vec-root");
    const dir = await tempDir("vec-idx");
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++) files[`n${i}.md`] = textOf(i);
    await writeTree(root, files);
    const index = await openIndex(indexConfig(dir, root));
    await index.sync();
    // Two more segments: new files, then a changed file (leaving a dead range in the first segment).
    await writeTree(root, { "n6.md": textOf(6), "n7.md": textOf(7) });
    await index.updatePaths([path.join(root, "n6.md"), path.join(root, "n7.md")]);
    await writeTree(root, { "n2.md": textOf(8) });
    await index.updatePaths([path.join(root, "n2.md")]);
    return { root, dir, index };
}

/** Hits of a query that shares no word with any chunk: only the vector side can find something. */
async function byMeaningOnly(index: KnowledgeIndex, q: QueryVector): Promise<string[]> {
    return (await index.search("zzyzx qwertz", 5, undefined, q)).map((h) => h.relativePath);
}

const query = (model: string, text: string): QueryVector => ({ modelId: model, vector: fakeVector(model, text) });

describe("knowledge index: embedding vectors", () => {
    it("stores a vector for every live chunk across segments, aligned with its chunk, and keeps them after reopening", async () => {
        const { root, dir, index } = await corpus();
        assert.deepEqual(index.vectorProgress("A"), { done: 0, total: 8 });
        assert.deepEqual(await index.search("zzyzx qwertz", 5, undefined, query("A", textOf(3))), [], "no vectors yet: nothing by meaning");
        const progress: number[] = [];
        assert.deepEqual(await index.embedMissing({ modelId: "A", embed: fakeEmbed("A"), onProgress: (p) => progress.push(p.done) }), { embedded: 8 });
        assert.deepEqual(index.vectorProgress("A"), { done: 8, total: 8 });
        assert.equal(progress.at(-1), 8);
        await index.close();

        const reopened = await openIndex(indexConfig(dir, root));
        const expected: Record<number, string> = { 0: "n0.md", 1: "n1.md", 3: "n3.md", 4: "n4.md", 5: "n5.md", 6: "n6.md", 7: "n7.md", 8: "n2.md" };
        for (const [i, file] of Object.entries(expected)) {
            assert.deepEqual(await byMeaningOnly(reopened, query("A", textOf(Number(i)))), [file], `text ${i} finds ${file} by meaning`);
        }
        assert.deepEqual(await byMeaningOnly(reopened, query("A", textOf(2))), [], "the replaced text of n2 is not found any more");
        assert.deepEqual(await byMeaningOnly(reopened, query("B", textOf(3))), [], "a query of another model is not compared");
        assert.deepEqual(await reopened.search("zzyzx qwertz", 5), [], "without a query vector: words only");
        const only = (await reopened.search("zzyzx", 5, (p) => p.endsWith("n4.md"), query("A", textOf(3)))).map((h) => h.relativePath);
        assert.deepEqual(only, [], "the file filter applies to the vector side");
        await reopened.close();
    });

    it("fuses the lexical and the cosine ranking by RRF in search", async () => {
        const { index } = await corpus();
        await index.embedMissing({ modelId: "A", embed: fakeEmbed("A") });
        const lexical = (await index.search("lantern", 50)).map((h) => h.relativePath);
        assert.equal(lexical.length, 8, "every chunk says lantern(s)");
        // The cosine ranking, computed here from the texts, not by the index.
        const texts: Record<string, string> = { "n0.md": textOf(0), "n1.md": textOf(1), "n2.md": textOf(8), "n3.md": textOf(3), "n4.md": textOf(4), "n5.md": textOf(5), "n6.md": textOf(6), "n7.md": textOf(7) };
        const q = fakeVector("A", textOf(1));
        const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
        const cosine = Object.keys(texts).sort((a, b) => dot(fakeVector("A", texts[b]!), q) - dot(fakeVector("A", texts[a]!), q));
        assert.equal(cosine[0], "n1.md");
        const expected = reciprocalRankFusion([lexical, cosine]).map((f) => f.item).slice(0, 5);
        const fused = await index.search("lantern", 5, undefined, { modelId: "A", vector: q });
        assert.deepEqual(fused.map((h) => h.relativePath), expected);
        assert.notDeepEqual(expected, lexical.slice(0, 5), "the vector side changed the order");
        assert.ok(fused[0]!.text.length > 0 && fused[0]!.score > 0);
        await index.close();
    });

    it("embeds only what changed after an update, and everything again when the model changes (old vectors deleted)", async () => {
        const { root, dir, index } = await corpus();
        await index.embedMissing({ modelId: "A", embed: fakeEmbed("A") });
        const filesA = (await fs.readdir(dir)).filter((f) => f.startsWith("vec-"));
        assert.equal(filesA.length, 3, "one vector file per segment");
        await writeTree(root, { "n9.md": textOf(9) });
        await index.updatePaths([path.join(root, "n9.md")]);
        assert.deepEqual(index.vectorProgress("A"), { done: 8, total: 9 });
        const calls: string[][] = [];
        assert.deepEqual(await index.embedMissing({ modelId: "A", embed: fakeEmbed("A", calls) }), { embedded: 1 });
        assert.deepEqual(calls, [[textOf(9)]]);

        assert.deepEqual(index.vectorProgress("B"), { done: 0, total: 9 }, "vectors of model A do not count for B");
        assert.deepEqual(await index.embedMissing({ modelId: "B", embed: fakeEmbed("B") }), { embedded: 9 });
        const filesB = (await fs.readdir(dir)).filter((f) => f.startsWith("vec-"));
        assert.equal(filesB.length, 4);
        assert.equal(filesB.filter((f) => filesA.includes(f)).length, 0, "model A's files are gone");
        assert.deepEqual(await byMeaningOnly(index, query("B", textOf(9))), ["n9.md"]);
        assert.deepEqual(await byMeaningOnly(index, query("A", textOf(9))), [], "model A's vectors are no longer used");
        await index.close();
    });

    it("a failure in the middle keeps the finished segments; an uncommitted or damaged vector file is never used", async () => {
        const { root, dir, index } = await corpus();
        let batches = 0;
        const failing = async (texts: string[]): Promise<Float32Array[]> => {
            if (++batches > 1) throw new Error("the engine stopped");
            return fakeEmbed("A")(texts);
        };
        await assert.rejects(index.embedMissing({ modelId: "A", embed: failing }), /engine stopped/);
        const done = index.vectorProgress("A").done;
        assert.ok(done > 0 && done < 8, `one segment committed (${done} chunks)`);
        await index.close();
        // A vector file written but never named by a manifest (a crash before the commit) is garbage.
        await fs.writeFile(path.join(dir, "vec-99-99.f32"), new Uint8Array(DIMS * 4));

        let reopened = await openIndex(indexConfig(dir, root));
        assert.equal((await fs.readdir(dir)).includes("vec-99-99.f32"), false);
        assert.equal(reopened.vectorProgress("A").done, done, "what was committed is kept");
        assert.deepEqual(await reopened.embedMissing({ modelId: "A", embed: fakeEmbed("A") }), { embedded: 8 - done });
        assert.deepEqual(await byMeaningOnly(reopened, query("A", textOf(0))), ["n0.md"]);
        await reopened.close();

        // Flip one byte of the first segment's vectors (same size): the checksum catches it, the index is not
        // rebuilt, those chunks are searched by words only until embedded again.
        const manifest = JSON.parse((await fs.readFile(path.join(dir, MANIFEST), "utf8")).split("\n")[1]!) as { vectors: { segments: Record<string, { file: string }> } };
        const first = Object.values(manifest.vectors.segments)[0]!.file;
        const bytes = await fs.readFile(path.join(dir, first));
        bytes[5] = bytes[5]! ^ 0xff;
        await fs.writeFile(path.join(dir, first), bytes);
        reopened = await openIndex(indexConfig(dir, root));
        assert.deepEqual(await byMeaningOnly(reopened, query("A", textOf(0))), [], "the damaged vectors are not trusted");
        assert.equal((await reopened.search("harbours", 10)).length, 8, "words still find every chunk");
        assert.deepEqual(await reopened.embedMissing({ modelId: "A", embed: fakeEmbed("A") }), { embedded: 5 }, "the damaged segment is embedded again");
        assert.deepEqual(await byMeaningOnly(reopened, query("A", textOf(0))), ["n0.md"]);
        await reopened.close();
    });
});
