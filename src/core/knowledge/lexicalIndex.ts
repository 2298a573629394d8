/**
 * The lexical half of retrieval: MiniSearch (BM25+) over chunk text, the heading it sits under and its file path,
 * with Hearth's tokenizer (code identifiers split and whole, Chinese words and character pairs). Documents are
 * chunk ids only: the text stays on disk in the segments and is read for the hits alone.
 */
import MiniSearch from "minisearch";
import { tokenize } from "./tokenize";

/** Query terms in more than this share of chunks are dropped when rarer terms are in the query (see queryTerms). */
const COMMON_SHARE = 0.2;
/** ...but never in a small index, where every term is "common". */
const MIN_COMMON_DF = 200;
const MAX_QUERY_TERMS = 32;

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
        const terms = this.queryTerms(query);
        if (terms.length === 0) return [];
        const results = this.search_.search(query, { tokenize: () => terms, ...(filter ? { filter: (r) => filter(r.id as number) } : {}) });
        return results.slice(0, limit).map((r) => ({ id: r.id as number, score: r.score }));
    }

    /**
     * The query's terms, without the very common ones when rarer ones are there: a term found in more than a fifth
     * of all chunks adds little to BM25 (its IDF is near the floor) but costs the most, since every chunk that holds
     * it is scored. Measured on the generated 5,000-file workspace: search p50 went from ~600 ms to the figure in the
     * README. A long pasted question keeps its rarest terms only.
     */
    queryTerms(query: string): string[] {
        const unique = [...new Set(tokenize(query))];
        const n = this.search_.documentCount;
        const withDf = unique.map((term) => ({ term, df: this.documentFrequency(term) })).sort((a, b) => a.df - b.df);
        const common = Math.max(MIN_COMMON_DF, n * COMMON_SHARE);
        const rare = withDf.filter((t) => t.df <= common);
        const kept = rare.length > 0 ? rare : withDf.slice(0, 3);
        return kept.slice(0, MAX_QUERY_TERMS).map((t) => t.term);
    }

    /** Chunks holding `term` (MiniSearch keeps term → field → chunk → frequency; read, never changed, here). */
    private documentFrequency(term: string): number {
        const data = (this.search_ as unknown as { _index: { get(term: string): Map<number, Map<number, number>> | undefined } })._index.get(term);
        let df = 0;
        for (const docs of data?.values() ?? []) df = Math.max(df, docs.size);
        return df;
    }
}
