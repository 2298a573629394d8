/**
 * The models engine paths on real files: inspectModels on the fixtures (facts and fit), and the bad files the Select
 * Model list and loadModel must name with a reason: not GGUF, truncated, unsupported architecture, too large for
 * memory. After every failure the engine still loads a good model.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { EngineError, type LoadModelParams, type ModelInfo } from "../../src/protocol/engineProtocol";
import { ENGINE_PATH, fixture } from "../helpers/fixtures";
import { encodeGgufHeader, gguf, type GgufValue } from "../helpers/ggufFormat";
import { writeRandomGguf } from "../helpers/ggufWriter";

function loadParams(modelPath: string): LoadModelParams {
    return { modelPath, contextSize: 1024, threads: 1, gpuLayers: 0, sequences: 1, gpu: "cpu" };
}

async function rejectsWith(p: Promise<unknown>, code: string, pattern: RegExp): Promise<EngineError> {
    try {
        await p;
    } catch (err) {
        assert.ok(err instanceof EngineError, `expected EngineError, got ${String(err)}`);
        assert.equal(err.code, code, err.message);
        assert.match(err.message, pattern);
        return err;
    }
    assert.fail(`expected rejection with ${code}`);
}

/** A llama header whose single tensor claims 256 GiB; the file itself is a few hundred bytes. */
function writeHugeHeader(file: string): void {
    const metadata = new Map<string, GgufValue>([
        ["general.architecture", gguf.str("llama")],
        ["general.name", gguf.str("claims-256-GiB")],
        ["llama.context_length", gguf.u32(4096)],
        ["llama.embedding_length", gguf.u32(65536)],
        ["llama.block_count", gguf.u32(1)],
        ["llama.feed_forward_length", gguf.u32(65536)],
        ["llama.attention.head_count", gguf.u32(64)],
    ]);
    const { header } = encodeGgufHeader(metadata, [{ name: "token_embd.weight", dims: [65536, 1048576], type: "F32" }]);
    fs.writeFileSync(file, header);
}

describe("models: inspectModels and bad model files (real engine)", function () {
    this.timeout(60_000);
    let engine: EngineProcess;
    let dir: string;
    const files: Record<string, string> = {};

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-badmodels-"));
        files.text = path.join(dir, "notes.gguf");
        fs.writeFileSync(files.text, "These are my notes, not a model.\n".repeat(20));
        files.truncated = path.join(dir, "stories-truncated.gguf");
        const good = fs.readFileSync(fixture("stories260K.gguf"));
        fs.writeFileSync(files.truncated, good.subarray(0, Math.floor(good.length * 0.6)));
        files.bogusArch = path.join(dir, "bogus-arch.gguf");
        await writeRandomGguf(files.bogusArch, {
            layers: 1, embedding: 32, heads: 2, feedForward: 64, contextLength: 256, vocab: { kind: "synthetic" },
            tensorType: "F32", name: "bogus-arch", extraMetadata: { "general.architecture": gguf.str("hearthbogusarch") },
        });
        files.huge = path.join(dir, "huge.gguf");
        writeHugeHeader(files.huge);
        engine = new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined });
    });

    after(() => {
        engine.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reads name, architecture, quantization, context, parameters and fit of the fixtures", async () => {
        const paths = [fixture("stories260K.gguf"), fixture("stories260K-chat-fim.derived.gguf"), fixture("llama-2-tiny-random.gguf")];
        const started = Date.now();
        const { models } = await engine.request("inspectModels", { paths, gpu: "cpu" });
        console.log(`      inspectModels on 3 fixtures (incl. engine start): ${Date.now() - started} ms`);
        const [stories, chatFim, tiny] = models as [ModelInfo, ModelInfo, ModelInfo];
        for (const m of models) {
            assert.equal(m.ok, true, `${m.path}: ${m.error}`);
            assert.equal(m.architecture, "llama");
            assert.ok(m.name && m.name.length > 0);
            assert.ok(m.quantization, `quantization of ${m.path}`);
            assert.ok(m.parameters, `parameters of ${m.path}`);
            assert.ok(m.fitScore! > 0, `${m.path} should fit (score ${m.fitScore})`);
            assert.equal(m.fitsOnGpu, false);
            assert.equal(m.sizeBytes, fs.statSync(m.path).size);
        }
        assert.equal(stories.contextLength, 2048);
        assert.equal(stories.hasChatTemplate, false);
        assert.equal(stories.hasFimTokens, false);
        assert.equal(chatFim.hasChatTemplate, true);
        assert.equal(chatFim.hasFimTokens, true);
        assert.equal(tiny.contextLength, 4096);
    });

    it("flags each bad file with the reason, in the same answer as the good one", async () => {
        const missing = path.join(dir, "missing.gguf");
        const vocabOnly = fixture("vocab/ggml-vocab-llama-spm.gguf");
        const { models } = await engine.request("inspectModels", {
            paths: [files.text!, files.truncated!, files.bogusArch!, files.huge!, missing, vocabOnly, fixture("stories260K.gguf")], gpu: "cpu",
        });
        const byPath = new Map(models.map((m) => [m.path, m]));
        const text = byPath.get(files.text!)!;
        assert.equal(text.ok, false);
        assert.match(text.error!, /notes\.gguf is not a GGUF model file/);
        const truncated = byPath.get(files.truncated!)!;
        assert.equal(truncated.ok, false);
        assert.match(truncated.error!, /stories-truncated\.gguf is truncated/);
        const bogus = byPath.get(files.bogusArch!)!;
        assert.equal(bogus.ok, false);
        assert.equal(bogus.architecture, "hearthbogusarch");
        assert.match(bogus.error!, /“hearthbogusarch” architecture is not supported/);
        const huge = byPath.get(files.huge!)!;
        assert.equal(huge.ok, true, huge.error);
        assert.equal(huge.fitScore, 0, "a model larger than RAM is listed as not fitting");
        assert.match(byPath.get(missing)!.error!, /does not exist/);
        assert.equal(byPath.get(vocabOnly)!.ok, false);
        assert.match(byPath.get(vocabOnly)!.error!, /only a tokenizer/);
        assert.equal(byPath.get(fixture("stories260K.gguf"))!.ok, true);
    });

    it("refuses to load each bad file with an error naming it and the reason, then loads a good model", async () => {
        await rejectsWith(engine.request("loadModel", loadParams(files.text!)), "badModel", /notes\.gguf is not a GGUF model file/);
        await rejectsWith(engine.request("loadModel", loadParams(files.truncated!)), "badModel", /stories-truncated\.gguf is truncated/);
        await rejectsWith(engine.request("loadModel", loadParams(fixture("vocab/ggml-vocab-llama-spm.gguf"))), "badModel",
            /ggml-vocab-llama-spm\.gguf holds only a tokenizer/);
        await rejectsWith(engine.request("loadModel", loadParams(files.bogusArch!)), "badModel",
            /bogus-arch\.gguf uses the “hearthbogusarch” architecture, which this llama\.cpp build does not support/);
        const tooLarge = await rejectsWith(engine.request("loadModel", loadParams(files.huge!)), "modelTooLarge",
            /huge\.gguf is too large for this machine: its weights need 256\.0 GB/);
        assert.match(tooLarge.message, /smaller model/);
        const info = await engine.request("loadModel", loadParams(fixture("stories260K.gguf")));
        assert.equal(info.backend, "cpu");
        const r = await engine.request("complete", { sequence: "chat", prompt: "Once upon a time", maxTokens: 8, sampling: { temperature: 0 } });
        assert.ok(r.tokens > 0);
    });
});
