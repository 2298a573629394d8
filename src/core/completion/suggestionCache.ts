/**
 * Remembers recent suggestions by where they were made, so that typing through a suggestion (or accepting part of
 * a multi-line one word by word or line by line) shows the rest at once without asking the model again.
 *
 * An entry matches the current cursor when the text after the cursor is unchanged, the text before it is the
 * entry's text plus a prefix of the suggestion, and some of the suggestion is left to show.
 */

/** Characters before the cursor compared to recognise the same place (plus what was typed since). */
const PREFIX_TAIL_CHARS = 400;
/** Characters after the cursor that must be unchanged. */
const SUFFIX_HEAD_CHARS = 200;

interface Entry {
    docKey: string;
    offset: number;
    prefixTail: string;
    suffixHead: string;
    suggestion: string;
}

export interface CacheHit {
    /** What is left of the suggestion to show at the cursor (empty: an empty answer was cached for this place). */
    text: string;
    /** Characters of the suggestion typed since it was made. */
    typed: number;
}

export class SuggestionCache {
    private entries: Entry[] = [];

    constructor(private readonly capacity = 32) {}

    get size(): number {
        return this.entries.length;
    }

    put(docKey: string, text: string, offset: number, suggestion: string): void {
        const entry: Entry = {
            docKey,
            offset,
            prefixTail: text.slice(Math.max(0, offset - PREFIX_TAIL_CHARS), offset),
            suffixHead: text.slice(offset, offset + SUFFIX_HEAD_CHARS),
            suggestion,
        };
        this.entries = this.entries.filter((e) => !(e.docKey === docKey && e.offset === offset && e.prefixTail === entry.prefixTail));
        this.entries.push(entry);
        if (this.entries.length > this.capacity) this.entries.shift();
    }

    get(docKey: string, text: string, offset: number): CacheHit | undefined {
        const suffixHead = text.slice(offset, offset + SUFFIX_HEAD_CHARS);
        // Newest first: the latest answer for a place wins.
        for (let i = this.entries.length - 1; i >= 0; i--) {
            const e = this.entries[i]!;
            if (e.docKey !== docKey || e.suffixHead !== suffixHead) continue;
            const typed = offset - e.offset;
            if (typed < 0 || typed > e.suggestion.length) continue;
            if (typed === e.suggestion.length && typed > 0) continue; // fully typed: nothing left, ask again
            const expected = e.prefixTail + e.suggestion.slice(0, typed);
            if (text.slice(Math.max(0, offset - expected.length), offset) !== expected) continue;
            return { text: e.suggestion.slice(typed), typed };
        }
        return undefined;
    }

    /** Forget a document's entries (closed) or everything (model changed). */
    clear(docKey?: string): void {
        this.entries = docKey === undefined ? [] : this.entries.filter((e) => e.docKey !== docKey);
    }
}
