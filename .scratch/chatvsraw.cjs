"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// bench/models.ts
var import_node_child_process = require("node:child_process");
var fs4 = __toESM(require("node:fs"));
var path3 = __toESM(require("node:path"));

// test/helpers/ggufWriter.ts
var import_node_crypto = require("node:crypto");
var fs2 = __toESM(require("node:fs"));
var path = __toESM(require("node:path"));

// test/helpers/ggufFormat.ts
var fs = __toESM(require("node:fs"));
var GGUF_MAGIC = "GGUF";
var GGUF_VERSION = 3;
var GGUF_DEFAULT_ALIGNMENT = 32;
var GGUF_VALUE_TYPES = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12
};
var gguf = {
  u32: (value) => ({ type: "uint32", value }),
  i32: (value) => ({ type: "int32", value }),
  f32: (value) => ({ type: "float32", value }),
  bool: (value) => ({ type: "bool", value }),
  str: (value) => ({ type: "string", value }),
  strings: (values) => ({ type: "array", itemType: "string", values }),
  f32s: (values) => ({ type: "array", itemType: "float32", values }),
  i32s: (values) => ({ type: "array", itemType: "int32", values })
};
var GGML_TYPES = { F32: 0, F16: 1, Q8_0: 8 };
var Q8_0_BLOCK = 32;
var Q8_0_BLOCK_BYTES = 34;
function tensorByteSize(type, elements) {
  if (type === "F32") return elements * 4;
  if (type === "F16") return elements * 2;
  if (elements % Q8_0_BLOCK !== 0) throw new Error(`Q8_0 needs a multiple of ${Q8_0_BLOCK} elements, got ${elements}`);
  return elements / Q8_0_BLOCK * Q8_0_BLOCK_BYTES;
}
var codeToType = new Map(
  Object.entries(GGUF_VALUE_TYPES).map(([name, code]) => [code, name])
);
var ByteSink = class {
  chunks = [];
  length = 0;
  push(buf) {
    this.chunks.push(buf);
    this.length += buf.length;
  }
  u32(v) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  u64(v) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  str(s) {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }
  toBuffer() {
    return Buffer.concat(this.chunks, this.length);
  }
};
function writeScalar(sink, type, value) {
  if (type === "string") {
    sink.str(String(value));
    return;
  }
  if (type === "bool") {
    sink.push(Buffer.from([value ? 1 : 0]));
    return;
  }
  const size = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, uint64: 8, int64: 8, float64: 8 }[type];
  const b = Buffer.alloc(size);
  switch (type) {
    case "uint8":
      b.writeUInt8(Number(value));
      break;
    case "int8":
      b.writeInt8(Number(value));
      break;
    case "uint16":
      b.writeUInt16LE(Number(value));
      break;
    case "int16":
      b.writeInt16LE(Number(value));
      break;
    case "uint32":
      b.writeUInt32LE(Number(value));
      break;
    case "int32":
      b.writeInt32LE(Number(value));
      break;
    case "float32":
      b.writeFloatLE(Number(value));
      break;
    case "uint64":
      b.writeBigUInt64LE(BigInt(value));
      break;
    case "int64":
      b.writeBigInt64LE(BigInt(value));
      break;
    case "float64":
      b.writeDoubleLE(Number(value));
      break;
  }
  sink.push(b);
}
function alignUp(n, alignment) {
  return Math.ceil(n / alignment) * alignment;
}
function encodeGgufHeader(metadata, tensors) {
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
  const placed = [];
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
var ByteReader = class {
  constructor(buf) {
    this.buf = buf;
  }
  buf;
  pos = 0;
  need(n) {
    if (this.pos + n > this.buf.length) throw new Error("GGUF metadata is truncated");
  }
  u32() {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64() {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  str() {
    const len = Number(this.u64());
    this.need(len);
    const s = this.buf.toString("utf8", this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  scalar(type) {
    const b = this.buf;
    const at = (n) => {
      this.need(n);
      const p = this.pos;
      this.pos += n;
      return p;
    };
    switch (type) {
      case "uint8":
        return b.readUInt8(at(1));
      case "int8":
        return b.readInt8(at(1));
      case "uint16":
        return b.readUInt16LE(at(2));
      case "int16":
        return b.readInt16LE(at(2));
      case "uint32":
        return b.readUInt32LE(at(4));
      case "int32":
        return b.readInt32LE(at(4));
      case "float32":
        return b.readFloatLE(at(4));
      case "bool":
        return b.readUInt8(at(1)) !== 0;
      case "string":
        return this.str();
      case "uint64":
        return b.readBigUInt64LE(at(8));
      case "int64":
        return b.readBigInt64LE(at(8));
      case "float64":
        return b.readDoubleLE(at(8));
    }
  }
};
function typeFromCode(code) {
  const t = codeToType.get(code);
  if (!t) throw new Error(`unknown GGUF value type ${code}`);
  return t;
}
function readGgufMetadata(filePath) {
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
function parseMetadata(buf) {
  const r = new ByteReader(buf);
  r.need(4);
  if (buf.toString("latin1", 0, 4) !== GGUF_MAGIC) throw new Error("not a GGUF file");
  r.pos = 4;
  const version = r.u32();
  if (version < 2 || version > 3) throw new Error(`unsupported GGUF version ${version}`);
  r.u64();
  const kvCount = Number(r.u64());
  const out = /* @__PURE__ */ new Map();
  for (let i = 0; i < kvCount; i++) {
    const key = r.str();
    const type = typeFromCode(r.u32());
    if (type === "array") {
      const itemType = typeFromCode(r.u32());
      if (itemType === "array") throw new Error(`nested arrays are not supported (${key})`);
      const count = Number(r.u64());
      const values = new Array(count);
      for (let j = 0; j < count; j++) values[j] = r.scalar(itemType);
      out.set(key, { type: "array", itemType, values });
    } else {
      out.set(key, { type, value: r.scalar(type) });
    }
  }
  return out;
}
function float32ToFloat16Bits(value) {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = x >>> 16 & 32768;
  const exp = x >>> 23 & 255;
  let mant = x & 8388607;
  if (exp === 255) return sign | 31744 | (mant ? 512 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 31744;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 8388608;
    const shift = 14 - e;
    let half2 = mant >>> shift;
    const rem2 = mant & (1 << shift) - 1;
    const mid = 1 << shift - 1;
    if (rem2 > mid || rem2 === mid && half2 & 1) half2++;
    return sign | half2;
  }
  let half = e << 10 | mant >>> 13;
  const rem = mant & 8191;
  if (rem > 4096 || rem === 4096 && half & 1) half++;
  return sign | half;
}

// test/helpers/ggufWriter.ts
var QWEN25_CODER_FIM_TOKENS = [
  { id: 151659, text: "<|fim_prefix|>", type: "control" },
  { id: 151660, text: "<|fim_middle|>", type: "control" },
  { id: 151661, text: "<|fim_suffix|>", type: "control" },
  { id: 151662, text: "<|fim_pad|>", type: "control" },
  { id: 151663, text: "<|repo_name|>", type: "control" },
  { id: 151664, text: "<|file_sep|>", type: "control" }
];
var QWEN25_CODER_FIM_IDS = { prefix: 151659, suffix: 151661, middle: 151660 };
var WRITER_VERSION = 1;
var WEIGHT_STD = 0.02;
var CHUNK_BYTES = 4 << 20;
var FILE_TYPE = { F32: 0, F16: 1, Q8_0: 7 };
var TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, byte: 6 };
var EOG_TEXTS = /* @__PURE__ */ new Set([
  "</s>",
  "<|endoftext|>",
  "<|im_end|>",
  "<|eot_id|>",
  "<|eom_id|>",
  "<end_of_turn>",
  "<EOT>",
  "<|end|>",
  "<|end_of_text|>",
  "<|return|>",
  "<|call|>",
  "<|fim_pad|>",
  "<|repo_name|>",
  "<|file_sep|>"
]);
async function writeRandomGguf(filePath, spec) {
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
  const metadata = /* @__PURE__ */ new Map();
  metadata.set("general.architecture", gguf.str(arch));
  metadata.set("general.name", gguf.str(spec.name ?? `hearth-random-${arch}`));
  metadata.set("general.file_type", gguf.u32(FILE_TYPE[type]));
  if (type === "Q8_0") metadata.set("general.quantization_version", gguf.u32(2));
  if (spec.alignment !== void 0) metadata.set("general.alignment", gguf.u32(spec.alignment));
  metadata.set(`${arch}.context_length`, gguf.u32(spec.contextLength));
  metadata.set(`${arch}.embedding_length`, gguf.u32(spec.embedding));
  metadata.set(`${arch}.block_count`, gguf.u32(spec.layers));
  metadata.set(`${arch}.feed_forward_length`, gguf.u32(spec.feedForward));
  metadata.set(`${arch}.attention.head_count`, gguf.u32(spec.heads));
  if (arch !== "bert") metadata.set(`${arch}.attention.head_count_kv`, gguf.u32(headsKv));
  const w = (name, dims) => ({ name, dims, type });
  const f32 = (name, dims) => ({ name, dims, type: "F32" });
  let tensors;
  if (arch === "bert") {
    metadata.set("bert.attention.layer_norm_epsilon", gguf.f32(1e-12));
    metadata.set("bert.attention.causal", gguf.bool(false));
    metadata.set("bert.pooling_type", gguf.u32(1));
    for (const [k, v] of tokenizer) metadata.set(k, v);
    if (!metadata.has("tokenizer.ggml.token_type_count")) metadata.set("tokenizer.ggml.token_type_count", gguf.u32(2));
    tensors = bertTensors(spec, vocabSize, w, f32);
  } else {
    metadata.set(`${arch}.attention.layer_norm_rms_epsilon`, gguf.f32(spec.rmsEps ?? 1e-6));
    metadata.set(`${arch}.rope.freq_base`, gguf.f32(spec.ropeFreqBase ?? (arch === "qwen2" ? 1e6 : 1e4)));
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
  fs2.mkdirSync(path.dirname(filePath), { recursive: true });
  const handle = await fs2.promises.open(filePath, "w");
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
async function ensureRandomGguf(cacheDir, spec) {
  const source = spec.vocab.kind === "copy" ? fs2.statSync(spec.vocab.from) : void 0;
  const key = (0, import_node_crypto.createHash)("sha256").update(JSON.stringify({ WRITER_VERSION, spec, source: source && [source.size, source.mtimeMs] }, (_k, v) => typeof v === "bigint" ? v.toString() : v)).digest("hex").slice(0, 16);
  const file = path.join(cacheDir, `${spec.name ?? spec.architecture ?? "llama"}-${key}.gguf`);
  const infoFile = `${file}.json`;
  if (fs2.existsSync(file) && fs2.existsSync(infoFile)) {
    return JSON.parse(fs2.readFileSync(infoFile, "utf8"));
  }
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const info = await writeRandomGguf(tmp, spec);
    fs2.renameSync(tmp, file);
    const final = { ...info, path: file };
    fs2.writeFileSync(infoFile, JSON.stringify(final));
    return final;
  } finally {
    fs2.rmSync(tmp, { force: true });
  }
}
function decoderTensors(spec, arch, vocabSize, kvDim, w, f32) {
  const tensors = [w("token_embd.weight", [spec.embedding, vocabSize]), f32("output_norm.weight", [spec.embedding])];
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
function bertTensors(spec, vocabSize, w, f32) {
  const e = spec.embedding;
  const tensors = [
    w("token_embd.weight", [e, vocabSize]),
    f32("token_types.weight", [e, 2]),
    f32("position_embd.weight", [e, spec.contextLength]),
    f32("token_embd_norm.weight", [e]),
    f32("token_embd_norm.bias", [e])
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
function buildTokenizer(spec) {
  const out = /* @__PURE__ */ new Map();
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
  let fim;
  if (spec.fim === "append") {
    if (spec.vocab.kind !== "synthetic") throw new Error('fim: "append" is only for the synthetic vocabulary; give token ids');
    const tokens = out.get("tokenizer.ggml.tokens");
    const scores = out.get("tokenizer.ggml.scores");
    const types = out.get("tokenizer.ggml.token_type");
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
  else if (spec.chatTemplate !== void 0) out.set("tokenizer.chat_template", gguf.str(spec.chatTemplate));
  return { metadata: out, fim };
}
function syntheticVocab() {
  const tokens = ["<unk>", "<s>", "</s>"];
  const types = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TOKEN_TYPE.byte);
  }
  const pieces = [
    "\u2581",
    ...`abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?()[]{}=+-*/"'_<>`.split(""),
    ..."the a to and of in is it you that was for on are with as be this function return const let if else import export".split(" ").map((w) => `\u2581${w}`)
  ];
  const scores = tokens.map(() => 0);
  pieces.forEach((p, i) => {
    tokens.push(p);
    types.push(TOKEN_TYPE.normal);
    scores.push(-1e3 + p.length * 10 - i * 1e-3);
  });
  return { tokens, scores, types };
}
function silencedTokens(spec, tokenizer, vocabSize) {
  if (!spec.neverGenerate) return [];
  if (Array.isArray(spec.neverGenerate)) return [...new Set(spec.neverGenerate)].filter((t) => t >= 0 && t < vocabSize);
  const ids = /* @__PURE__ */ new Set();
  const tokens = tokenizer.get("tokenizer.ggml.tokens");
  const types = tokenizer.get("tokenizer.ggml.token_type");
  if (tokens?.type === "array") tokens.values.forEach((t, i) => {
    if (EOG_TEXTS.has(String(t))) ids.add(i);
  });
  if (types?.type === "array") types.values.forEach((t, i) => {
    if (Number(t) === TOKEN_TYPE.control) ids.add(i);
  });
  for (const key of ["eos", "eot", "eom"]) {
    const v = tokenizer.get(`tokenizer.ggml.${key}_token_id`);
    if (v && v.type !== "array") ids.add(Number(v.value));
  }
  return [...ids].filter((t) => t >= 0 && t < vocabSize).sort((a, b) => a - b);
}
async function writeTensor(handle, t, fill, rng, zeroRows) {
  const rowLength = t.dims[0];
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
function rowBytes(type, rowLength) {
  return type === "F32" ? rowLength * 4 : type === "F16" ? rowLength * 2 : rowLength / 32 * 34;
}
function fillOnes(buf, type) {
  if (type !== "F32") throw new Error("norm weights are F32");
  new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4).fill(1);
}
var UNIFORM_HALF_WIDTH = WEIGHT_STD * Math.sqrt(3);
var Q8_SCALE_BITS = float32ToFloat16Bits(UNIFORM_HALF_WIDTH / 127);
var F16_FROM_INT8 = Uint16Array.from({ length: 256 }, (_, b) => float32ToFloat16Bits((b << 24 >> 24) * UNIFORM_HALF_WIDTH / 127));
function fillRandom(buf, type, rng) {
  if (type === "F32") {
    const f = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    for (let i = 0; i < f.length; i++) f[i] = (rng.next() / 4294967296 * 2 - 1) * UNIFORM_HALF_WIDTH;
    return;
  }
  rng.fillBytes(buf);
  if (type === "F16") {
    for (let i = 0; i < buf.length; i += 2) buf.writeUInt16LE(F16_FROM_INT8[buf[i]], i);
    return;
  }
  for (let i = 0; i < buf.length; i += 34) buf.writeUInt16LE(Q8_SCALE_BITS, i);
}
var XorShift128 = class {
  x;
  y = 362436069;
  z = 521288629;
  w = 88675123;
  constructor(seed) {
    this.x = seed >>> 0 || 123456789;
    for (let i = 0; i < 16; i++) this.next();
  }
  next() {
    const t = this.x ^ this.x << 11;
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ this.w >>> 19 ^ (t ^ t >>> 8)) >>> 0;
    return this.w;
  }
  fillBytes(buf) {
    const words = Math.floor(buf.length / 4);
    const u32 = buf.byteOffset % 4 === 0 ? new Uint32Array(buf.buffer, buf.byteOffset, words) : void 0;
    if (u32) for (let i = 0; i < words; i++) u32[i] = this.next();
    else for (let i = 0; i < words; i++) buf.writeUInt32LE(this.next(), i * 4);
    for (let i = words * 4; i < buf.length; i++) buf[i] = this.next() & 255;
  }
};

// bench/lib.ts
var fs3 = __toESM(require("node:fs"));
var path2 = __toESM(require("node:path"));
var REPO_ROOT = findRepoRoot(__dirname);
function findRepoRoot(start) {
  for (let dir = start; ; dir = path2.dirname(dir)) {
    const pkg = path2.join(dir, "package.json");
    if (fs3.existsSync(pkg) && JSON.parse(fs3.readFileSync(pkg, "utf8")).name === "hearth") return dir;
    if (path2.dirname(dir) === dir) throw new Error(`cannot find Hearth's package.json above ${start}`);
  }
}
var CACHE_DIR = path2.join(REPO_ROOT, "bench", ".cache");
var ENGINE_PATH = path2.join(REPO_ROOT, "dist", "engine.mjs");
var LOG_FILE = path2.join(CACHE_DIR, "bench.log");
function log(message) {
  const line = `[bench ${(/* @__PURE__ */ new Date()).toISOString().slice(11, 19)}] ${message}`;
  console.log(line);
  fs3.mkdirSync(CACHE_DIR, { recursive: true });
  fs3.appendFileSync(LOG_FILE, `${line}
`);
}
var nodeLlamaCpp;
function loadNodeLlamaCpp() {
  nodeLlamaCpp ??= import("node-llama-cpp");
  return nodeLlamaCpp;
}
var directLlama;
function getDirectLlama(gpu) {
  if (directLlama?.gpu !== gpu) {
    directLlama = {
      gpu,
      llama: loadNodeLlamaCpp().then(({ getLlama, LlamaLogLevel }) => getLlama({ gpu: gpu === "cpu" ? false : "auto", build: "never", logLevel: LlamaLogLevel.error }))
    };
  }
  return directLlama.llama;
}
async function loadDirect(modelPath, options, threads = options.threads) {
  const llama = await getDirectLlama(options.gpu);
  const model = await llama.loadModel({ modelPath, gpuLayers: options.gpu === "cpu" ? 0 : "auto" });
  const context = await model.createContext({
    contextSize: { min: Math.min(512, options.contextSize), max: options.contextSize },
    sequences: 2,
    threads
  });
  return {
    model,
    context,
    sequence: context.getSequence(),
    async dispose() {
      await context.dispose();
      await model.dispose();
    }
  };
}
async function timed(what, fn) {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    log(`${what}: ${((performance.now() - started) / 1e3).toFixed(1)} s`);
  }
}

// bench/models.ts
var LLAMA_CPP_SOURCE = path3.join(CACHE_DIR, "llama.cpp");
function ensureLlamaCppSource() {
  if (fs4.existsSync(path3.join(LLAMA_CPP_SOURCE, "CMakeLists.txt"))) return LLAMA_CPP_SOURCE;
  const bundle = path3.join(REPO_ROOT, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
  if (!fs4.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm ci.`);
  log("extracting llama.cpp source from node-llama-cpp's gitRelease.bundle");
  fs4.rmSync(LLAMA_CPP_SOURCE, { recursive: true, force: true });
  (0, import_node_child_process.execFileSync)("git", ["clone", "-q", bundle, LLAMA_CPP_SOURCE], { stdio: "inherit" });
  return LLAMA_CPP_SOURCE;
}
function qwen2Vocab() {
  const file = path3.join(ensureLlamaCppSource(), "models", "ggml-vocab-qwen2.gguf");
  if (!fs4.existsSync(file)) throw new Error(`${file} is missing from the llama.cpp source`);
  return file;
}
function generatedModelName(quick) {
  return quick ? "qwen2_100m_q8" : "qwen2_0p5b_q8";
}
function generatedModelSpec(quick) {
  const common = {
    architecture: "qwen2",
    contextLength: 32768,
    vocab: { kind: "copy", from: qwen2Vocab() },
    tokenOverrides: QWEN25_CODER_FIM_TOKENS,
    fim: QWEN25_CODER_FIM_IDS,
    tensorType: "Q8_0",
    neverGenerate: "eog",
    tieEmbeddings: true,
    seed: 2024
  };
  return quick ? { ...common, name: generatedModelName(true), layers: 8, embedding: 512, heads: 8, headsKv: 2, feedForward: 1536 } : { ...common, name: generatedModelName(false), layers: 24, embedding: 896, heads: 14, headsKv: 2, feedForward: 4864 };
}
async function ensureGeneratedModel(quick) {
  const spec = generatedModelSpec(quick);
  return timed(`generated model ${spec.name}`, async () => {
    const written = await ensureRandomGguf(path3.join(CACHE_DIR, "models"), spec);
    log(`  ${path3.relative(REPO_ROOT, written.path)}: ${(written.parameters / 1e6).toFixed(0)}M parameters, ${(written.bytes / 2 ** 20).toFixed(0)} MiB, vocab ${written.vocabSize}`);
    return written;
  });
}

// .scratch/chatvsraw.ts
var N = 128;
async function main() {
  const m = await ensureGeneratedModel(false);
  const opts = { quick: false, threads: Number(process.env.T ?? 1), contextSize: 4096, gpu: "cpu", only: [] };
  const d = await loadDirect(m.path, opts);
  const nlc = await loadNodeLlamaCpp();
  const seq = d.sequence;
  const prompt = "<|im_start|>system\nSession X. You are helpful.<|im_end|>\n<|im_start|>user\nExplain what a KV cache is.<|im_end|>\n<|im_start|>assistant\n";
  const rawRun = async (run) => {
    await seq.clearHistory();
    const tokens = d.model.tokenize(prompt.replace("X", String(run)), true);
    let n = 0;
    let t0 = 0;
    let t1 = 0;
    for await (const tok of seq.evaluate(tokens, { temperature: 0 })) {
      void tok;
      const now = performance.now();
      if (n === 0) t0 = now;
      t1 = now;
      n++;
      if (n >= N) break;
    }
    return (n - 1) / ((t1 - t0) / 1e3);
  };
  const chatRun = async (run) => {
    await seq.clearHistory();
    const chat = new nlc.LlamaChat({ contextSequence: seq, autoDisposeSequence: false });
    let n = 0;
    let t0 = 0;
    let t1 = 0;
    await chat.generateResponse([{ type: "system", text: `Session ${run}. You are helpful.` }, { type: "user", text: "Explain what a KV cache is." }, { type: "model", response: [] }], {
      maxTokens: N,
      temperature: 0,
      onToken: (toks) => {
        const now = performance.now();
        if (n === 0) t0 = now;
        t1 = now;
        n += toks.length;
      }
    });
    chat.dispose();
    return (n - 1) / ((t1 - t0) / 1e3);
  };
  await rawRun(-1);
  await chatRun(-2);
  const r = [];
  const c = [];
  for (let i = 0; i < Number(process.env.R ?? 6); i++) {
    if (i % 2) {
      r.push(await rawRun(i));
      c.push(await chatRun(i));
    } else {
      c.push(await chatRun(i));
      r.push(await rawRun(i));
    }
    console.log(`run ${i}: raw ${r.at(-1).toFixed(1)} chat ${c.at(-1).toFixed(1)} ratio ${(c.at(-1) / r.at(-1)).toFixed(3)}`);
  }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(`median raw ${med(r).toFixed(1)} chat ${med(c).toFixed(1)} ratio ${(med(c) / med(r)).toFixed(3)}`);
  await d.dispose();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
