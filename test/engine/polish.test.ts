/**
 * Polish pipeline against the real engine process on the chat-template fixture: real chat turns, the real
 * tokenizer for budgeting and splitting, real cancellation. stories260K writes children's stories whatever it is
 * asked, so these tests check mechanics (streaming, parts, clean-up, cancel), not the quality of the rewrite.
 */
import * as assert from "node:assert/strict";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { rewriteText, type RewriteBackend } from "../../src/core/polish/rewritePipeline";
import { POLISH_TEMPERATURE } from "../../src/core/polish/polishPrompts";
import { ENGINE_PATH, fixture } from "../helpers/fixtures";

function backendOf(engine: EngineProcess, contextSize: number): RewriteBackend {
    return {
        contextSize,
        countTokens: async (texts) => (await engine.request("tokenize", { texts })).counts,
        chat: async (messages, maxTokens, onText, signal) => {
            const r = await engine.request("chat", { messages, maxTokens, sampling: { temperature: POLISH_TEMPERATURE, seed: 42 } }, {
                signal, onEvent: (e) => onText(e.text),
            });
            return { text: r.text, stopReason: r.stopReason };
        },
    };
}

describe("polish pipeline on the real engine", function () {
    this.timeout(120_000);
    let engine: EngineProcess;
    let contextSize: number;

    before(async () => {
        engine = new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined });
        const info = await engine.request("loadModel", {
            modelPath: fixture("stories260K-chat-fim.derived.gguf"), contextSize: 512, threads: 1, gpuLayers: 0, sequences: 2, gpu: "cpu",
        });
        contextSize = info.contextSize;
        assert.ok(info.hasChatTemplate, "fixture should carry a chat template");
    });
    after(() => engine.dispose());

    it("streams a cleaned rewrite of a CRLF selection, keeping its surrounding whitespace and line endings", async () => {
        const original = "  Once upon a time there was a cat.\r\nIt liked to play.\r\n";
        let previews = 0;
        const started = performance.now();
        const r = await rewriteText({
            request: { kind: "improve", languageId: "plaintext" },
            text: original,
            eol: "\r\n",
            backend: backendOf(engine, contextSize),
            onProgress: () => previews++,
        });
        const ms = performance.now() - started;
        assert.equal(r.cancelled, false);
        assert.equal(r.parts, 1);
        assert.ok(r.text.trim().length > 0, "empty rewrite");
        assert.ok(r.text.startsWith("  ") && !r.text.startsWith("   "), `leading whitespace not kept: ${JSON.stringify(r.text.slice(0, 10))}`);
        assert.ok(r.text.endsWith("\r\n"), "trailing CRLF not kept");
        assert.ok(!/(^|[^\r])\n/.test(r.text), "every line break is CRLF");
        assert.ok(!/<\/?text>/.test(r.text), "prompt tags leaked into the rewrite");
        assert.ok(previews > 3, `only ${previews} preview updates: the rewrite did not stream`);
        console.log(`      one-part polish: ${ms.toFixed(0)} ms, ${r.text.length} chars, ${previews} preview updates`);
    });

    it("splits a selection longer than the context budget at paragraphs and polishes it part by part", async () => {
        const paragraph = "Tom and Lily went to the park to play with a big red ball. They ran and laughed all day.";
        const original = Array.from({ length: 3 }, (_, i) => `${i + 1}. ${paragraph}`).join("\n\n") + "\n";
        const [total] = (await engine.request("tokenize", { texts: [original] })).counts;
        const seen = new Set<string>();
        const started = performance.now();
        const r = await rewriteText({
            request: { kind: "shorter", languageId: "markdown" },
            text: original,
            backend: backendOf(engine, contextSize),
            onProgress: (p) => seen.add(`${p.part}/${p.parts}`),
        });
        assert.ok(r.parts >= 2, `${total} tokens in a ${contextSize}-token context gave ${r.parts} part(s)`);
        for (let part = 1; part <= r.parts; part++) assert.ok(seen.has(`${part}/${r.parts}`), `no progress for part ${part}`);
        assert.ok(r.text.endsWith("\n") && r.text.trim().length > 0);
        // Each part keeps its own separators, so the paragraph breaks of the selection survive the split.
        assert.ok((r.text.match(/\n\n/g) ?? []).length >= 2, "paragraph breaks lost between parts");
        console.log(`      ${total} tokens polished in ${r.parts} parts (context ${contextSize}) in ${(performance.now() - started).toFixed(0)} ms`);
    });

    it("cancels mid-stream and returns nothing to apply", async () => {
        const controller = new AbortController();
        let cancelledAt = 0;
        const r = await rewriteText({
            request: { kind: "formal", languageId: "plaintext" },
            text: "Once upon a time there was a little dog who wanted to fly.",
            backend: backendOf(engine, contextSize),
            signal: controller.signal,
            onProgress: (p) => {
                if (!cancelledAt && p.preview.length > 0) { cancelledAt = performance.now(); controller.abort(); }
            },
        });
        const stopMs = performance.now() - cancelledAt;
        assert.ok(cancelledAt > 0, "never streamed anything to cancel");
        assert.equal(r.cancelled, true);
        assert.equal(r.text, "");
        assert.ok(stopMs < 500, `took ${stopMs.toFixed(0)} ms to stop`);
        console.log(`      polish stopped ${stopMs.toFixed(1)} ms after cancel`);
    });
});
