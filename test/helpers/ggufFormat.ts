/**
 * Low-level GGUF v3 encoding for the random-weight model writer (ggufWriter.ts): typed metadata values, a reader
 * that keeps each value's on-disk type (so a tokenizer copied from a real file is written back byte-for-byte
 * equivalent: i32 token types stay i32, f32 scores stay f32), and the header/tensor-info serialiser.
 *
 * node-llama-cpp's readGgufFileInfo is the reference reader used by the tests; this one exists because it returns
 * plain JS values and loses the integer/float widths we need to copy metadata faithfully.
 *
 * Layout (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md): "GGUF", u32 version, u64 tensor count,
 * u64 kv count, kvs, tensor infos (name, u32 n_dims, u64 dims[], u32 ggml type, u64 offset into the data
 * section), zero padding to `general.alignment` (default 32), then each tensor's data at its aligned offset.
 */
import * as fs from "node:fs";

export const GGUF_MAGIC = "GGUF";
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** The GGUF metadata value types, with their on-disk codes. */
export const GGUF_VALUE_TYPES = {
    uint8: 0, int8: 1, uint16: 2, int16: 3, uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9,
    uint64: 10, int64: 11, float64: 12,
} as const;
export type GgufScalarType = Exclude<keyof typeof GGUF_VALUE_TYPES, "array">;
export type GgufScalar = number | bigint | boolean | string;

export type GgufValue =
    | { type: GgufScalarType; value: GgufScalar }
    | { type: "array"; itemType: GgufScalarType; values: GgufScalar[] };

/** Convenience constructors so callers say the width explicitly. */
export const gguf = {
    u32: (value: number): GgufValue => ({ type: "uint32", value }),
    i32: (value: number): GgufValue => ({ type: "int32", value }),
    f32: (value: number): GgufValue => ({ type: "float32", value }),
    bool: (value: boolean): GgufValue => ({ type: "bool", value }),
    str: (value: string): GgufValue => ({ type: "string", value }),
    strings: (values: string[]): GgufValue => ({ type: "array", itemType: "string", values }),
    f32s: (values: number[]): GgufValue => ({ type: "array", itemType: "float32", values }),
    i32s: (values: number[]): GgufValue => ({ type: "array", itemType: "int32", values }),
};

/** ggml tensor types this writer can produce (codes from ggml.h). */
export const GGML_TYPES = { F32: 0, F16: 1, Q8_0: 8 } as const;
export type GgmlTensorType = keyof typeof GGML_TYPES;
export const Q8_0_BLOCK = 32;
export const Q8_0_BLOCK_BYTES = 34;

export function tensorByteSize(type: GgmlTensorType, elements: number): number {
    if (type === "F32") return elements * 4;
    if (type === "F16") return elements * 2;
    if (elements % Q8_0_BLOCK !== 0) throw new Error(`Q8_0 needs a multiple of ${Q8_0_BLOCK} elements, got ${elements}`);
    return (elements / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES;
}

export interface TensorInfo {
    name: string;
    /** ggml order: dims[0] is the row length (contiguous), e.g. token_embd is [n_embd, n_vocab]. */
    dims: number[];
    type: GgmlTensorType;
}

export interface PlacedTensor extends TensorInfo {
    /** Offset within the data section. */
    offset: number;
    bytes: number;
}

const codeToType = new Map<number, GgufScalarType | "array">(
    Object.entries(GGUF_VALUE_TYPES).map(([name, code]) => [code, name as GgufScalarType | "array"]));

// ---- encoding ----

class ByteSink {
    private chunks: Buffer[] = [];
    length = 0;
    push(buf: Buffer): void {
        this.chunks.push(buf);
        this.length += buf.length;
    }
    u32(v: number): void { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.push(b); }
    u64(v: number | bigint): void { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.push(b); }
    str(s: string): void { const bytes = Buffer.from(s, "utf8"); this.u64(bytes.length); this.push(bytes); }
    toBuffer(): Buffer { return Buffer.concat(this.chunks, this.length); }
}

function writeScalar(sink: ByteSink, type: GgufScalarType, value: GgufScalar): void {
    if (type === "string") { sink.str(String(value)); return; }
    if (type === "bool") { sink.push(Buffer.from([value ? 1 : 0])); return; }
    const size = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, uint64: 8, int64: 8, float64: 8 }[type];
    const b = Buffer.alloc(size);
    switch (type) {
        case "uint8": b.writeUInt8(Number(value)); break;
        case "int8": b.writeInt8(Number(value)); break;
        case "uint16": b.writeUInt16LE(Number(value)); break;
        case "int16": b.writeInt16LE(Number(value)); break;
        case "uint32": b.writeUInt32LE(Number(value)); break;
        case "int32": b.writeInt32LE(Number(value)); break;
        case "float32": b.writeFloatLE(Number(value)); break;
        case "uint64": b.writeBigUInt64LE(BigInt(value)); break;
        case "int64": b.writeBigInt64LE(BigInt(value)); break;
        case "float64": b.writeDoubleLE(Number(value)); break;
    }
    sink.push(b);
}

export function alignUp(n: number, alignment: number): number {
    return Math.ceil(n / alignment) * alignment;
}

/**
 * Serialises everything before the data section (header, metadata, tensor infos, padding) and places each
 * tensor at an aligned offset. The returned header length is a multiple of the alignment.
 */
export function encodeGgufHeader(metadata: ReadonlyMap<string, GgufValue>, tensors: TensorInfo[]): {
    header: Buffer; placed: PlacedTensor[]; dataBytes: number; alignment: number;
} {
    const alignmentValue = metadata.get("general.alignment");
    const alignment = alignmentValue && alignmentValue.type !== "array" ? Number(alignmentValue.value) : GGUF_DEFAULT_ALIGNMENT;
    if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) throw new Error(`bad alignment ${alignment}`);
    const sink = new ByteSink();
    sink.push(Buffer.from(GGUF_MAGIC, "latin1"));
    sink.u32(GGUF_VERSION);
    sink.u64(tensors.length);
    sink.u64(metadata.size);
    for (const [key, v] of metadata) {
        sink.str(key);
        sink.u32(GGUF_VALUE_TYPES[v.type]);
        if (v.type === "array") {
            sink.u32(GGUF_VALUE_TYPES[v.itemType]);
            sink.u64(v.values.length);
            for (const item of v.values) writeScalar(sink, v.itemType, item);
        } else {
            writeScalar(sink, v.type, v.value);
        }
    }
    let offset = 0;
    const placed: PlacedTensor[] = [];
    for (const t of tensors) {
        const elements = t.dims.reduce((a, b) => a * b, 1);
        const bytes = tensorByteSize(t.type, elements);
        placed.push({ ...t, offset, bytes });
        sink.str(t.name);
        sink.u32(t.dims.length);
        for (const d of t.dims) sink.u64(d);
        sink.u32(GGML_TYPES[t.type]);
        sink.u64(offset);
        offset = alignUp(offset + bytes, alignment);
    }
    const padded = alignUp(sink.length, alignment);
    sink.push(Buffer.alloc(padded - sink.length));
    const last = placed.at(-1);
    return { header: sink.toBuffer(), placed, dataBytes: last ? last.offset + last.bytes : 0, alignment };
}

// ---- decoding (metadata only; tensor data is never read) ----

class ByteReader {
    pos = 0;
    constructor(private readonly buf: Buffer) {}
    need(n: number): void {
        if (this.pos + n > this.buf.length) throw new Error("GGUF metadata is truncated");
    }
    u32(): number { this.need(4); const v = this.buf.readUInt32LE(this.pos); this.pos += 4; return v; }
    u64(): bigint { this.need(8); const v = this.buf.readBigUInt64LE(this.pos); this.pos += 8; return v; }
    str(): string {
        const len = Number(this.u64());
        this.need(len);
        const s = this.buf.toString("utf8", this.pos, this.pos + len);
        this.pos += len;
        return s;
    }
    scalar(type: GgufScalarType): GgufScalar {
        const b = this.buf;
        const at = (n: number) => { this.need(n); const p = this.pos; this.pos += n; return p; };
        switch (type) {
            case "uint8": return b.readUInt8(at(1));
            case "int8": return b.readInt8(at(1));
            case "uint16": return b.readUInt16LE(at(2));
            case "int16": return b.readInt16LE(at(2));
            case "uint32": return b.readUInt32LE(at(4));
            case "int32": return b.readInt32LE(at(4));
            case "float32": return b.readFloatLE(at(4));
            case "bool": return b.readUInt8(at(1)) !== 0;
            case "string": return this.str();
            case "uint64": return b.readBigUInt64LE(at(8));
            case "int64": return b.readBigInt64LE(at(8));
            case "float64": return b.readDoubleLE(at(8));
        }
    }
}

function typeFromCode(code: number): GgufScalarType | "array" {
    const t = codeToType.get(code);
    if (!t) throw new Error(`unknown GGUF value type ${code}`);
    return t;
}

/** Reads every metadata key of a GGUF file with its on-disk type. Reads only as much of the file as needed. */
export function readGgufMetadata(filePath: string): Map<string, GgufValue> {
    // Metadata sits at the start; tokenizers are at most a few tens of MB. Grow the window until it parses.
    const size = fs.statSync(filePath).size;
    for (let window = Math.min(size, 16 << 20); ; window = Math.min(size, window * 4)) {
        const fd = fs.openSync(filePath, "r");
        const buf = Buffer.alloc(window);
        try {
            fs.readSync(fd, buf, 0, window, 0);
        } finally {
            fs.closeSync(fd);
        }
        try {
            return parseMetadata(buf);
        } catch (err) {
            if (window >= size || !(err instanceof Error) || !/truncated/.test(err.message)) throw err;
        }
    }
}

function parseMetadata(buf: Buffer): Map<string, GgufValue> {
    const r = new ByteReader(buf);
    r.need(4);
    if (buf.toString("latin1", 0, 4) !== GGUF_MAGIC) throw new Error("not a GGUF file");
    r.pos = 4;
    const version = r.u32();
    if (version < 2 || version > 3) throw new Error(`unsupported GGUF version ${version}`);
    r.u64(); // tensor count
    const kvCount = Number(r.u64());
    const out = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
        const key = r.str();
        const type = typeFromCode(r.u32());
        if (type === "array") {
            const itemType = typeFromCode(r.u32());
            if (itemType === "array") throw new Error(`nested arrays are not supported (${key})`);
            const count = Number(r.u64());
            const values: GgufScalar[] = new Array(count);
            for (let j = 0; j < count; j++) values[j] = r.scalar(itemType);
            out.set(key, { type: "array", itemType, values });
        } else {
            out.set(key, { type, value: r.scalar(type) });
        }
    }
    return out;
}

// ---- numbers ----

/** IEEE-754 half precision bits for a float (round to nearest even), as ggml stores F16 and Q8_0 scales. */
export function float32ToFloat16Bits(value: number): number {
    const f32 = new Float32Array([value]);
    const x = new Uint32Array(f32.buffer)[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
    const e = exp - 127 + 15;
    if (e >= 0x1f) return sign | 0x7c00;
    if (e <= 0) {
        if (e < -10) return sign;
        mant |= 0x800000;
        const shift = 14 - e;
        let half = mant >>> shift;
        const rem = mant & ((1 << shift) - 1);
        const mid = 1 << (shift - 1);
        if (rem > mid || (rem === mid && (half & 1))) half++;
        return sign | half;
    }
    // A carry out of the mantissa correctly bumps the exponent (and reaches infinity at the top).
    let half = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
    return sign | half;
}
