/**
 * Seeded, structure-aware mutation of GGUF headers for the hostile-file fuzz test (test/engine/ggufFuzz.test.ts).
 *
 * `mapGgufFields(bytes)` walks a (valid) GGUF header and records where every length, count, type, dimension and
 * offset lives; `mutateGguf(bytes, fields, rng)` then rewrites one or a few of them with values known to break
 * parsers (0, 1, 2^31, 2^32, 2^63, the file size ± 1, …), flips bytes, truncates the file, duplicates or drops
 * entries. The same seed always gives the same bytes, so a failing case is reproducible from its number.
 */

export type FieldKind =
    | "version" | "tensorCount" | "kvCount"
    | "keyLength" | "valueType" | "arrayItemType" | "arrayLength" | "stringLength" | "scalar"
    | "tensorNameLength" | "nDims" | "dim" | "ggmlType" | "tensorOffset";

export interface Field {
    kind: FieldKind;
    offset: number;
    /** Bytes on disk: 1, 2, 4 or 8. */
    width: number;
    /** For keys/values: the metadata key the field belongs to; for tensor fields: the tensor name. */
    owner?: string;
}

export interface GgufMap {
    fields: Field[];
    /** [start, end) of each metadata entry and each tensor info, for duplicating or dropping whole entries. */
    kvEntries: [number, number][];
    tensorEntries: [number, number][];
    /** End of the tensor infos (before the alignment padding). */
    headerEnd: number;
}

const SCALAR_WIDTH: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Records the position of every structural field of a valid GGUF v2/v3 header. */
export function mapGgufFields(buf: Buffer): GgufMap {
    const fields: Field[] = [];
    const kvEntries: [number, number][] = [];
    const tensorEntries: [number, number][] = [];
    let pos = 4;
    const field = (kind: FieldKind, width: number, owner?: string): bigint => {
        fields.push({ kind, offset: pos, width, owner });
        const v = width === 8 ? buf.readBigUInt64LE(pos) : BigInt(width === 4 ? buf.readUInt32LE(pos) : width === 2 ? buf.readUInt16LE(pos) : buf.readUInt8(pos));
        pos += width;
        return v;
    };
    const string = (kind: FieldKind, owner?: string): string => {
        const len = Number(field(kind, 8, owner));
        const s = buf.toString("utf8", pos, pos + len);
        pos += len;
        return s;
    };
    field("version", 4);
    const tensorCount = Number(field("tensorCount", 8));
    const kvCount = Number(field("kvCount", 8));
    for (let i = 0; i < kvCount; i++) {
        const start = pos;
        const key = string("keyLength");
        const type = Number(field("valueType", 4, key));
        if (type === 9) {
            const itemType = Number(field("arrayItemType", 4, key));
            const count = Number(field("arrayLength", 8, key));
            for (let j = 0; j < count; j++) {
                if (itemType === 8) string("stringLength", key);
                else field("scalar", SCALAR_WIDTH[itemType]!, key);
            }
        } else if (type === 8) {
            string("stringLength", key);
        } else {
            field("scalar", SCALAR_WIDTH[type]!, key);
        }
        kvEntries.push([start, pos]);
    }
    for (let i = 0; i < tensorCount; i++) {
        const start = pos;
        const name = string("tensorNameLength");
        const nDims = Number(field("nDims", 4, name));
        for (let d = 0; d < nDims; d++) field("dim", 8, name);
        field("ggmlType", 4, name);
        field("tensorOffset", 8, name);
        tensorEntries.push([start, pos]);
    }
    return { fields, kvEntries, tensorEntries, headerEnd: pos };
}

/** mulberry32: small, fast, and the same sequence on every platform. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function pick<T>(rng: () => number, items: readonly T[]): T {
    return items[Math.floor(rng() * items.length)]!;
}

/** Values that break length and count arithmetic. */
function hostileValue(rng: () => number, original: bigint, fileSize: number, width: number): bigint {
    const max = width === 8 ? (1n << 64n) - 1n : (1n << BigInt(width * 8)) - 1n;
    const candidates: bigint[] = [
        0n, 1n, 2n, 3n, 4n, 5n, 7n, 8n, 9n, 12n, 13n, 16n, 63n, 64n, 65n, 255n, 256n, 0x7fffn, 0xffffn,
        0x7fffffffn, 0x80000000n, 0xffffffffn, 1n << 32n, (1n << 53n) + 1n, (1n << 62n), (1n << 63n) - 1n, 1n << 63n, max,
        BigInt(fileSize), BigInt(fileSize + 1), BigInt(Math.max(0, fileSize - 1)), BigInt(fileSize) * 2n,
        original + 1n, original > 0n ? original - 1n : 0n, original * 2n, original * 65536n, original ^ 0x80n,
        BigInt(Math.floor(rng() * 2 ** 32)),
    ];
    return pick(rng, candidates) & max;
}

function writeField(buf: Buffer, f: Field, value: bigint): void {
    if (f.width === 8) buf.writeBigUInt64LE(value, f.offset);
    else if (f.width === 4) buf.writeUInt32LE(Number(value & 0xffffffffn), f.offset);
    else if (f.width === 2) buf.writeUInt16LE(Number(value & 0xffffn), f.offset);
    else buf.writeUInt8(Number(value & 0xffn), f.offset);
}

function readField(buf: Buffer, f: Field): bigint {
    if (f.width === 8) return buf.readBigUInt64LE(f.offset);
    if (f.width === 4) return BigInt(buf.readUInt32LE(f.offset));
    if (f.width === 2) return BigInt(buf.readUInt16LE(f.offset));
    return BigInt(buf.readUInt8(f.offset));
}

export interface Mutation {
    bytes: Buffer;
    /** What was changed, for the failure message of a case. */
    description: string;
}

/** Kinds weighted toward the fields that control allocation and loops. */
const FIELD_KINDS: FieldKind[] = [
    "tensorCount", "kvCount", "keyLength", "valueType", "arrayItemType", "arrayLength", "arrayLength", "stringLength",
    "stringLength", "tensorNameLength", "nDims", "nDims", "dim", "dim", "dim", "ggmlType", "ggmlType", "tensorOffset",
    "tensorOffset", "scalar", "scalar", "version",
];

/** One seeded mutation of `base` (whose fields `map` describes). */
export function mutateGguf(base: Buffer, map: GgufMap, rng: () => number): Mutation {
    const roll = rng();
    if (roll < 0.62) {
        // One to three structural fields set to hostile values.
        const bytes = Buffer.from(base);
        const changes: string[] = [];
        const n = 1 + Math.floor(rng() * rng() * 3);
        for (let i = 0; i < n; i++) {
            const kind = pick(rng, FIELD_KINDS);
            const candidates = map.fields.filter((f) => f.kind === kind);
            if (candidates.length === 0) continue;
            const f = pick(rng, candidates);
            const value = hostileValue(rng, readField(bytes, f), base.length, f.width);
            writeField(bytes, f, value);
            changes.push(`${kind}${f.owner ? `(${f.owner})` : ""}@${f.offset}=${value}`);
        }
        return { bytes, description: `fields ${changes.join(", ") || "none"}` };
    }
    if (roll < 0.74) {
        // Random bytes in the header.
        const bytes = Buffer.from(base);
        const n = 1 + Math.floor(rng() * 16);
        const at: number[] = [];
        for (let i = 0; i < n; i++) {
            const p = 4 + Math.floor(rng() * (map.headerEnd - 4));
            bytes[p] = Math.floor(rng() * 256);
            at.push(p);
        }
        return { bytes, description: `random bytes at ${at.join(",")}` };
    }
    if (roll < 0.84) {
        // Cut short: inside the header most of the time, sometimes inside the tensor data.
        const end = rng() < 0.75 ? Math.floor(rng() * map.headerEnd) : map.headerEnd + Math.floor(rng() * (base.length - map.headerEnd));
        return { bytes: base.subarray(0, end), description: `truncated at ${end} of ${base.length}` };
    }
    if (roll < 0.92 && map.kvEntries.length > 0) {
        // A metadata entry duplicated (a second value for the same key) or dropped, with the count kept or fixed up.
        const [s, e] = pick(rng, map.kvEntries);
        const duplicate = rng() < 0.5;
        const body = duplicate
            ? Buffer.concat([base.subarray(0, e), base.subarray(s, e), base.subarray(e)])
            : Buffer.concat([base.subarray(0, s), base.subarray(e)]);
        const fixCount = rng() < 0.7;
        if (fixCount) body.writeBigUInt64LE(body.readBigUInt64LE(16) + (duplicate ? 1n : -1n), 16);
        return { bytes: body, description: `kv entry at ${s} ${duplicate ? "duplicated" : "dropped"}${fixCount ? " (count fixed)" : ""}` };
    }
    if (map.tensorEntries.length > 1) {
        // Two tensor infos swapped (offsets out of order) or one duplicated.
        const i = Math.floor(rng() * map.tensorEntries.length);
        const j = Math.floor(rng() * map.tensorEntries.length);
        const [as, ae] = map.tensorEntries[Math.min(i, j)]!;
        const [bs, be] = map.tensorEntries[Math.max(i, j)]!;
        if (i !== j && rng() < 0.5) {
            const body = Buffer.concat([base.subarray(0, as), base.subarray(bs, be), base.subarray(ae, bs), base.subarray(as, ae), base.subarray(be)]);
            return { bytes: body, description: `tensor infos at ${as} and ${bs} swapped` };
        }
        const body = Buffer.concat([base.subarray(0, ae), base.subarray(as, ae), base.subarray(ae)]);
        body.writeBigUInt64LE(body.readBigUInt64LE(8) + 1n, 8);
        return { bytes: body, description: `tensor info at ${as} duplicated` };
    }
    const bytes = Buffer.from(base);
    const at = 8 + Math.floor(rng() * 16);
    bytes[at] = bytes[at]! ^ 0xff;
    return { bytes, description: "count bytes inverted" };
}
