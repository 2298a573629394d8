/** Grounded answers (src/core/chat/grounding.ts, src/chat/groundedTurn.ts) with a fake index and tokenizer. */
import * as assert from "node:assert/strict";
import { groundTurn } from "../../src/chat/groundedTurn";
import { citedSources, hitsWithin, parseScope, sourceLabel, sourcesText } from "../../src/core/chat/grounding";
import type { Attachment } from "../../src/protocol/conversation";
import type { KnowledgeHit, KnowledgeScope } from "../../src/protocol/knowledge";

function hit(relativePath: string, startLine: number, text: string, page?: number): KnowledgeHit {
    return { text, uri: `file:///w/${relativePath}`, fsPath: `/w/${relativePath}`, relativePath, startLine, endLine: startLine + 4, page, score: 1 };
}
const countTokens = async (texts: string[]) => texts.map((t) => Math.ceil(t.length / 4));

describe("grounded answers", () => {
    it("reads @workspace and @library prefixes, in either width", () => {
        assert.deepEqual(parseScope("@workspace where is the tide computed?"), { scope: "workspace", question: "where is the tide computed?" });
        assert.deepEqual(parseScope("＠library：潮汐表在哪里？"), { scope: "library", question: "潮汐表在哪里？" });
        assert.deepEqual(parseScope("email me@workspace.com"), { question: "email me@workspace.com" });
    });

    it("labels sources by file and line, or PDF page, and numbers them", () => {
        assert.equal(sourceLabel(hit("src/tide.ts", 10, "x")), "src/tide.ts:10–14");
        assert.equal(sourceLabel(hit("report.pdf", 3, "x", 12)), "report.pdf p. 12");
        assert.match(sourcesText([hit("a.md", 1, "alpha"), hit("b.md", 7, "beta")], 3), /^\[3\] a\.md:1–5\n```\nalpha\n```\n\n\[4\] b\.md:7–11/);
    });

    it("keeps only the hits that fit, at least one", () => {
        assert.equal(hitsWithin([100, 100, 100], 250), 2);
        assert.equal(hitsWithin([500], 100), 1);
        assert.equal(hitsWithin([], 100), 0);
    });

    it("finds the citations an answer makes, ignoring code", () => {
        assert.deepEqual(citedSources("Tides are computed daily [2][1]. See `arr[3]` and [9].", 3), [2, 1]);
    });

    it("@workspace: numbered sources within the room, and the instruction to cite them", async () => {
        const searched: KnowledgeScope[] = [];
        const hits = Array.from({ length: 8 }, (_, i) => hit(`notes/n${i}.md`, i + 1, "tide table ".repeat(40)));
        const r = await groundTurn({
            question: "where is the tide table?", scope: "workspace", attachments: [], room: 700,
            deps: { search: async (_q, scope) => { searched.push(scope); return hits; }, countTokens },
        });
        assert.deepEqual(searched, ["workspace"]);
        assert.equal(r.nothingFound, false);
        assert.equal(r.attachments.length, 1);
        assert.equal(r.attachments[0]!.kind, "sources");
        assert.ok(r.attachments[0]!.tokens <= 700, `sources take ${r.attachments[0]!.tokens} of 700 tokens`);
        assert.ok(r.sources.length >= 1 && r.sources.length < 8, `${r.sources.length} sources fit`);
        assert.deepEqual(r.sources.map((s) => s.n), r.sources.map((_, i) => i + 1));
        assert.match(r.instruction!, /cite the source/);
    });

    it("nothing in the index: nothingFound, no sources, no instruction", async () => {
        const r = await groundTurn({ question: "q", scope: "library", attachments: [], room: 700, deps: { search: async () => [], countTokens } });
        assert.equal(r.nothingFound, true);
        assert.deepEqual(r.sources, []);
        assert.equal(r.instruction, undefined);
    });

    it("a file too large for its share is replaced by the parts that answer the question; small ones stay whole", async () => {
        const big: Attachment = { id: "a", kind: "file", label: "report.md", path: "report.md", languageId: "markdown", text: "x".repeat(40_000), tokens: 10_000, estimated: false, uri: "file:///w/report.md" };
        const small: Attachment = { ...big, id: "b", label: "note.md", path: "note.md", text: "short", tokens: 2, uri: "file:///w/note.md" };
        const scopes: KnowledgeScope[] = [];
        const r = await groundTurn({
            question: "what did the auditors find?", attachments: [big, small], room: 1000,
            deps: { search: async (_q, scope) => { scopes.push(scope); return [hit("report.md", 120, "The auditors found two errors."), hit("report.md", 300, "Both were fixed.")]; }, countTokens },
        });
        assert.deepEqual(scopes, [{ file: "file:///w/report.md" }]);
        assert.equal(r.attachments[0]!.kind, "document");
        assert.match(r.attachments[0]!.text, /\[1\] report\.md:120–124[\s\S]*auditors found two errors[\s\S]*\[2\] report\.md:300/);
        assert.equal(r.attachments[1]!.text, "short");
        assert.equal(r.sources.length, 2);
        assert.match(r.instruction!, /attached document/);
        // Regenerate: the retrieved attachment is retrieved again, not kept or nested.
        const again = await groundTurn({ question: "what did the auditors find?", attachments: r.attachments, room: 1000, deps: { search: async () => [hit("report.md", 5, "Other text.")], countTokens } });
        assert.equal(again.attachments[0]!.kind, "document");
        assert.match(again.attachments[0]!.text, /report\.md:5–9/);
    });
});
