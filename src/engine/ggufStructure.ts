/**
 * A bounded walk over a GGUF file's header, before anything else parses it. Model files are untrusted, and the
 * readers behind us are not built for hostile input: node-llama-cpp's JS reader allocates whatever a length field
 * says and reads past the end of the file as zeros (a fuzzed string length of 2^32 made it allocate 4 GB; a length
 * above 2^31 aborted the whole Node process in fs.read; an array count of 2^40 loops "forever"), and llama.cpp's C++
 * parser has had memory-safety bugs in exactly these fields. This walk reads at most the header (capped), checks every
 * count and length against the bytes that are really there, and applies llama.cpp's own rules (gguf.cpp in the
 * bundled release): known value types, no nested arrays, no duplicate keys or tensor names, a power-of-two u32
 * alignment, tensor names under 64 bytes, at most 4 dimensions with a representable element count, a known tensor
 * type whose block divides the row, and tensor data laid out back to back from the aligned data start. A file that
 * passes is one both readers handle; one that fails is refused with the reason, before it is loaded.
 */
import * as fs from "node:fs/promises";

/** Block size (elements) and size of one block (bytes) of a ggml tensor type; undefined or 0 = not readable. */
export type GgmlTypeTraits = (type: number) => { blockSize: number; typeSize: number } | undefined;

export interface GgufLayout {
    fileSize: number;
    version: number;
    tensorCount: number;
    kvCount: number;
    alignment: number;
    /** Where the tensor data starts (aligned). */
    dataStart: number;
    /** Where the last tensor's data ends: the file must be at least this long (checked by the caller). */
    dataEnd: number;
}

/** The header is everything before the tensor data; real ones are a few MB (a 256k-token vocabulary is ~20 MB). */
export const MAX_HEADER_BYTES = 256 * 1024 * 1024;
/** Far above real models (a 405B model has ~1,100 tensors and ~40 keys), far below what would exhaust memory. */
const MAX_TENSORS = 1 << 18;
const MAX_KEYS = 1 << 16;
const MAX_DIMS = 4;
const MAX_NAME_BYTES = 63;
const INT64_MAX = (1n << 63n) - 1n;
/** Bytes of each scalar GGUF value type; 8 = string (length-prefixed) and 9 = array are handled apart. */
const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;
const UINT32 = 4;

/** Why a header was refused; `truncatedAt` is set when the file ends before its header or data does. */
export class GgufStructureError extends Error {
    constructor(message: string, readonly truncated?: { fileSize: number; needed: number }) {
        super(message);
    }
}

/** Thrown inside the walk when the window read so far is too small: the caller reads more and walks again. */
class NeedMore {
    constructor(readonly upTo: number) {}
}

class Cursor {
    pos = 0;
    constructor(private readonly buf: Buffer, private readonly fileSize: number) {}

    /** Makes sure `n` more bytes exist in the file (else the file is truncated) and in the window (else read more). */
    private take(n: number | bigint, what: string): number {
        const at = this.pos;
        if (typeof n === "bigint") {
            // Lengths come as u64: compare them as bigints before they become numbers.
            if (n > BigInt(this.fileSize - at)) throw this.truncated(what, BigInt(at) + n);
            n = Number(n);
        }
        const end = at + n;
        if (end > this.fileSize) throw this.truncated(what, BigInt(end));
        if (end > MAX_HEADER_BYTES) throw new GgufStructureError(`${what} would make the header larger than ${MAX_HEADER_BYTES / 1024 / 1024} MB`);
        if (end > this.buf.length) throw new NeedMore(end);
        this.pos = end;
        return at;
    }

    private truncated(what: string, needed: bigint): GgufStructureError {
        const safe = needed > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(needed);
        return new GgufStructureError(`the file ends inside ${what}`, { fileSize: this.fileSize, needed: safe });
    }

    u32(what: string): number {
        return this.buf.readUInt32LE(this.take(4, what));
    }

    u64(what: string): bigint {
        return this.buf.readBigUInt64LE(this.take(8, what));
    }

    /** A length-prefixed string; its length is checked against the file before anything is read. */
    string(what: string): Buffer {
        const length = this.u64(`the length of ${what}`);
        const at = this.take(length, what);
        return this.buf.subarray(at, this.pos);
    }

    skip(n: number | bigint, what: string): void {
        this.take(n, what);
    }
}

/** Walks the header of `filePath` and returns its layout; throws GgufStructureError saying what is wrong. */
export async function checkGgufStructure(filePath: string, traits: GgmlTypeTraits): Promise<GgufLayout> {
    const handle = await fs.open(filePath, "r");
    try {
        const fileSize = (await handle.stat()).size;
        let window = Math.min(fileSize, 8 * 1024 * 1024);
        for (;;) {
            const buf = Buffer.alloc(window);
            const { bytesRead } = await handle.read(buf, 0, window, 0);
            try {
                return walk(buf.subarray(0, bytesRead), fileSize, traits);
            } catch (err) {
                if (!(err instanceof NeedMore)) throw err;
                // Grow geometrically so a large vocabulary costs a few reads, never more than the file or the cap.
                const next = Math.min(fileSize, MAX_HEADER_BYTES, Math.max(err.upTo, window * 4));
                if (next <= window) throw new GgufStructureError("its header could not be read");
                window = next;
            }
        }
    } finally {
        await handle.close();
    }
}

function walk(buf: Buffer, fileSize: number, traits: GgmlTypeTraits): GgufLayout {
    const c = new Cursor(buf, fileSize);
    c.skip(4, "the signature");
    if (buf.toString("latin1", 0, 4) !== "GGUF") throw new GgufStructureError("it does not start with the GGUF signature");
    const version = c.u32("the version");
    if (version < 2 || version > 3) throw new GgufStructureError(`it is GGUF version ${version} (llama.cpp reads 2 and 3)`);
    const tensorCount = c.u64("the tensor count");
    const kvCount = c.u64("the metadata count");
    if (tensorCount > BigInt(MAX_TENSORS)) throw new GgufStructureError(`it claims ${tensorCount} tensors`);
    if (kvCount > BigInt(MAX_KEYS)) throw new GgufStructureError(`it claims ${kvCount} metadata entries`);

    const keys = new Set<string>();
    let alignment = 32;
    for (let i = 0; i < Number(kvCount); i++) {
        const key = c.string(`metadata key ${i}`).toString("utf8");
        if (!key) throw new GgufStructureError(`metadata key ${i} is empty`);
        if (keys.has(key)) throw new GgufStructureError(`the metadata key “${key}” appears twice`);
        keys.add(key);
        const type = c.u32(`the type of “${key}”`);
        if (type === ARRAY) {
            const itemType = c.u32(`the item type of “${key}”`);
            const count = c.u64(`the length of “${key}”`);
            if (itemType === STRING) {
                // Every string costs at least its 8-byte length: a count the file cannot hold is refused at once.
                if (count * 8n > BigInt(fileSize - c.pos)) throw new GgufStructureError(`“${key}” claims ${count} strings, more than the file can hold`);
                for (let j = 0; j < Number(count); j++) c.string(`item ${j} of “${key}”`);
            } else if (SCALAR_BYTES[itemType] !== undefined) {
                c.skip(count * BigInt(SCALAR_BYTES[itemType]!), `the ${count} items of “${key}”`);
            } else {
                throw new GgufStructureError(`“${key}” is an array of unknown type ${itemType}`);
            }
        } else if (type === STRING) {
            c.string(`the value of “${key}”`);
        } else if (SCALAR_BYTES[type] !== undefined) {
            const at = c.pos;
            c.skip(SCALAR_BYTES[type]!, `the value of “${key}”`);
            if (key === "general.alignment") {
                if (type !== UINT32) throw new GgufStructureError("general.alignment is not a 32-bit unsigned integer");
                alignment = buf.readUInt32LE(at);
                if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new GgufStructureError(`the alignment ${alignment} is not a power of two`);
            }
        } else {
            throw new GgufStructureError(`“${key}” has unknown value type ${type}`);
        }
    }

    const names = new Set<string>();
    const sizes: { name: string; offset: bigint; bytes: bigint }[] = [];
    for (let i = 0; i < Number(tensorCount); i++) {
        const nameBytes = c.string(`the name of tensor ${i}`);
        const name = nameBytes.toString("utf8");
        if (nameBytes.length === 0 || nameBytes.length > MAX_NAME_BYTES) throw new GgufStructureError(`tensor ${i} has a name of ${nameBytes.length} bytes (1 to ${MAX_NAME_BYTES})`);
        if (names.has(name)) throw new GgufStructureError(`the tensor name “${name}” appears twice`);
        names.add(name);
        const nDims = c.u32(`the dimensions of “${name}”`);
        if (nDims > MAX_DIMS) throw new GgufStructureError(`tensor “${name}” has ${nDims} dimensions (at most ${MAX_DIMS})`);
        const ne = [1n, 1n, 1n, 1n];
        for (let d = 0; d < nDims; d++) ne[d] = c.u64(`dimension ${d} of “${name}”`);
        if (ne.some((n) => n > INT64_MAX)) throw new GgufStructureError(`tensor “${name}” has a negative dimension`);
        const elements = ne[0]! * ne[1]! * ne[2]! * ne[3]!;
        if (elements > INT64_MAX) throw new GgufStructureError(`tensor “${name}” has more elements than llama.cpp can count`);
        const type = c.u32(`the type of “${name}”`);
        const t = traits(type);
        if (!t || t.blockSize <= 0 || t.typeSize <= 0) throw new GgufStructureError(`tensor “${name}” has type ${type}, which this llama.cpp build cannot read`);
        if (ne[0]! % BigInt(t.blockSize) !== 0n) throw new GgufStructureError(`tensor “${name}” has rows of ${ne[0]} elements, not a multiple of its block size ${t.blockSize}`);
        const offset = c.u64(`the data offset of “${name}”`);
        sizes.push({ name, offset, bytes: elements === 0n ? 0n : (elements / BigInt(t.blockSize)) * BigInt(t.typeSize) });
    }

    // llama.cpp's layout rule: each tensor starts where the previous one ended, padded to the alignment.
    const pad = (n: bigint) => (n + BigInt(alignment) - 1n) / BigInt(alignment) * BigInt(alignment);
    const dataStart = tensorCount > 0n ? pad(BigInt(c.pos)) : BigInt(c.pos);
    let expected = 0n;
    let dataEnd = dataStart;
    for (const s of sizes) {
        if (s.offset !== expected) throw new GgufStructureError(`tensor “${s.name}” has data offset ${s.offset}, but the layout puts it at ${expected}`);
        dataEnd = dataStart + s.offset + s.bytes;
        expected = pad(expected + s.bytes);
    }
    // Tensor data past the end of the file is reported by the caller (after the memory check, which says more about
    // a header that claims a model bigger than the machine).
    if (dataEnd > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufStructureError("its tensor data would end past 2^53 bytes");
    return { fileSize, version, tensorCount: Number(tensorCount), kvCount: Number(kvCount), alignment, dataStart: Number(dataStart), dataEnd: Number(dataEnd) };
}
