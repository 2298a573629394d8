/**
 * Byte layout of the random-weight GGUF writer, read back with node-llama-cpp's own GGUF reader (the reference)
 * and checked at the byte level where that reader does not look (tensor data, padding, Q8_0 blocks).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { float32ToFloat16Bits, GGUF_DEFAULT_ALIGNMENT } from "../helpers/ggufFormat";
import { fixture } from "../helpers/fixtures";
import { ensureRandomGguf, readGgufMetadata, writeRandomGguf, type RandomGgufSpec } from "../helpers/ggufWriter";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
const nlc = (): Promise<NodeLlamaCpp> => import("node-llama-cpp");

const tiny: RandomGgufSpec = {
    layers: 2, embedding: 64, heads: 4, headsKv: 2, feedForward: 128, contextLength: 1024, vocab: { kind: "synthetic" },
};

describe("GGUF writer: byte layout", function () {
    this.timeout(20_000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-gguf-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes GGUF v3 with the requested llama metadata, FIM ids (both key styles) and chat template", async () => {
        const file = path.join(dir, "meta.gguf");
        const written = await writeRandomGguf(file, {
            ...tiny, name: "meta-test", fim: "append", chatTemplate: "{{ messages[0].content }}", tensorType: "F16",
        });
        const { readGgufFileInfo } = await nlc();
        const info = await readGgufFileInfo(file, { logWarnings: false });
        assert.equal(info.version, 3);
        const md = info.metadata as unknown as Record<string, Record<string, unknown>>;
        assert.equal(md.general!.architecture, "llama");
        assert.equal(md.general!.name, "meta-test");
        assert.equal(md.general!.file_type, 1);
        const llamaMd = md.llama as { context_length: number; embedding_length: number; block_count: number;
            feed_forward_length: number; attention: { head_count: number; head_count_kv: number } };
        assert.equal(llamaMd.context_length, 1024);
        assert.equal(llamaMd.embedding_length, 64);
        assert.equal(llamaMd.block_count, 2);
        assert.equal(llamaMd.feed_forward_length, 128);
        assert.equal(llamaMd.attention.head_count, 4);
        assert.equal(llamaMd.attention.head_count_kv, 2);
        const tok = info.metadata.tokenizer;
        assert.equal(tok.chat_template, "{{ messages[0].content }}");
        assert.equal(tok.ggml.tokens.length, written.vocabSize);
        assert.deepEqual(written.fim, { prefix: written.vocabSize - 3, suffix: written.vocabSize - 2, middle: written.vocabSize - 1 });
        assert.equal(tok.ggml.tokens[written.fim!.prefix], "<|fim_prefix|>");
        assert.equal(tok.ggml.fim_pre_token_id, written.fim!.prefix);
        assert.equal(tok.ggml.fim_suf_token_id, written.fim!.suffix);
        assert.equal(tok.ggml.fim_mid_token_id, written.fim!.middle);
        assert.equal(tok.ggml.prefix_token_id, written.fim!.prefix);
        assert.equal(tok.ggml.middle_token_id, written.fim!.middle);
        assert.equal(fs.statSync(file).size, written.bytes);
    });

    it("places every tensor at an aligned offset with llama's shapes and exact sizes", async () => {
        const file = path.join(dir, "layout.gguf");
        const written = await writeRandomGguf(file, { ...tiny, alignment: 64, tensorType: "Q8_0" });
        const { readGgufFileInfo } = await nlc();
        const info = await readGgufFileInfo(file, { logWarnings: false });
        const tensors = info.tensorInfo!;
        // token_embd, output_norm, output + 9 per layer
        assert.equal(tensors.length, 3 + 9 * tiny.layers);
        const byName = new Map(tensors.map((t) => [t.name, t]));
        assert.deepEqual(byName.get("token_embd.weight")!.dimensions.map(Number), [64, written.vocabSize]);
        assert.deepEqual(byName.get("blk.1.attn_k.weight")!.dimensions.map(Number), [64, 32], "kv dim = head dim 16 × 2 kv heads");
        assert.deepEqual(byName.get("blk.0.ffn_down.weight")!.dimensions.map(Number), [128, 64]);
        assert.equal(byName.get("blk.0.attn_q.weight")!.ggmlType, 8, "Q8_0");
        assert.equal(byName.get("blk.0.attn_norm.weight")!.ggmlType, 0, "norms stay F32");
        const dataStart = Number(tensors[0]!.fileOffset);
        assert.equal(dataStart % 64, 0, "data section starts aligned");
        for (const t of tensors) {
            assert.equal(Number(t.offset) % 64, 0, `${t.name} is aligned`);
            const placed = written.tensors.find((p) => p.name === t.name)!;
            assert.equal(Number(t.offset), placed.offset);
        }
        const last = written.tensors.at(-1)!;
        assert.equal(fs.statSync(file).size, dataStart + last.offset + last.bytes);
        // Q8_0 of a 64-wide row: 2 blocks of (f16 scale + 32 int8) = 68 bytes per row.
        assert.equal(written.tensors.find((t) => t.name === "token_embd.weight")!.bytes, written.vocabSize * 68);
    });

    it("writes Q8_0 blocks with the fixed f16 scale, F32 norms of 1.0, and zeroed rows for silenced tokens", async () => {
        const file = path.join(dir, "data.gguf");
        const written = await writeRandomGguf(file, { ...tiny, neverGenerate: "eog", tensorType: "Q8_0" });
        assert.deepEqual(written.silencedTokens, [1, 2], "<s> and </s> are the synthetic vocab's control tokens");
        const bytes = fs.readFileSync(file);
        const dataStart = bytes.length - (written.tensors.at(-1)!.offset + written.tensors.at(-1)!.bytes);
        assert.equal(dataStart % GGUF_DEFAULT_ALIGNMENT, 0);
        const at = (name: string) => dataStart + written.tensors.find((t) => t.name === name)!.offset;
        const expectedScale = float32ToFloat16Bits((0.02 * Math.sqrt(3)) / 127);
        const embd = at("token_embd.weight");
        assert.equal(bytes.readUInt16LE(embd), expectedScale);
        assert.equal(bytes.readUInt16LE(embd + 34), expectedScale, "second block's scale");
        const quants = bytes.subarray(embd + 2, embd + 34);
        assert.ok(new Set(quants).size > 8, "int8 quants are random");
        const norm = at("output_norm.weight");
        for (let i = 0; i < 64; i++) assert.equal(bytes.readFloatLE(norm + i * 4), 1);
        const out = at("output.weight");
        const rowBytes = 68;
        assert.ok(bytes.subarray(out + rowBytes, out + 3 * rowBytes).every((b) => b === 0), "rows 1 and 2 are zero");
        assert.ok(bytes.subarray(out + 3 * rowBytes, out + 4 * rowBytes).some((b) => b !== 0), "row 3 is random");
        assert.equal(bytes.readUInt16LE(out), expectedScale, "row 0 is random");
    });

    it("is deterministic for a seed and differs across seeds", async () => {
        const a = await writeRandomGguf(path.join(dir, "a.gguf"), { ...tiny, seed: 7, tensorType: "F32" });
        const b = await writeRandomGguf(path.join(dir, "b.gguf"), { ...tiny, seed: 7, tensorType: "F32" });
        const c = await writeRandomGguf(path.join(dir, "c.gguf"), { ...tiny, seed: 8, tensorType: "F32" });
        assert.ok(fs.readFileSync(a.path).equals(fs.readFileSync(b.path)));
        assert.ok(!fs.readFileSync(a.path).equals(fs.readFileSync(c.path)));
        const f = fs.readFileSync(a.path);
        const start = f.length - (a.tensors.at(-1)!.offset + a.tensors.at(-1)!.bytes);
        const weights = new Float32Array(f.buffer.slice(f.byteOffset + start, f.byteOffset + start + 64 * 4 * 50));
        const mean = weights.reduce((s, x) => s + x, 0) / weights.length;
        const std = Math.sqrt(weights.reduce((s, x) => s + (x - mean) ** 2, 0) / weights.length);
        assert.ok(Math.abs(std - 0.02) < 0.003, `weight std ${std}`);
    });

    it("copies a real tokenizer with its value types, and qwen2 shape adds q/k/v biases", async () => {
        const source = fixture("llama-2-tiny-random.gguf");
        const file = path.join(dir, "copy.gguf");
        const written = await writeRandomGguf(file, {
            ...tiny, architecture: "qwen2", vocab: { kind: "copy", from: source }, tieEmbeddings: true, chatTemplate: null,
        });
        const src = readGgufMetadata(source);
        const dst = readGgufMetadata(file);
        for (const [key, value] of src) {
            if (!key.startsWith("tokenizer.") || key === "tokenizer.chat_template") continue;
            assert.deepEqual(dst.get(key), value, key);
        }
        assert.equal(dst.has("tokenizer.chat_template"), false);
        assert.equal(written.vocabSize, 32000);
        assert.deepEqual(dst.get("general.architecture"), { type: "string", value: "qwen2" });
        const names = written.tensors.map((t) => t.name);
        assert.ok(names.includes("blk.0.attn_q.bias") && names.includes("blk.1.attn_v.bias"));
        assert.ok(!names.includes("output.weight"), "tied embeddings");
    });

    it("converts floats to f16 bits like ggml", () => {
        assert.equal(float32ToFloat16Bits(1), 0x3c00);
        assert.equal(float32ToFloat16Bits(-2), 0xc000);
        assert.equal(float32ToFloat16Bits(65504), 0x7bff);
        assert.equal(float32ToFloat16Bits(1e6), 0x7c00);
        assert.equal(float32ToFloat16Bits(0), 0);
        assert.equal(float32ToFloat16Bits(2 ** -24), 0x0001, "smallest subnormal");
        assert.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00, "ties round to even");
        assert.equal(float32ToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
    });

    it("caches by spec: a second ensure returns the same file without rewriting it", async () => {
        const cache = path.join(dir, "cache");
        const first = await ensureRandomGguf(cache, { ...tiny, name: "cached" });
        const mtime = fs.statSync(first.path).mtimeMs;
        const second = await ensureRandomGguf(cache, { ...tiny, name: "cached" });
        assert.equal(second.path, first.path);
        assert.equal(fs.statSync(second.path).mtimeMs, mtime);
        const other = await ensureRandomGguf(cache, { ...tiny, name: "cached", layers: 1 });
        assert.notEqual(other.path, first.path);
        assert.deepEqual(fs.readdirSync(cache).filter((f) => f.endsWith(".tmp")), []);
    });
});
