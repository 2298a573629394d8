/**
 * Models made by the random-weight GGUF writer load and run in the real engine process: FIM tokens switch on the
 * infill path, a chat template selects node-llama-cpp's Jinja wrapper, a copied real tokenizer tokenizes like
 * its source. Threads pinned to 1.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import type { LoadModelParams } from "../../src/protocol/engineProtocol";
import { ENGINE_PATH, fixture } from "../helpers/fixtures";
import { writeRandomGguf, type RandomGgufSpec } from "../helpers/ggufWriter";

const tiny: RandomGgufSpec = {
    layers: 2, embedding: 64, heads: 4, headsKv: 2, feedForward: 128, contextLength: 1024, vocab: { kind: "synthetic" },
    neverGenerate: "eog",
};

function params(modelPath: string): LoadModelParams {
    return { modelPath, contextSize: 1024, threads: 1, gpuLayers: 0, sequences: 2, gpu: "cpu" };
}

describe("engine process on generated random-weight GGUF models", function () {
    this.timeout(60_000);
    let dir: string;
    let engine: EngineProcess;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-gguf-engine-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    beforeEach(() => (engine = new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined })));
    afterEach(() => engine.dispose());

    it("a model with FIM tokens loads with infill supported and fills in the middle", async () => {
        const written = await writeRandomGguf(path.join(dir, "fim.gguf"), { ...tiny, fim: "append", tensorType: "Q8_0" });
        const info = await engine.request("loadModel", params(written.path));
        assert.equal(info.infillSupported, true);
        assert.equal(info.trainContextSize, 1024);
        const r = await engine.request("infill", {
            extraContext: "", prefix: "function add(a, b) {\n", suffix: "\n}\n", currentLinePrefix: "    return ",
            maxTokens: 24, sampling: { temperature: 0 },
        });
        assert.equal(r.tokens, 24, "EOS is silenced, so greedy decoding runs to maxTokens");
        assert.equal(r.stopReason, "maxTokens");
    });

    it("a model without FIM tokens reports infill unsupported and refuses the infill op clearly", async () => {
        const written = await writeRandomGguf(path.join(dir, "nofim.gguf"), { ...tiny, tensorType: "F16" });
        const info = await engine.request("loadModel", params(written.path));
        assert.equal(info.infillSupported, false);
        await assert.rejects(
            engine.request("infill", { extraContext: "", prefix: "a", suffix: "b", currentLinePrefix: "", maxTokens: 4 }),
            /fill-in-the-middle/);
    });

    it("FIM ids given only under the legacy prefix/suffix/middle keys are honoured", async () => {
        const written = await writeRandomGguf(path.join(dir, "legacy.gguf"), {
            ...tiny, fim: { prefix: 100, suffix: 101, middle: 102 }, fimKeys: "legacy", tensorType: "F32",
        });
        const info = await engine.request("loadModel", params(written.path));
        assert.equal(info.infillSupported, true);
    });

    it("a chat template selects the Jinja path and a chat turn streams tokens", async () => {
        const template = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}"
            + "{% if add_generation_prompt %}<|assistant|>{% endif %}";
        const written = await writeRandomGguf(path.join(dir, "chat.gguf"), { ...tiny, chatTemplate: template });
        const info = await engine.request("loadModel", params(written.path));
        assert.equal(info.hasChatTemplate, true);
        assert.equal(info.chatWrapper, "JinjaTemplate");
        let streamed = 0;
        const r = await engine.request("chat", {
            messages: [{ role: "user", text: "hello there" }], maxTokens: 16, sampling: { temperature: 0 },
        }, { onEvent: () => streamed++ });
        assert.ok(r.tokens > 0 && streamed > 0, `tokens ${r.tokens}, chunks ${streamed}`);
    });

    it("a copied Llama-2 tokenizer counts tokens exactly as its source model does", async () => {
        const written = await writeRandomGguf(path.join(dir, "llama2vocab.gguf"), {
            ...tiny, vocab: { kind: "copy", from: fixture("llama-2-tiny-random.gguf") },
        });
        const texts = ["The quick brown fox jumps over the lazy dog.", "你好，世界！本地模型。", "const x = foo(bar) ?? 42;"];
        await engine.request("loadModel", params(fixture("llama-2-tiny-random.gguf")));
        const expected = await engine.request("tokenize", { texts });
        await engine.request("loadModel", params(written.path));
        const actual = await engine.request("tokenize", { texts });
        assert.deepEqual(actual.counts, expected.counts);
        assert.ok(expected.counts.every((c) => c > 3));
    });
});
