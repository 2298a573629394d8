/**
 * src/engine/modelMemory.ts on a model with Qwen2's real 152k-token vocabulary, loaded through the product's ModelHost
 * (in this process, to look at node-llama-cpp's objects): the vocabulary arrays node-llama-cpp read into JavaScript
 * and its second, native copy of the metadata are given back, and the model still works. Issue 13's
 * memory_vs_two_servers_ratio (npm run bench) measures the effect on the engine's peak RSS.
 */
import * as assert from "node:assert/strict";
import type { LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { ModelHost, loadNodeLlamaCpp } from "../../src/engine/modelHost";
import { collectGarbage, dropVocabularyArrays } from "../../src/engine/modelMemory";
import { testLoadParams } from "../helpers/embedded";
import { qwen2VocabModel } from "../helpers/llamaVocab";

const TEXT = "你好，世界! function add(a, b) { return a + b; }\n\t// 注释 émigré 🚀";

function heapUsed(): number {
    collectGarbage();
    return process.memoryUsage().heapUsed;
}

function vocabulary(model: LlamaModel): Record<string, unknown[]> {
    return model.fileInfo.metadata.tokenizer.ggml as unknown as Record<string, unknown[]>;
}

describe("engine memory after a model loads (src/engine/modelMemory.ts)", function () {
    this.timeout(180_000);
    let modelPath: string;
    before(async () => {
        modelPath = await qwen2VocabModel();
    });

    it("keeps the vocabulary arrays' lengths only and no native metadata copy; the model still tokenizes, detokenizes and lists its tokens", async () => {
        const { readGgufFileInfo } = await loadNodeLlamaCpp();
        const original = (await readGgufFileInfo(modelPath, { logWarnings: false })).metadata.tokenizer.ggml as unknown as Record<string, unknown[]>;
        assert.equal(original.tokens!.length, 151_936);
        const host = new ModelHost(() => undefined);
        try {
            await host.load(testLoadParams(modelPath), new AbortController().signal, () => undefined);
            const { model } = host.requireLoaded();
            const kept = vocabulary(model);
            for (const key of ["tokens", "token_type", "merges"]) {
                assert.equal(kept[key]!.length, original[key]!.length, `${key}: the length node-llama-cpp reads`);
                assert.equal(Object.keys(kept[key]!).length, 0, `${key} still holds its entries`);
            }
            assert.equal((model.fileInsights as unknown as { _addonMetadata?: unknown })._addonMetadata, undefined);
            // llama.cpp's own vocabulary is untouched: a round trip through tokens gives the text back.
            const tokens = model.tokenize(TEXT);
            assert.ok(tokens.length > 10);
            assert.equal(model.detokenize(tokens), TEXT);
            // node-llama-cpp lists tokens by the metadata array's length.
            assert.equal([...model.iterateAllTokens()].length, 151_936);
        } finally {
            await host.dispose();
        }
    });

    it("holds at least 5 MB less V8 heap after the load than node-llama-cpp's own loadModel + createContext", async () => {
        // Measured 2026-12-05 here: node-llama-cpp alone +12.7 MB of heap, ModelHost +3.4 MB; ModelHost without
        // src/engine/modelMemory.ts +12.8 MB (it also reads the header for its checks and resolves the chat wrapper).
        const nlc = await loadNodeLlamaCpp();
        const llama = await nlc.getLlama({ gpu: false, build: "never", logLevel: nlc.LlamaLogLevel.error });
        let before = heapUsed();
        const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
        const context = await model.createContext({ contextSize: 2048, threads: 1 });
        const plain = heapUsed() - before;
        await context.dispose();
        await model.dispose();

        const host = new ModelHost(() => undefined);
        try {
            before = heapUsed();
            await host.load(testLoadParams(modelPath), new AbortController().signal, () => undefined);
            const hearth = heapUsed() - before;
            console.log(`      V8 heap after loading: node-llama-cpp ${(plain / 2 ** 20).toFixed(1)} MB, ModelHost ${(hearth / 2 ** 20).toFixed(1)} MB`);
            assert.ok(hearth <= plain - 5 * 2 ** 20, `ModelHost kept ${(hearth / 2 ** 20).toFixed(1)} MB, node-llama-cpp ${(plain / 2 ** 20).toFixed(1)} MB`);
        } finally {
            await host.dispose();
        }
    });

    it("leaves metadata without a vocabulary alone", () => {
        const fileInfo = { metadata: { tokenizer: { ggml: { model: "gpt2", tokens: [] as string[] } } } };
        assert.equal(dropVocabularyArrays({ fileInfo } as unknown as Pick<LlamaModel, "fileInfo">), 0);
        assert.deepEqual(fileInfo.metadata.tokenizer.ggml, { model: "gpt2", tokens: [] });
        assert.equal(dropVocabularyArrays({ fileInfo: { metadata: {} } } as unknown as Pick<LlamaModel, "fileInfo">), 0);
    });
});
