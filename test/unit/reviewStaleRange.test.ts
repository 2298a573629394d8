import * as assert from "node:assert/strict";
import { checkUnchanged, trackChange, trackChanges, type OffsetRange } from "../../src/core/polish/trackedRange";

/** Applies a change to a string the way the editor would, so tests check offsets against real text. */
function apply(text: string, offset: number, length: number, insert: string): string {
    return text.slice(0, offset) + insert + text.slice(offset + length);
}

describe("review stale-range check", () => {
    const doc = "alpha BETA gamma";
    const range: OffsetRange = { start: 6, end: 10 }; // "BETA"

    it("moves the range when text is inserted before it", () => {
        const edited = apply(doc, 0, 0, ">> ");
        const r = trackChange(range, { rangeOffset: 0, rangeLength: 0, textLength: 3 });
        assert.equal(r.kind, "moved");
        if (r.kind === "moved") assert.equal(edited.slice(r.range.start, r.range.end), "BETA");
    });

    it("moves the range when text before it is deleted, up to its start", () => {
        const r = trackChange(range, { rangeOffset: 0, rangeLength: 6, textLength: 0 });
        assert.deepEqual(r, { kind: "moved", range: { start: 0, end: 4 } });
    });

    it("keeps the range for edits after it, including an insertion at its end", () => {
        assert.deepEqual(trackChange(range, { rangeOffset: 10, rangeLength: 0, textLength: 5 }), { kind: "moved", range });
        assert.deepEqual(trackChange(range, { rangeOffset: 11, rangeLength: 5, textLength: 1 }), { kind: "moved", range });
    });

    it("treats an insertion at the start as before the range", () => {
        const r = trackChange(range, { rangeOffset: 6, rangeLength: 0, textLength: 2 });
        assert.deepEqual(r, { kind: "moved", range: { start: 8, end: 12 } });
    });

    it("reports an overlap for edits inside or across the range", () => {
        assert.equal(trackChange(range, { rangeOffset: 7, rangeLength: 1, textLength: 1 }).kind, "overlap");
        assert.equal(trackChange(range, { rangeOffset: 8, rangeLength: 0, textLength: 1 }).kind, "overlap");
        assert.equal(trackChange(range, { rangeOffset: 4, rangeLength: 4, textLength: 0 }).kind, "overlap");
        assert.equal(trackChange(range, { rangeOffset: 9, rangeLength: 3, textLength: 0 }).kind, "overlap");
    });

    it("applies the changes of one multi-cursor event from the highest offset down", () => {
        // Two insertions reported against the pre-event document: one before, one after the range.
        let edited = apply(doc, 12, 0, "!!");
        edited = apply(edited, 1, 0, "++");
        const r = trackChanges(range, [
            { rangeOffset: 1, rangeLength: 0, textLength: 2 },
            { rangeOffset: 12, rangeLength: 0, textLength: 2 },
        ]);
        assert.equal(r.kind, "moved");
        if (r.kind === "moved") assert.equal(edited.slice(r.range.start, r.range.end), "BETA");
    });

    it("accepts only while the tracked range still holds the original text", () => {
        assert.deepEqual(checkUnchanged({ kind: "moved", range }, "BETA", "BETA"), { ok: true });
        assert.deepEqual(checkUnchanged({ kind: "moved", range }, "BETA\r\nx", "BETA\nx"), { ok: true });
        assert.deepEqual(checkUnchanged({ kind: "overlap" }, "BETA", "BETA"), { ok: false, reason: "edited" });
        assert.deepEqual(checkUnchanged({ kind: "moved", range }, "BETX", "BETA"), { ok: false, reason: "changedText" });
        assert.deepEqual(checkUnchanged(undefined, undefined, "BETA"), { ok: false, reason: "closed" });
    });
});
