/**
 * Writes random-weight llama (or qwen2-shaped) GGUF v3 models that llama.cpp loads and runs for real, so tests and
 * benchmarks can exercise chat templates, FIM tokens, context limits and realistic CPU timings without
 * downloading anything. Output is gibberish by design; compute per token is that of a real model of the shape.
 *
 * API
 *   await writeRandomGguf(filePath, spec)   -> WrittenGguf   writes the file (tensor data streamed in ~4 MB chunks)
 *   await ensureRandomGguf(cacheDir, spec)  -> WrittenGguf   same, cached by a hash of the spec (+ the tokenizer
 *                                                            source's size/mtime); written to a temp name then renamed
 *   readGgufMetadata(filePath)              -> Map           typed metadata of any GGUF (from ./ggufFormat)
 *
 * Spec (RandomGgufSpec), all optional except the shape:
 *   architecture   "llama" (default) | "qwen2" (adds q/k/v biases, qwen2.* keys) | "bert" (an encoder for embeddings:
 *                  token type and position embeddings, post-norm layers with biases, no output head, mean pooling;
 *                  copy a BERT WordPiece vocabulary, e.g. llama.cpp's models/ggml-vocab-bert-bge.gguf)
 *   layers, embedding, heads, headsKv (= heads), feedForward, contextLength   the shape; head dim = embedding/heads
 *   vocab          { kind: "synthetic" } (≈300 tokens: unk/bos/eos, 256 byte tokens, letters and common words,
 *                  SentencePiece "llama" model) or { kind: "copy", from: "path/to/real.gguf" } (every tokenizer.*
 *                  key copied with its exact types: tokens, scores, types, merges, special ids, chat template...)
 *   tokenOverrides replace token texts/types in the vocabulary, e.g. QWEN25_CODER_FIM_TOKENS turns the padding
 *                  slots of llama.cpp's Qwen2 vocab into Qwen2.5-Coder's <|fim_prefix|>/<|fim_middle|>/<|fim_suffix|>
 *   chatTemplate   string sets tokenizer.chat_template; null removes a copied one; undefined keeps it
 *   fim            { prefix, suffix, middle } token ids, or "append" (synthetic vocab: adds <|fim_prefix|>,
 *                  <|fim_suffix|>, <|fim_middle|> control tokens); keys written per `fimKeys`: "fim"
 *                  (fim_pre/suf/mid_token_id), "legacy" (prefix/suffix/middle_token_id) or "both" (default)
 *   tensorType     "F32" | "F16" | "Q8_0" for 2-D weights (norms and biases are always F32). Q8_0 = blocks of 32:
 *                  f16 scale + 32 int8
 *   neverGenerate  "eog" zeroes the output-matrix rows of control/end-of-generation tokens, so their logit is
 *                  exactly 0 while the best random logit is > 0: greedy decoding then never stops early at EOS
 *                  (benchmarks need a fixed token count). Or explicit token ids.
 *   tieEmbeddings  omit output.weight (llama.cpp reuses token_embd), as Qwen2.5-0.5B does
 *   seed, alignment (default 32), ropeFreqBase, rmsEps, name, extraMetadata (typed values, see `gguf.*`)
 *
 * Weights are uniform with std ≈ 0.02 from a seeded xorshift generator, so a spec always gives the same bytes.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    encodeGgufHeader,
    float32ToFloat16Bits,
    gguf,
    readGgufMetadata,
    type GgmlTensorType,
    type GgufValue,
    type PlacedTensor,
    type TensorInfo,
} from "./ggufFormat";

export { readGgufMetadata, gguf };
export type { GgufValue };

export type VocabSource = { kind: "synthetic" } | { kind: "copy"; from: string };

export interface RandomGgufSpec {
    architecture?: "llama" | "qwen2" | "bert";
    name?: string;
    layers: number;
    embedding: number;
    heads: number;
    headsKv?: number;
    feedForward: number;
    contextLength: number;
    vocab: VocabSource;
    tokenOverrides?: TokenOverride[];
    chatTemplate?: string | null;
    fim?: { prefix: number; suffix: number; middle: number } | "append";
    fimKeys?: "fim" | "legacy" | "both";
    tensorType?: GgmlTensorType;
    neverGenerate?: "eog" | number[];
    tieEmbeddings?: boolean;
    seed?: number;
    alignment?: number;
    ropeFreqBase?: number;
    rmsEps?: number;
    extraMetadata?: Record<string, GgufValue>;
}

export interface TokenOverride {
    id: number;
    text: string;
    type: "normal" | "control" | "userDefined";
}

/**
 * Qwen2.5-Coder's FIM tokens at their real ids. llama.cpp's ggml-vocab-qwen2.gguf (Qwen1.5 era) has padding tokens
 * there; with these overrides it becomes a Qwen2.5-Coder tokenizer as far as FIM is concerned.
 */
export const QWEN25_CODER_FIM_TOKENS: TokenOverride[] = [
    { id: 151659, text: "<|fim_prefix|>", type: "control" },
    { id: 151660, text: "<|fim_middle|>", type: "control" },
    { id: 151661, text: "<|fim_suffix|>", type: "control" },
    { id: 151662, text: "<|fim_pad|>", type: "control" },
    { id: 151663, text: "<|repo_name|>", type: "control" },
    { id: 151664, text: "<|file_sep|>", type: "control" },
];
export const QWEN25_CODER_FIM_IDS = { prefix: 151659, suffix: 151661, middle: 151660 };

export interface WrittenGguf {
    path: string;
    bytes: number;
    parameters: number;
    vocabSize: number;
    tensors: PlacedTensor[];
    /** Token ids whose output rows were zeroed (see `neverGenerate`). */
    silencedTokens: number[];
    fim?: { prefix: number; suffix: number; middle: number };
}

/** Bump when the bytes a spec produces change, so caches rebuild. */
const WRITER_VERSION = 1;
const WEIGHT_STD = 0.02;
const CHUNK_BYTES = 4 << 20;
const FILE_TYPE = { F32: 0, F16: 1, Q8_0: 7 } as const;
const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, byte: 6 } as const;
const EOG_TEXTS = new Set(["</s>", "<|endoftext|>", "<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<end_of_turn>", "<EOT>",
    "<|end|>", "<|end_of_text|>", "<|return|>", "<|call|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"]);

export async function writeRandomGguf(filePath: string, spec: RandomGgufSpec): Promise<WrittenGguf> {
    const arch = spec.architecture ?? "llama";
    const type = spec.tensorType ?? "Q8_0";
    const headsKv = spec.headsKv ?? spec.heads;
    if (spec.embedding % spec.heads !== 0) throw new Error(`embedding ${spec.embedding} is not divisible by heads ${spec.heads}`);
    if (spec.heads % headsKv !== 0) throw new Error(`heads ${spec.heads} is not divisible by headsKv ${headsKv}`);
    const headDim = spec.embedding / spec.heads;
    const kvDim = headDim * headsKv;

    const { metadata: tokenizer, fim } = buildTokenizer(spec);
    const tokens = tokenizer.get("tokenizer.ggml.tokens");
    if (!tokens || tokens.type !== "array") throw new Error("the vocabulary has no tokenizer.ggml.tokens");
    const vocabSize = tokens.values.length;

    const metadata = new Map<string, GgufValue>();
    metadata.set("general.architecture", gguf.str(arch));
    metadata.set("general.name", gguf.str(spec.name ?? `hearth-random-${arch}`));
    metadata.set("general.file_type", gguf.u32(FILE_TYPE[type]));
    if (type === "Q8_0") metadata.set("general.quantization_version", gguf.u32(2));
    if (spec.alignment !== undefined) metadata.set("general.alignment", gguf.u32(spec.alignment));
    metadata.set(`${arch}.context_length`, gguf.u32(spec.contextLength));
    metadata.set(`${arch}.embedding_length`, gguf.u32(spec.embedding));
    metadata.set(`${arch}.block_count`, gguf.u32(spec.layers));
    metadata.set(`${arch}.feed_forward_length`, gguf.u32(spec.feedForward));
    metadata.set(`${arch}.attention.head_count`, gguf.u32(spec.heads));
    if (arch !== "bert") metadata.set(`${arch}.attention.head_count_kv`, gguf.u32(headsKv));
    const w = (name: string, dims: number[]): TensorInfo => ({ name, dims, type });
    const f32 = (name: string, dims: number[]): TensorInfo => ({ name, dims, type: "F32" });
    let tensors: TensorInfo[];
    if (arch === "bert") {
        metadata.set("bert.attention.layer_norm_epsilon", gguf.f32(1e-12));
        metadata.set("bert.attention.causal", gguf.bool(false));
        metadata.set("bert.pooling_type", gguf.u32(1)); // mean
        for (const [k, v] of tokenizer) metadata.set(k, v);
        if (!metadata.has("tokenizer.ggml.token_type_count")) metadata.set("tokenizer.ggml.token_type_count", gguf.u32(2));
        tensors = bertTensors(spec, vocabSize, w, f32);
    } else {
        metadata.set(`${arch}.attention.layer_norm_rms_epsilon`, gguf.f32(spec.rmsEps ?? 1e-6));
        metadata.set(`${arch}.rope.freq_base`, gguf.f32(spec.ropeFreqBase ?? (arch === "qwen2" ? 1_000_000 : 10_000)));
        metadata.set(`${arch}.rope.dimension_count`, gguf.u32(headDim));
        metadata.set(`${arch}.vocab_size`, gguf.u32(vocabSize));
        for (const [k, v] of tokenizer) metadata.set(k, v);
        tensors = decoderTensors(spec, arch, vocabSize, kvDim, w, f32);
    }
    for (const [k, v] of Object.entries(spec.extraMetadata ?? {})) metadata.set(k, v);

    const silenced = silencedTokens(spec, tokenizer, vocabSize);
    const outputTensor = spec.tieEmbeddings ? "token_embd.weight" : "output.weight";
    const { header, placed, dataBytes } = encodeGgufHeader(metadata, tensors);
    const rng = new XorShift128(spec.seed ?? 1);

    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    const handle = await fs.promises.open(filePath, "w");
    try {
        await handle.write(header);
        let written = 0;
        for (const t of placed) {
            if (t.offset > written) await handle.write(Buffer.alloc(t.offset - written));
            const fill = t.name.endsWith("norm.weight") ? "ones" : t.name.endsWith(".bias") ? "zeros" : "random";
            await writeTensor(handle, t, fill, rng, t.name === outputTensor ? silenced : []);
            written = t.offset + t.bytes;
        }
        if (written !== dataBytes) throw new Error(`internal: wrote ${written} of ${dataBytes} data bytes`);
    } finally {
        await handle.close();
    }
    const parameters = placed.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
    return { path: filePath, bytes: header.length + dataBytes, parameters, vocabSize, tensors: placed, silencedTokens: silenced, fim };
}

/** Writes the model once into `cacheDir` and reuses it while the spec (and the copied tokenizer file) is unchanged. */
export async function ensureRandomGguf(cacheDir: string, spec: RandomGgufSpec): Promise<WrittenGguf> {
    const source = spec.vocab.kind === "copy" ? fs.statSync(spec.vocab.from) : undefined;
    const key = createHash("sha256")
        .update(JSON.stringify({ WRITER_VERSION, spec, source: source && [source.size, source.mtimeMs] }, (_k, v: unknown) =>
            typeof v === "bigint" ? v.toString() : v))
        .digest("hex").slice(0, 16);
    const file = path.join(cacheDir, `${spec.name ?? spec.architecture ?? "llama"}-${key}.gguf`);
    const infoFile = `${file}.json`;
    if (fs.existsSync(file) && fs.existsSync(infoFile)) {
        return JSON.parse(fs.readFileSync(infoFile, "utf8")) as WrittenGguf;
    }
    const tmp = `${file}.${process.pid}.tmp`;
    try {
        const info = await writeRandomGguf(tmp, spec);
        fs.renameSync(tmp, file);
        const final: WrittenGguf = { ...info, path: file };
        fs.writeFileSync(infoFile, JSON.stringify(final));
        return final;
    } finally {
        fs.rmSync(tmp, { force: true });
    }
}

type TensorMaker = (name: string, dims: number[]) => TensorInfo;

/** llama / qwen2: pre-norm decoder blocks with SwiGLU and an output head (unless tied). */
function decoderTensors(spec: RandomGgufSpec, arch: string, vocabSize: number, kvDim: number, w: TensorMaker, f32: TensorMaker): TensorInfo[] {
    const tensors: TensorInfo[] = [w("token_embd.weight", [spec.embedding, vocabSize]), f32("output_norm.weight", [spec.embedding])];
    if (!spec.tieEmbeddings) tensors.push(w("output.weight", [spec.embedding, vocabSize]));
    for (let i = 0; i < spec.layers; i++) {
        const b = `blk.${i}.`;
        tensors.push(f32(`${b}attn_norm.weight`, [spec.embedding]));
        tensors.push(w(`${b}attn_q.weight`, [spec.embedding, spec.embedding]));
        tensors.push(w(`${b}attn_k.weight`, [spec.embedding, kvDim]));
        tensors.push(w(`${b}attn_v.weight`, [spec.embedding, kvDim]));
        if (arch === "qwen2") {
            tensors.push(f32(`${b}attn_q.bias`, [spec.embedding]), f32(`${b}attn_k.bias`, [kvDim]), f32(`${b}attn_v.bias`, [kvDim]));
        }
        tensors.push(w(`${b}attn_output.weight`, [spec.embedding, spec.embedding]));
        tensors.push(f32(`${b}ffn_norm.weight`, [spec.embedding]));
        tensors.push(w(`${b}ffn_gate.weight`, [spec.embedding, spec.feedForward]));
        tensors.push(w(`${b}ffn_down.weight`, [spec.feedForward, spec.embedding]));
        tensors.push(w(`${b}ffn_up.weight`, [spec.embedding, spec.feedForward]));
    }
    return tensors;
}

/** BERT (llama.cpp's LLM_ARCH_BERT): embeddings + embedding norm, then post-norm blocks with biases everywhere. */
function bertTensors(spec: RandomGgufSpec, vocabSize: number, w: TensorMaker, f32: TensorMaker): TensorInfo[] {
    const e = spec.embedding;
    const tensors: TensorInfo[] = [
        w("token_embd.weight", [e, vocabSize]),
        f32("token_types.weight", [e, 2]),
        f32("position_embd.weight", [e, spec.contextLength]),
        f32("token_embd_norm.weight", [e]),
        f32("token_embd_norm.bias", [e]),
    ];
    for (let i = 0; i < spec.layers; i++) {
        const b = `blk.${i}.`;
        for (const x of ["attn_q", "attn_k", "attn_v", "attn_output"]) tensors.push(w(`${b}${x}.weight`, [e, e]), f32(`${b}${x}.bias`, [e]));
        tensors.push(f32(`${b}attn_output_norm.weight`, [e]), f32(`${b}attn_output_norm.bias`, [e]));
        tensors.push(w(`${b}ffn_up.weight`, [e, spec.feedForward]), f32(`${b}ffn_up.bias`, [spec.feedForward]));
        tensors.push(w(`${b}ffn_down.weight`, [spec.feedForward, e]), f32(`${b}ffn_down.bias`, [e]));
        tensors.push(f32(`${b}layer_output_norm.weight`, [e]), f32(`${b}layer_output_norm.bias`, [e]));
    }
    return tensors;
}

function buildTokenizer(spec: RandomGgufSpec): { metadata: Map<string, GgufValue>; fim?: WrittenGguf["fim"] } {
    const out = new Map<string, GgufValue>();
    if (spec.vocab.kind === "copy") {
        for (const [k, v] of readGgufMetadata(spec.vocab.from)) if (k.startsWith("tokenizer.")) out.set(k, v);
        if (!out.has("tokenizer.ggml.tokens")) throw new Error(`${spec.vocab.from} has no tokenizer to copy`);
    } else {
        const s = syntheticVocab();
        out.set("tokenizer.ggml.model", gguf.str("llama"));
        out.set("tokenizer.ggml.tokens", gguf.strings(s.tokens));
        out.set("tokenizer.ggml.scores", gguf.f32s(s.scores));
        out.set("tokenizer.ggml.token_type", gguf.i32s(s.types));
        out.set("tokenizer.ggml.unknown_token_id", gguf.u32(0));
        out.set("tokenizer.ggml.bos_token_id", gguf.u32(1));
        out.set("tokenizer.ggml.eos_token_id", gguf.u32(2));
        out.set("tokenizer.ggml.add_bos_token", gguf.bool(true));
        out.set("tokenizer.ggml.add_eos_token", gguf.bool(false));
    }
    for (const o of spec.tokenOverrides ?? []) {
        const tokens = out.get("tokenizer.ggml.tokens");
        const types = out.get("tokenizer.ggml.token_type");
        if (tokens?.type !== "array" || types?.type !== "array" || o.id < 0 || o.id >= tokens.values.length) {
            throw new Error(`token override ${o.id} is outside the vocabulary`);
        }
        tokens.values[o.id] = o.text;
        types.values[o.id] = TOKEN_TYPE[o.type];
    }
    let fim: WrittenGguf["fim"];
    if (spec.fim === "append") {
        if (spec.vocab.kind !== "synthetic") throw new Error("fim: \"append\" is only for the synthetic vocabulary; give token ids");
        const tokens = out.get("tokenizer.ggml.tokens") as { values: string[] };
        const scores = out.get("tokenizer.ggml.scores") as { values: number[] };
        const types = out.get("tokenizer.ggml.token_type") as { values: number[] };
        const base = tokens.values.length;
        tokens.values.push("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>");
        scores.values.push(0, 0, 0);
        types.values.push(TOKEN_TYPE.control, TOKEN_TYPE.control, TOKEN_TYPE.control);
        fim = { prefix: base, suffix: base + 1, middle: base + 2 };
    } else if (spec.fim) {
        fim = spec.fim;
    }
    if (fim) {
        const keys = spec.fimKeys ?? "both";
        if (keys !== "legacy") {
            out.set("tokenizer.ggml.fim_pre_token_id", gguf.u32(fim.prefix));
            out.set("tokenizer.ggml.fim_suf_token_id", gguf.u32(fim.suffix));
            out.set("tokenizer.ggml.fim_mid_token_id", gguf.u32(fim.middle));
        }
        if (keys !== "fim") {
            out.set("tokenizer.ggml.prefix_token_id", gguf.u32(fim.prefix));
            out.set("tokenizer.ggml.suffix_token_id", gguf.u32(fim.suffix));
            out.set("tokenizer.ggml.middle_token_id", gguf.u32(fim.middle));
        }
    }
    if (spec.chatTemplate === null) out.delete("tokenizer.chat_template");
    else if (spec.chatTemplate !== undefined) out.set("tokenizer.chat_template", gguf.str(spec.chatTemplate));
    return { metadata: out, fim };
}

/** A small SentencePiece-style vocabulary: byte fallback makes every string tokenizable. */
function syntheticVocab(): { tokens: string[]; scores: number[]; types: number[] } {
    const tokens = ["<unk>", "<s>", "</s>"];
    const types: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control];
    for (let b = 0; b < 256; b++) {
        tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
        types.push(TOKEN_TYPE.byte);
    }
    const pieces = ["▁", ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?()[]{}=+-*/\"'_<>".split(""),
        ..."the a to and of in is it you that was for on are with as be this function return const let if else import export"
            .split(" ").map((w) => `▁${w}`)];
    const scores = tokens.map(() => 0);
    pieces.forEach((p, i) => {
        tokens.push(p);
        types.push(TOKEN_TYPE.normal);
        // Longer pieces score higher so the SPM merge prefers whole words.
        scores.push(-1000 + p.length * 10 - i * 0.001);
    });
    return { tokens, scores, types };
}

function silencedTokens(spec: RandomGgufSpec, tokenizer: Map<string, GgufValue>, vocabSize: number): number[] {
    if (!spec.neverGenerate) return [];
    if (Array.isArray(spec.neverGenerate)) return [...new Set(spec.neverGenerate)].filter((t) => t >= 0 && t < vocabSize);
    const ids = new Set<number>();
    const tokens = tokenizer.get("tokenizer.ggml.tokens");
    const types = tokenizer.get("tokenizer.ggml.token_type");
    if (tokens?.type === "array") tokens.values.forEach((t, i) => { if (EOG_TEXTS.has(String(t))) ids.add(i); });
    if (types?.type === "array") types.values.forEach((t, i) => { if (Number(t) === TOKEN_TYPE.control) ids.add(i); });
    for (const key of ["eos", "eot", "eom"]) {
        const v = tokenizer.get(`tokenizer.ggml.${key}_token_id`);
        if (v && v.type !== "array") ids.add(Number(v.value));
    }
    return [...ids].filter((t) => t >= 0 && t < vocabSize).sort((a, b) => a - b);
}

async function writeTensor(
    handle: fs.promises.FileHandle,
    t: PlacedTensor,
    fill: "ones" | "zeros" | "random",
    rng: XorShift128,
    zeroRows: number[],
): Promise<void> {
    const rowLength = t.dims[0]!;
    const rows = t.bytes / rowBytes(t.type, rowLength);
    const bytesPerRow = t.bytes / rows;
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / bytesPerRow));
    const zero = new Set(zeroRows);
    for (let row = 0; row < rows; row += rowsPerChunk) {
        const n = Math.min(rowsPerChunk, rows - row);
        const buf = Buffer.alloc(n * bytesPerRow);
        if (fill === "ones") fillOnes(buf, t.type);
        else if (fill === "random") fillRandom(buf, t.type, rng);
        for (let r = row; r < row + n; r++) if (zero.has(r)) buf.fill(0, (r - row) * bytesPerRow, (r - row + 1) * bytesPerRow);
        await handle.write(buf);
    }
}

function rowBytes(type: GgmlTensorType, rowLength: number): number {
    return type === "F32" ? rowLength * 4 : type === "F16" ? rowLength * 2 : (rowLength / 32) * 34;
}

function fillOnes(buf: Buffer, type: GgmlTensorType): void {
    if (type !== "F32") throw new Error("norm weights are F32");
    new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4).fill(1);
}

// Uniform on [-a, a] has std a/√3; int8 values q·(a/127) therefore use a = 0.02·√3.
const UNIFORM_HALF_WIDTH = WEIGHT_STD * Math.sqrt(3);
const Q8_SCALE_BITS = float32ToFloat16Bits(UNIFORM_HALF_WIDTH / 127);
/** F16 bits for each signed byte's weight, so F16 tensors cost one table lookup per element. */
const F16_FROM_INT8 = Uint16Array.from({ length: 256 }, (_, b) => float32ToFloat16Bits((((b << 24) >> 24) * UNIFORM_HALF_WIDTH) / 127));

function fillRandom(buf: Buffer, type: GgmlTensorType, rng: XorShift128): void {
    if (type === "F32") {
        const f = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
        for (let i = 0; i < f.length; i++) f[i] = ((rng.next() / 0x1_0000_0000) * 2 - 1) * UNIFORM_HALF_WIDTH;
        return;
    }
    rng.fillBytes(buf);
    if (type === "F16") {
        for (let i = 0; i < buf.length; i += 2) buf.writeUInt16LE(F16_FROM_INT8[buf[i]!]!, i);
        return;
    }
    for (let i = 0; i < buf.length; i += 34) buf.writeUInt16LE(Q8_SCALE_BITS, i);
}

/** Deterministic and fast (hundreds of MB/s), unlike crypto.randomBytes it is reproducible from a seed. */
class XorShift128 {
    private x: number;
    private y = 362436069;
    private z = 521288629;
    private w = 88675123;

    constructor(seed: number) {
        this.x = (seed >>> 0) || 123456789;
        for (let i = 0; i < 16; i++) this.next();
    }

    next(): number {
        const t = this.x ^ (this.x << 11);
        this.x = this.y; this.y = this.z; this.z = this.w;
        this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
        return this.w;
    }

    fillBytes(buf: Buffer): void {
        const words = Math.floor(buf.length / 4);
        const u32 = buf.byteOffset % 4 === 0 ? new Uint32Array(buf.buffer, buf.byteOffset, words) : undefined;
        if (u32) for (let i = 0; i < words; i++) u32[i] = this.next();
        else for (let i = 0; i < words; i++) buf.writeUInt32LE(this.next(), i * 4);
        for (let i = words * 4; i < buf.length; i++) buf[i] = this.next() & 0xff;
    }
}
