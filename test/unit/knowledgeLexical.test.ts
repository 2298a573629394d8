import * as assert from "node:assert/strict";
import { LexicalIndex, type LexicalDocument } from "../../src/core/knowledge/lexicalIndex";

/** Deterministic documents over a small vocabulary (with Chinese and identifiers), so terms repeat across chunks. */
function documents(count: number, firstId = 1): LexicalDocument[] {
    const words = ["lighthouse", "keeper", "harbour", "storm", "lantern", "parseHttpResponse", "max_file_size", "ship", "rocks", "signal", "燈塔", "看守人", "风暴"];
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    return Array.from({ length: count }, (_, i) => ({
        id: firstId + i,
        text: Array.from({ length: 5 + Math.floor(next() * 30) }, () => words[Math.floor(next() * words.length)]).join(" "),
        heading: i % 3 ? `Chapter ${i % 7} ${words[i % words.length]}` : "",
        path: `notes/file${i % 11}.md`,
    }));
}

const QUERIES = ["lighthouse keeper", "storm", "parse http response", "max_file_size", "燈塔看守人", "风暴 lantern", "chapter signal", "light", "file3"];

function results(index: LexicalIndex, query: string): string {
    return index.search(query, 10).map((r) => `${r.id}:${r.score.toFixed(9)}`).join(" ");
}

describe("knowledge lexical index (compact posting lists)", () => {
    it("gives the same ranking whether postings sit in the delta, were merged often, or were read back from a snapshot", () => {
        const docs = documents(300);
        const unmerged = LexicalIndex.create({ deltaMaxPostings: Number.MAX_SAFE_INTEGER });
        const merged = LexicalIndex.create({ deltaMaxPostings: 50 });
        for (const doc of docs) {
            unmerged.add(doc);
            merged.add(doc);
        }
        const restored = LexicalIndex.deserialize(Buffer.from(LexicalIndex.create().serialize(null))).index;
        assert.equal(restored.size, 0);
        const snapshot = LexicalIndex.deserialize<{ note: string }>(unmerged.serialize({ note: "kept" }));
        assert.equal(snapshot.meta.note, "kept");
        for (const query of QUERIES) {
            const expected = results(unmerged, query);
            assert.ok(expected.length > 0, query);
            assert.equal(results(merged, query), expected, `merged: ${query}`);
            assert.equal(results(snapshot.index, query), expected, `snapshot: ${query}`);
        }
    });

    it("forgets removed and replaced chunks, before and after compaction, and keeps scoring as if they were never there", () => {
        const docs = documents(200);
        const index = LexicalIndex.create({ deltaMaxPostings: 80 });
        for (const doc of docs) index.add(doc);
        // Remove every third chunk and replace every fifth with new text.
        for (const doc of docs) if (doc.id % 3 === 0) index.discard(doc.id);
        for (const doc of docs) if (doc.id % 5 === 0 && doc.id % 3 !== 0) index.add({ ...doc, text: `${doc.text} zebra` });
        const fresh = LexicalIndex.create();
        for (const doc of docs) {
            if (doc.id % 3 === 0) continue;
            fresh.add(doc.id % 5 === 0 ? { ...doc, text: `${doc.text} zebra` } : doc);
        }
        assert.equal(index.size, fresh.size);
        for (const query of [...QUERIES, "zebra"]) {
            const hits = index.search(query, 500);
            assert.ok(hits.every((h) => h.id % 3 !== 0), `no removed chunk for ${query}`);
            assert.equal(results(index, query), results(fresh, query), `before compaction: ${query}`);
        }
        index.compact();
        const reread = LexicalIndex.deserialize(index.serialize(null)).index;
        for (const query of [...QUERIES, "zebra"]) {
            assert.equal(results(index, query), results(fresh, query), `after compaction: ${query}`);
            assert.equal(results(reread, query), results(fresh, query), `read back: ${query}`);
        }
        assert.deepEqual(index.search("zebra", 100).map((h) => h.id).sort((a, b) => a - b), docs.filter((d) => d.id % 5 === 0 && d.id % 3 !== 0).map((d) => d.id));
    });

    it("ranks by BM25: rarer terms and matches in more query terms weigh more, headings and paths count, prefixes find longer words", () => {
        const index = LexicalIndex.create();
        index.add({ id: 1, text: "the keeper lit the lantern", heading: "", path: "a.md" });
        index.add({ id: 2, text: "the keeper slept", heading: "", path: "b.md" });
        index.add({ id: 3, text: "a storm", heading: "Lantern", path: "c.md" });
        index.add({ id: 4, text: "lanterns everywhere", heading: "", path: "d.md" });
        for (let i = 5; i < 40; i++) index.add({ id: i, text: "keeper of nothing in particular", heading: "", path: `x${i}.md` });
        assert.equal(index.search("keeper lantern", 5)[0]?.id, 1, "both terms beat one");
        assert.ok(index.search("lantern", 10).some((h) => h.id === 3), "heading matches");
        assert.ok(index.search("lantern", 10).some((h) => h.id === 4), "prefix: lantern finds lanterns");
        assert.equal(index.search("d.md", 1)[0]?.id, 4, "path matches");
    });

    it("rejects a damaged snapshot instead of reading garbage", () => {
        const index = LexicalIndex.create();
        for (const doc of documents(50)) index.add(doc);
        const raw = index.serialize(null);
        assert.throws(() => LexicalIndex.deserialize(raw.subarray(0, raw.length - 40)));
        const foreign = Buffer.from(raw);
        foreign.write("XXXX", 0, "latin1");
        assert.throws(() => LexicalIndex.deserialize(foreign));
    });
});
