/**
 * The stale-range check behind Accept: a proposed edit replaces the text the user selected, and only that text.
 * While the review is open the user may keep editing; edits elsewhere move the range (tracked here through the
 * document's content changes), edits inside it make the proposal stale, and Accept then refuses to clobber.
 */

/** Character offsets into the document, end exclusive. */
export interface OffsetRange {
    start: number;
    end: number;
}

/** One content change as VS Code reports it: the replaced range (offset + length) and the inserted text length. */
export interface ContentChange {
    rangeOffset: number;
    rangeLength: number;
    textLength: number;
}

export type TrackResult = { kind: "moved"; range: OffsetRange } | { kind: "overlap" };

/**
 * Where the tracked range is after one change. A change touching the range (inside it, or replacing across one of
 * its ends) is an overlap; pure insertions exactly at the start or end boundary leave the range's text intact.
 */
export function trackChange(range: OffsetRange, change: ContentChange): TrackResult {
    const changeStart = change.rangeOffset;
    const changeEnd = change.rangeOffset + change.rangeLength;
    const delta = change.textLength - change.rangeLength;
    if (changeEnd <= range.start) {
        // Entirely before, including an insertion exactly at the start: our text moves by the change's delta.
        return { kind: "moved", range: { start: range.start + delta, end: range.end + delta } };
    }
    if (changeStart >= range.end) return { kind: "moved", range };
    return { kind: "overlap" };
}

/** Applies changes in the order VS Code lists them for one event (already sorted so offsets stay valid). */
export function trackChanges(range: OffsetRange, changes: readonly ContentChange[]): TrackResult {
    // VS Code reports an event's changes against the document before the event, in descending offset order for
    // multi-cursor edits; apply from the highest offset down so earlier offsets are still valid.
    const ordered = [...changes].sort((a, b) => b.rangeOffset - a.rangeOffset);
    let current: OffsetRange = range;
    for (const c of ordered) {
        const r = trackChange(current, c);
        if (r.kind === "overlap") return r;
        current = r.range;
    }
    return { kind: "moved", range: current };
}

export type StaleCheck = { ok: true } | { ok: false; reason: "edited" | "closed" | "changedText" };

/**
 * The final gate before applying: the range must still be tracked and hold exactly the original text. Compared
 * with line endings normalised, because VS Code may normalise a document's EOL on its own.
 */
export function checkUnchanged(tracked: TrackResult | undefined, textAtRange: string | undefined, originalText: string): StaleCheck {
    if (!tracked || textAtRange === undefined) return { ok: false, reason: "closed" };
    if (tracked.kind === "overlap") return { ok: false, reason: "edited" };
    const norm = (s: string) => s.replace(/\r\n/g, "\n");
    return norm(textAtRange) === norm(originalText) ? { ok: true } : { ok: false, reason: "changedText" };
}
