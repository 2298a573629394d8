/**
 * The lexical half of retrieval: MiniSearch (BM25+) over chunk text, the heading it sits under and its file path,
 * with Hearth's tokenizer (code identifiers split and whole, Chinese words and character pairs). Documents are
 * chunk ids only: the text stays on disk in the segments and is read for the hits alone.
 */
import MiniSearch from "minisearch";
import { tokenize } from "./tokenize";

export interface LexicalDocument {
    id: number;
    text: string;
    heading: string;
    path: string;
}

const OPTIONS = {
    fields: ["text", "heading", "path"],
    storeFields: [] as string[],
    tokenize: (text: string) => tokenize(text),
    processTerm: (term: string) => term,
    searchOptions: {
        boost: { heading: 1.5, path: 1.2 },
        combineWith: "OR" as const,
        // Word stems: "indexing" finds "index", "chapters" finds "chapter". Only for longer Latin terms (short
        // prefixes match too much; CJK terms are exact).
        prefix: (term: string) => term.length >= 5 && /^[a-z]/.test(term),
    },
};

export class LexicalIndex {
    private search_: MiniSearch<LexicalDocument>;

    private constructor(search: MiniSearch<LexicalDocument>) {
        this.search_ = search;
    }

    static create(): LexicalIndex {
        return new LexicalIndex(new MiniSearch<LexicalDocument>(OPTIONS));
    }

    static fromJSON(json: string): LexicalIndex {
        return new LexicalIndex(MiniSearch.loadJSON<LexicalDocument>(json, OPTIONS));
    }

    toJSON(): string {
        return JSON.stringify(this.search_);
    }

    get size(): number {
        return this.search_.documentCount;
    }

    has(id: number): boolean {
        return this.search_.has(id);
    }

    add(doc: LexicalDocument): void {
        if (this.search_.has(doc.id)) this.search_.discard(doc.id);
        this.search_.add(doc);
    }

    /** Removes a chunk without needing its text (MiniSearch cleans up its postings lazily). */
    discard(id: number): void {
        if (this.search_.has(id)) this.search_.discard(id);
    }

    /** Chunk ids with BM25 scores, best first; `filter` keeps only some ids (one file's chunks). */
    search(query: string, limit: number, filter?: (id: number) => boolean): { id: number; score: number }[] {
        const results = this.search_.search(query, filter ? { filter: (r) => filter(r.id as number) } : {});
        return results.slice(0, limit).map((r) => ({ id: r.id as number, score: r.score }));
    }
}
