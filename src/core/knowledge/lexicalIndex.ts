/**
 * The lexical half of retrieval: BM25+ over chunk text, the heading it sits under and its file path, with Hearth's
 * tokenizer (code identifiers split and whole, Chinese words and character pairs). Documents are chunk ids only:
 * the text stays on disk in the segments and is read for the hits alone.
 *
 * Why our own posting lists rather than a library (the project prefers libraries; measured on the generated
 * 5,000-file workspace, 33,759 chunks, 3.3 M postings, 191 K distinct terms — bench/index.ts):
 * - MiniSearch 7 (index format 1) keeps a Map per term and field and a Map per document: the indexing worker
 *   peaked at 1.24 GiB RSS while building and 1.7 GiB after reopening, which took 9–19 s (its JSON snapshot is
 *   parsed and every Map rebuilt).
 * - FlexSearch 0.8 with this tokenizer: ~100 MB of heap, but it ranks by term position ("resolution" slots) with
 *   no term weighting: no IDF, no BM25 scores (our hits carry a score, hybrid search fuses ranks), and recall@5 on
 *   the labelled set fell from 0.953 to 0.918. Its export is JSON parsed whole at open.
 * - Others (lunr: immutable, no incremental update; wink-bm25: plain objects; SQLite FTS5: native module per
 *   Electron ABI, or a WASM build that holds the database in memory) do not fit an incremental, bounded index.
 * So: BM25+ exactly as MiniSearch scored it (k 1.2, b 0.7, d 0.5, per-field IDF, field length = distinct terms,
 * field boosts, prefix matches weighted 0.375, score × matched query terms), over typed-array posting lists
 * (postingLists.ts) whose snapshot is read back as-is: ~8 bytes per posting instead of hundreds. The tokenizer is
 * the one MiniSearch was given. test/unit/knowledgeLexicalReference.test.ts keeps MiniSearch (a dev dependency) as
 * the reference: same top 10 and scores (1e-9) for every labelled question. Deliberate differences (they change no
 * top 10 there): at most 24 prefix expansions per term (the shortest), heading/path term frequencies capped at 15,
 * and removed chunks never count in a term's document frequency (MiniSearch counts them until it vacuums).
 */
import {
    EMPTY_POSTINGS, FIELDS, fieldTf, lowerBound, mergePostings, packTf, serializeLexical, deserializeLexical,
    type DeltaList, type FrozenPostings,
} from "./postingLists";
import { tokenize } from "./tokenize";

/** Query terms in more than this share of chunks are dropped when rarer terms are in the query (see queryTerms). */
const COMMON_SHARE = 0.2;
/** ...but never in a small index, where every term is "common". */
const MIN_COMMON_DF = 200;
/** At most 32 (a document's matched query terms are a 32-bit mask). */
const MAX_QUERY_TERMS = 32;
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };
/** text, heading, path */
const FIELD_BOOST = [1, 1.5, 1.2];
const PREFIX_WEIGHT = 0.375;
/** A short prefix can match hundreds of words; the closest (shortest) ones carry nearly all the weight. */
const MAX_PREFIX_EXPANSIONS = 24;
/** The mutable delta is merged into the compact lists once it holds this many postings (bounds build memory). */
const DELTA_MAX_POSTINGS = 300_000;

export interface LexicalDocument {
    id: number;
    text: string;
    heading: string;
    path: string;
}

/** Word stems: "indexing" finds "index", "chapters" finds "chapter". Only longer Latin terms; CJK terms are exact. */
function takesPrefix(term: string): boolean {
    return term.length >= 5 && /^[a-z]/.test(term);
}

function grow(array: Uint32Array, need: number): Uint32Array {
    if (need <= array.length) return array;
    const next = new Uint32Array(Math.max(need, array.length * 2, 64));
    next.set(array);
    return next;
}

export class LexicalIndex<Meta = unknown> {
    private frozen: FrozenPostings = EMPTY_POSTINGS;
    private delta = new Map<string, DeltaList>();
    private deltaPostings = 0;
    /** Per document number: its chunk id, field lengths (3 per document) and whether it was removed. */
    private chunkIds: Uint32Array = new Uint32Array(0);
    private lengths: Uint32Array = new Uint32Array(0);
    private removed = new Uint8Array(0);
    private docCount = 0;
    private readonly docOf = new Map<number, number>();
    private readonly totalLength = [0, 0, 0];

    private constructor(private readonly deltaMaxPostings = DELTA_MAX_POSTINGS) {}

    /** `deltaMaxPostings`: merge the delta at this size (tests make it tiny to exercise merging). */
    static create<M = unknown>(options: { deltaMaxPostings?: number } = {}): LexicalIndex<M> {
        return new LexicalIndex<M>(options.deltaMaxPostings);
    }

    /** Reads a snapshot written by serialize(); throws when it is damaged. */
    static deserialize<M>(raw: Buffer): { index: LexicalIndex<M>; meta: M } {
        const data = deserializeLexical<M>(raw);
        const index = new LexicalIndex<M>();
        index.frozen = data.postings;
        index.chunkIds = data.chunkIds;
        index.lengths = data.lengths;
        index.docCount = data.chunkIds.length;
        index.removed = new Uint8Array(index.docCount);
        for (let doc = 0; doc < index.docCount; doc++) {
            index.docOf.set(data.chunkIds[doc]!, doc);
            for (let f = 0; f < FIELDS; f++) index.totalLength[f]! += data.lengths[doc * FIELDS + f]!;
        }
        if (index.docOf.size !== index.docCount) throw new Error("lexical snapshot has duplicate chunk ids");
        return { index, meta: data.meta };
    }

    /** The compact binary form (compacts first: removed chunks leave the lists). */
    serialize(meta: Meta): Buffer {
        this.compact();
        return serializeLexical({
            meta, chunkIds: this.chunkIds.subarray(0, this.docCount), lengths: this.lengths.subarray(0, this.docCount * FIELDS), postings: this.frozen,
        });
    }

    get size(): number {
        return this.docOf.size;
    }

    has(id: number): boolean {
        return this.docOf.has(id);
    }

    add(doc: LexicalDocument): void {
        this.discard(doc.id);
        const number = this.docCount++;
        this.chunkIds = grow(this.chunkIds, this.docCount);
        this.lengths = grow(this.lengths, this.docCount * FIELDS);
        if (this.removed.length < this.docCount) {
            const next = new Uint8Array(Math.max(this.docCount, this.removed.length * 2, 64));
            next.set(this.removed);
            this.removed = next;
        }
        this.chunkIds[number] = doc.id;
        this.docOf.set(doc.id, number);
        const counts = new Map<string, [number, number, number]>();
        [doc.text, doc.heading, doc.path].forEach((value, field) => {
            const terms = value ? tokenize(value) : [];
            // A field's length is its number of distinct terms (as MiniSearch counts it for BM25's length norm).
            let distinct = 0;
            for (const term of terms) {
                let c = counts.get(term);
                if (!c) counts.set(term, (c = [0, 0, 0]));
                if (c[field]!++ === 0) distinct++;
            }
            this.lengths[number * FIELDS + field] = distinct;
            this.totalLength[field]! += distinct;
        });
        for (const [term, [text, heading, path]] of counts) {
            let list = this.delta.get(term);
            if (!list) this.delta.set(term, (list = []));
            list.push(number, packTf(text, heading, path));
        }
        this.deltaPostings += counts.size;
        if (this.deltaPostings > this.deltaMaxPostings) this.compact();
    }

    /** Removes a chunk (its postings stay, skipped, until the next compaction). */
    discard(id: number): void {
        const number = this.docOf.get(id);
        if (number === undefined) return;
        this.docOf.delete(id);
        this.removed[number] = 1;
        for (let f = 0; f < FIELDS; f++) this.totalLength[f]! -= this.lengths[number * FIELDS + f]!;
    }

    /** Merges the delta into the compact lists and drops removed chunks (documents are renumbered densely). */
    compact(): void {
        if (this.delta.size === 0 && this.docOf.size === this.docCount) return;
        const renumber = new Int32Array(this.docCount);
        let next = 0;
        for (let doc = 0; doc < this.docCount; doc++) {
            if (this.removed[doc]) {
                renumber[doc] = -1;
                continue;
            }
            renumber[doc] = next;
            this.chunkIds[next] = this.chunkIds[doc]!;
            for (let f = 0; f < FIELDS; f++) this.lengths[next * FIELDS + f] = this.lengths[doc * FIELDS + f]!;
            this.docOf.set(this.chunkIds[next]!, next);
            next++;
        }
        this.frozen = mergePostings(this.frozen, this.delta, renumber);
        this.delta = new Map();
        this.deltaPostings = 0;
        this.docCount = next;
        // Owned copies at the exact size (after a load these were views into the snapshot's buffer).
        this.chunkIds = this.chunkIds.slice(0, next);
        this.lengths = this.lengths.slice(0, next * FIELDS);
        this.removed = new Uint8Array(next);
    }

    /** Chunk ids with BM25 scores, best first; `filter` keeps only some ids (one file's chunks). */
    search(query: string, limit: number, filter?: (id: number) => boolean): { id: number; score: number }[] {
        const terms = this.queryTerms(query);
        if (terms.length === 0 || this.docOf.size === 0) return [];
        const scores = new Float64Array(this.docCount);
        const matched = new Uint32Array(this.docCount);
        const touched: number[] = [];
        const n = this.docOf.size;
        const average = this.totalLength.map((t) => t / n);
        terms.forEach((term, q) => {
            for (const { term: derived, weight } of this.expand(term)) {
                const lists = this.postingsOf(derived);
                // Per-field document frequency (as MiniSearch: a term in few headings weighs more there).
                const df = [0, 0, 0];
                this.eachPosting(lists, (doc, tf) => {
                    for (let f = 0; f < FIELDS; f++) if (fieldTf(tf, f)) df[f]!++;
                });
                const idf = df.map((d) => Math.log(1 + (n - d + 0.5) / (d + 0.5)));
                this.eachPosting(lists, (doc, tf) => {
                    if (filter && !filter(this.chunkIds[doc]!)) return;
                    let score = 0;
                    for (let f = 0; f < FIELDS; f++) {
                        const freq = fieldTf(tf, f);
                        if (!freq) continue;
                        const norm = 1 - BM25.b + BM25.b * this.lengths[doc * FIELDS + f]! / (average[f]! || 1);
                        score += FIELD_BOOST[f]! * idf[f]! * (BM25.d + freq * (BM25.k + 1) / (freq + BM25.k * norm));
                    }
                    if (matched[doc] === 0) touched.push(doc);
                    scores[doc]! += weight * score;
                    matched[doc]! |= 1 << q;
                });
            }
        });
        const results = touched.map((doc) => ({ id: this.chunkIds[doc]!, score: scores[doc]! * popcount(matched[doc]!) }));
        results.sort((a, b) => b.score - a.score || a.id - b.id);
        return results.slice(0, limit);
    }

    /**
     * The query's terms, without the very common ones when rarer ones are there: a term found in more than a fifth
     * of all chunks adds little to BM25 (its IDF is near the floor) but costs the most, since every chunk that holds
     * it is scored. Measured on the generated 5,000-file workspace: search p50 went from ~600 ms to the figure in the
     * README. A long pasted question keeps its rarest terms only.
     */
    queryTerms(query: string): string[] {
        const unique = [...new Set(tokenize(query))];
        const n = this.docOf.size;
        // Terms found nowhere (not even as the prefix of an indexed word: "light" finds "lighthouse") are left out
        // first: they score nothing, and as the "rarest" they would crowd out the rest.
        const withDf = unique
            .map((term) => ({ term, df: this.documentFrequency(term) }))
            .filter((t) => t.df > 0 || this.expand(t.term).length > 1)
            .sort((a, b) => a.df - b.df);
        const common = Math.max(MIN_COMMON_DF, n * COMMON_SHARE);
        const rare = withDf.filter((t) => t.df <= common);
        const kept = rare.length > 0 ? rare : withDf.slice(0, 3);
        return kept.slice(0, MAX_QUERY_TERMS).map((t) => t.term);
    }

    /** Chunks holding `term` (removed chunks not yet compacted away still count: an estimate, cheap). */
    private documentFrequency(term: string): number {
        const { from, to, delta } = this.postingsOf(term);
        return to - from + (delta ? delta.length / 2 : 0);
    }

    private postingsOf(term: string): { from: number; to: number; delta: DeltaList | undefined } {
        const i = lowerBound(this.frozen.terms, term);
        const found = this.frozen.terms[i] === term;
        return { from: found ? this.frozen.offsets[i]! : 0, to: found ? this.frozen.offsets[i + 1]! : 0, delta: this.delta.get(term) };
    }

    private eachPosting(lists: { from: number; to: number; delta: DeltaList | undefined }, visit: (doc: number, tf: number) => void): void {
        const { docs, tfs } = this.frozen;
        for (let p = lists.from; p < lists.to; p++) {
            const doc = docs[p]!;
            if (!this.removed[doc]) visit(doc, tfs[p]!);
        }
        const delta = lists.delta;
        if (!delta) return;
        for (let p = 0; p < delta.length; p += 2) {
            const doc = delta[p]!;
            if (!this.removed[doc]) visit(doc, delta[p + 1]!);
        }
    }

    /** The term itself and, for longer Latin terms, the indexed words it is a prefix of (weighted down by length). */
    private expand(term: string): { term: string; weight: number }[] {
        const out = [{ term, weight: 1 }];
        if (!takesPrefix(term)) return out;
        const longer = new Set<string>();
        const terms = this.frozen.terms;
        for (let i = lowerBound(terms, term); i < terms.length && terms[i]!.startsWith(term); i++) if (terms[i] !== term) longer.add(terms[i]!);
        for (const key of this.delta.keys()) if (key !== term && key.startsWith(term)) longer.add(key);
        const closest = [...longer].sort((a, b) => a.length - b.length || (a < b ? -1 : 1)).slice(0, MAX_PREFIX_EXPANSIONS);
        for (const derived of closest) {
            const distance = derived.length - term.length;
            out.push({ term: derived, weight: PREFIX_WEIGHT * derived.length / (derived.length + 0.3 * distance) });
        }
        return out;
    }
}

function popcount(x: number): number {
    let v = x - ((x >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
