/**
 * Hearth's lexical index scores BM25+ itself over compact posting lists (see src/core/knowledge/lexicalIndex.ts for
 * why). This test keeps it honest against the library it replaced: MiniSearch 7, configured as index format 1 used
 * it, must rank the labelled corpus (test/retrieval) the same for every labelled question, with the same scores.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import MiniSearch from "minisearch";
import { chunkText, fileKind } from "../../src/core/knowledge/chunking";
import { LexicalIndex, type LexicalDocument } from "../../src/core/knowledge/lexicalIndex";
import { tokenize } from "../../src/core/knowledge/tokenize";
import { CORPUS_DIR, loadQuestions } from "../helpers/retrievalSet";

/** The MiniSearch options of index format 1 (git show b26c1b6:src/core/knowledge/lexicalIndex.ts). */
const MINISEARCH_OPTIONS = {
    fields: ["text", "heading", "path"],
    storeFields: [] as string[],
    tokenize: (text: string) => tokenize(text),
    processTerm: (term: string) => term,
    searchOptions: {
        boost: { heading: 1.5, path: 1.2 },
        combineWith: "OR" as const,
        prefix: (term: string) => term.length >= 5 && /^[a-z]/.test(term),
    },
};

async function corpusDocuments(): Promise<LexicalDocument[]> {
    const docs: LexicalDocument[] = [];
    const files = (await fs.readdir(CORPUS_DIR, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    for (const entry of files.sort((a, b) => (a.parentPath + a.name < b.parentPath + b.name ? -1 : 1))) {
        const full = path.join(entry.parentPath, entry.name);
        const kind = fileKind(full);
        if (kind !== "prose" && kind !== "code") continue;
        const relative = path.relative(CORPUS_DIR, full).split(path.sep).join("/");
        for (const chunk of chunkText(await fs.readFile(full, "utf8"), kind)) {
            docs.push({ id: docs.length + 1, text: chunk.text, heading: chunk.heading ?? "", path: relative });
        }
    }
    return docs;
}

describe("knowledge lexical index agrees with MiniSearch (the library of index format 1)", function () {
    this.timeout(60_000);

    it("ranks every labelled question's top 10 chunks in the same order with the same BM25+ scores", async () => {
        const docs = await corpusDocuments();
        assert.ok(docs.length > 500, `${docs.length} chunks`);
        const ours = LexicalIndex.create({ deltaMaxPostings: 20_000 });
        const reference = new MiniSearch<LexicalDocument>(MINISEARCH_OPTIONS);
        for (const doc of docs) {
            ours.add(doc);
            reference.add(doc);
        }
        // Replace and remove some chunks in both (MiniSearch discards lazily, ours until the next compaction).
        for (const doc of docs) {
            if (doc.id % 17 === 0) {
                ours.discard(doc.id);
                reference.discard(doc.id);
            } else if (doc.id % 23 === 0) {
                const changed = { ...doc, text: `${doc.text}\nlighthouse keeper notes` };
                ours.add(changed);
                reference.discard(doc.id);
                reference.add(changed);
            }
        }
        // MiniSearch counts a discarded chunk in a term's document frequency until it vacuums: let it finish first.
        await reference.vacuum();
        const questions = (await loadQuestions()).map((q) => q.question);
        let compared = 0;
        for (const question of [...questions, "lighthouse keeper", "parse version range", "semver", "light", "rabbi"]) {
            const terms = ours.queryTerms(question);
            const expected = terms.length ? reference.search(question, { tokenize: () => terms }).slice(0, 10) : [];
            const got = ours.search(question, 10);
            assert.deepEqual(got.map((h) => h.id), expected.map((r) => r.id), `ranking of: ${question}`);
            got.forEach((hit, i) => {
                const want = expected[i]!.score;
                assert.ok(Math.abs(hit.score - want) <= 1e-9 * Math.max(1, Math.abs(want)), `score of ${hit.id} for "${question}": ${hit.score} vs ${want}`);
            });
            compared += got.length;
        }
        assert.ok(compared > questions.length * 5, `${compared} hits compared`);
    });
});
