/**
 * The bounded GGUF header walk (src/engine/ggufStructure.ts) on the real fixtures (accepted, with the exact data
 * layout) and on hand-made hostile headers, each refused with the reason before any other reader sees the file.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkGgufStructure, GgufStructureError, type GgmlTypeTraits } from "../../src/engine/ggufStructure";
import { fixture } from "../helpers/fixtures";
import { encodeGgufHeader, gguf, type GgufValue, type TensorInfo } from "../helpers/ggufFormat";
import { mapGgufFields } from "../helpers/ggufMutate";

/** ggml's block size / type size for the types the fixtures use (F32, F16, Q8_0) and one removed type (4). */
const TRAITS: GgmlTypeTraits = (t) => ({ 0: { blockSize: 1, typeSize: 4 }, 1: { blockSize: 1, typeSize: 2 }, 8: { blockSize: 32, typeSize: 34 } } as Record<number, { blockSize: number; typeSize: number }>)[t];

describe("GGUF header walk (pre-load check)", function () {
    this.timeout(20_000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-gguf-walk-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** A small valid model: two F32 tensors and a string array, written by the test writer. */
    function valid(extra: [string, GgufValue][] = [], tensors: TensorInfo[] = [{ name: "a.weight", dims: [8, 2], type: "F32" }, { name: "b.weight", dims: [32], type: "F32" }]): Buffer {
        const metadata = new Map<string, GgufValue>([["general.architecture", gguf.str("llama")], ["tokenizer.ggml.tokens", gguf.strings(["a", "b"])], ...extra]);
        const { header, dataBytes } = encodeGgufHeader(metadata, tensors);
        return Buffer.concat([header, Buffer.alloc(dataBytes)]);
    }

    async function walk(bytes: Buffer) {
        const file = path.join(dir, "model.gguf");
        fs.writeFileSync(file, bytes);
        return checkGgufStructure(file, TRAITS);
    }

    async function refused(bytes: Buffer, pattern: RegExp): Promise<GgufStructureError> {
        const err = await walk(bytes).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof GgufStructureError, `expected a refusal, got ${String(err)}`);
        assert.match(err.message, pattern);
        return err;
    }

    /** Overwrites the first field `kind` (of `owner`, a key or tensor name, when given) of a valid header. */
    function patch(bytes: Buffer, kind: string, value: bigint, owner?: string): Buffer {
        const out = Buffer.from(bytes);
        const f = mapGgufFields(out).fields.find((x) => x.kind === kind && (owner === undefined || x.owner === owner))!;
        if (f.width === 8) out.writeBigUInt64LE(value, f.offset);
        else out.writeUInt32LE(Number(value), f.offset);
        return out;
    }

    it("accepts the real fixtures, including a vocabulary-only file, with llama.cpp's data layout", async () => {
        for (const name of ["stories260K.gguf", "stories260K-chat-fim.derived.gguf", "llama-2-tiny-random.gguf", "vocab/ggml-vocab-llama-spm.gguf"] as const) {
            const file = fixture(name);
            const layout = await checkGgufStructure(file, TRAITS);
            assert.equal(layout.fileSize, fs.statSync(file).size, name);
            assert.ok(layout.dataEnd <= layout.fileSize, `${name}: data ends at ${layout.dataEnd} of ${layout.fileSize}`);
            if (layout.tensorCount > 0) assert.equal(layout.dataStart % layout.alignment, 0);
        }
        const ok = await walk(valid());
        assert.deepEqual([ok.tensorCount, ok.kvCount, ok.alignment, ok.dataEnd - ok.dataStart], [2, 2, 32, 64 + 128]);
    });

    it("refuses lengths and counts the file cannot hold, before reading them", async () => {
        await refused(patch(valid(), "stringLength", 1n << 32n, "tokenizer.ggml.tokens"), /the file ends inside item 0 of “tokenizer.ggml.tokens”/);
        await refused(patch(valid(), "arrayLength", 1n << 40n), /claims 1099511627776 strings/);
        await refused(patch(valid(), "keyLength", (1n << 64n) - 1n), /the file ends inside metadata key 0/);
        await refused(patch(valid(), "tensorCount", 1n << 62n), /claims 4611686018427387904 tensors/);
        await refused(patch(valid(), "kvCount", 1n << 20n), /claims 1048576 metadata entries/);
        const cut = await refused(valid().subarray(0, 60), /the file ends inside/);
        assert.ok(cut.truncated && cut.truncated.fileSize === 60);
    });

    it("applies llama.cpp's rules: value types, nested arrays, duplicates, alignment, names, dimensions, types, layout", async () => {
        await refused(patch(valid(), "valueType", 13n), /unknown value type 13/);
        await refused(patch(valid(), "arrayItemType", 9n), /array of unknown type 9/);
        await refused(valid([["general.alignment", gguf.u32(48)]]), /alignment 48 is not a power of two/);
        await refused(valid([["general.alignment", { type: "uint64", value: 32n }]]), /general.alignment is not a 32-bit unsigned integer/);
        await refused(valid([], [{ name: "x".repeat(64), dims: [4], type: "F32" }]), /a name of 64 bytes/);
        await refused(valid([], [{ name: "a", dims: [4], type: "F32" }, { name: "a", dims: [4], type: "F32" }]), /“a” appears twice/);
        await refused(patch(valid(), "nDims", 5n), /5 dimensions/);
        await refused(patch(valid(), "dim", 1n << 63n), /negative dimension/);
        await refused(patch(valid(), "ggmlType", 4n), /type 4, which this llama.cpp build cannot read/);
        await refused(patch(valid([], [{ name: "q", dims: [64], type: "Q8_0" }]), "dim", 48n, "q"), /rows of 48 elements, not a multiple of its block size 32/);
        await refused(patch(valid(), "tensorOffset", 96n, "b.weight"), /“b.weight” has data offset 96, but the layout puts it at 64/);
    });

    it("refuses a key that appears twice (node-llama-cpp would keep the last one, llama.cpp the error)", async () => {
        const bytes = valid();
        const map = mapGgufFields(bytes);
        const [s, e] = map.kvEntries[0]!;
        const doubled = Buffer.concat([bytes.subarray(0, e), bytes.subarray(s, e), bytes.subarray(e)]);
        doubled.writeBigUInt64LE(3n, 16);
        await refused(doubled, /“general.architecture” appears twice/);
    });
});
