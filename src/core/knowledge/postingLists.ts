/**
 * Compact posting lists for the lexical index (see lexicalIndex.ts for why they are ours): a sorted term
 * dictionary and, per term, the documents holding it with their packed term frequencies, all in typed arrays. A
 * frozen set is immutable; new documents go to a small mutable delta (plain arrays) that is merged in when it grows,
 * so building never holds more than the compact form plus one delta.
 *
 * Binary form (the lexical snapshot on disk, read back without parsing the postings):
 *   "HLX2" | u32 header bytes | header JSON | pad to 4 | u32[docs] chunk ids | u32[docs × 3] field lengths |
 *   u32[terms + 1] posting offsets | u32[postings] document numbers | u32[postings] packed frequencies |
 *   UTF-8 terms joined by "\n" (terms never hold a line break: see tokenize.ts)
 */

/** Frequencies of a term in one chunk, packed: text in bits 8–27, heading in 4–7, path in 0–3 (each capped). */
export function packTf(text: number, heading: number, path: number): number {
    return Math.min(text, 0xfffff) * 256 + Math.min(heading, 15) * 16 + Math.min(path, 15);
}

export function fieldTf(packed: number, field: number): number {
    return field === 0 ? packed >>> 8 : field === 1 ? (packed >>> 4) & 15 : packed & 15;
}

export const FIELDS = 3;

export interface FrozenPostings {
    /** Sorted (JavaScript string order). */
    terms: string[];
    /** Postings of terms[i] are [offsets[i], offsets[i + 1]). */
    offsets: Uint32Array;
    /** Document numbers, ascending within a term. */
    docs: Uint32Array;
    tfs: Uint32Array;
}

export const EMPTY_POSTINGS: FrozenPostings = { terms: [], offsets: new Uint32Array(1), docs: new Uint32Array(0), tfs: new Uint32Array(0) };

/** Index of the first term ≥ `term` (terms.length when none). */
export function lowerBound(terms: readonly string[], term: string): number {
    let lo = 0;
    let hi = terms.length;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (terms[mid]! < term) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/** Delta postings of one term: [doc, packed tf, doc, packed tf, …] with ascending docs. */
export type DeltaList = number[];

/**
 * Merges frozen postings and a delta into new frozen postings, dropping removed documents and renumbering the
 * rest: `renumber[old]` is the new number, or -1 for a removed one (numbers keep their order, so every list stays
 * sorted). Terms left without postings disappear.
 */
export function mergePostings(base: FrozenPostings, delta: ReadonlyMap<string, DeltaList>, renumber: Int32Array): FrozenPostings {
    const deltaTerms = [...delta.keys()].sort();
    let capacity = base.docs.length;
    for (const list of delta.values()) capacity += list.length / 2;
    const docs = new Uint32Array(capacity);
    const tfs = new Uint32Array(capacity);
    const terms: string[] = [];
    const offsets: number[] = [0];
    let n = 0;
    let i = 0;
    let j = 0;
    while (i < base.terms.length || j < deltaTerms.length) {
        const a = base.terms[i];
        const b = deltaTerms[j];
        const term = b === undefined || (a !== undefined && a < b) ? a! : b;
        const start = n;
        if (a === term) {
            for (let p = base.offsets[i]!; p < base.offsets[i + 1]!; p++) {
                const doc = renumber[base.docs[p]!]!;
                if (doc >= 0) {
                    docs[n] = doc;
                    tfs[n++] = base.tfs[p]!;
                }
            }
            i++;
        }
        if (b === term) {
            const list = delta.get(term)!;
            for (let p = 0; p < list.length; p += 2) {
                const doc = renumber[list[p]!]!;
                if (doc >= 0) {
                    docs[n] = doc;
                    tfs[n++] = list[p + 1]!;
                }
            }
            j++;
        }
        if (n > start) {
            terms.push(term);
            offsets.push(n);
        }
    }
    return { terms, offsets: Uint32Array.from(offsets), docs: docs.slice(0, n), tfs: tfs.slice(0, n) };
}

const MAGIC = "HLX2";

export interface SerializedLexical<Meta> {
    meta: Meta;
    chunkIds: Uint32Array;
    lengths: Uint32Array;
    postings: FrozenPostings;
}

function pad4(n: number): number {
    return (n + 3) & ~3;
}

export function serializeLexical<Meta>(data: SerializedLexical<Meta>): Buffer {
    const header = Buffer.from(JSON.stringify({ meta: data.meta, docs: data.chunkIds.length, terms: data.postings.terms.length, postings: data.postings.docs.length }), "utf8");
    const termText = Buffer.from(data.postings.terms.join("\n"), "utf8");
    const headerEnd = pad4(8 + header.length);
    const arrays = [data.chunkIds, data.lengths, data.postings.offsets, data.postings.docs, data.postings.tfs];
    const total = headerEnd + arrays.reduce((s, a) => s + a.byteLength, 0) + termText.length;
    const out = Buffer.alloc(total);
    out.write(MAGIC, 0, "latin1");
    out.writeUInt32LE(header.length, 4);
    header.copy(out, 8);
    let at = headerEnd;
    for (const array of arrays) {
        // Little-endian on every platform Hearth runs on (x64, arm64); the magic would change with a big-endian port.
        out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
        at += array.byteLength;
    }
    termText.copy(out, at);
    return out;
}

/** Reads what serializeLexical wrote; throws on anything inconsistent (the caller treats it as a damaged index). */
export function deserializeLexical<Meta>(raw: Buffer): SerializedLexical<Meta> {
    if (raw.length < 8 || raw.toString("latin1", 0, 4) !== MAGIC) throw new Error("not a lexical snapshot");
    const headerLength = raw.readUInt32LE(4);
    const header = JSON.parse(raw.toString("utf8", 8, 8 + headerLength)) as { meta: Meta; docs: number; terms: number; postings: number };
    // Typed arrays need 4-byte alignment: copy once when the buffer is not aligned (small pooled buffers).
    const buffer = raw.byteOffset % 4 === 0 ? raw : Buffer.from(raw);
    let at = pad4(8 + headerLength);
    const take = (count: number): Uint32Array => {
        if (at + count * 4 > buffer.length) throw new Error("lexical snapshot truncated");
        const array = new Uint32Array(buffer.buffer, buffer.byteOffset + at, count);
        at += count * 4;
        return array;
    };
    const chunkIds = take(header.docs);
    const lengths = take(header.docs * FIELDS);
    const offsets = take(header.terms + 1);
    const docs = take(header.postings);
    const tfs = take(header.postings);
    const terms = header.terms ? buffer.toString("utf8", at).split("\n") : [];
    if (terms.length !== header.terms || offsets[header.terms] !== header.postings) throw new Error("lexical snapshot inconsistent");
    return { meta: header.meta, chunkIds, lengths, postings: { terms, offsets, docs, tfs } };
}
