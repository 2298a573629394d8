/**
 * The polish pipeline's integration tests, run on each backend (test/engine/polish.test.ts on the embedded engine,
 * test/server/backends.test.ts on llama-server): real chat turns through rewriteBackend (src/review/rewriteBackend.ts,
 * what Polish uses), the model's tokenizer for budgeting and splitting, real cancellation. stories260K writes
 * children's stories whatever it is asked, so these check mechanics (streaming, parts, clean-up, cancel), not the
 * quality of the rewrite. The backend's model must have a chat template and a context of about 512 tokens.
 */
import * as assert from "node:assert/strict";
import type { LlmBackend } from "../../src/backend/llmBackend";
import { rewriteText } from "../../src/core/polish/rewritePipeline";
import { rewriteBackend } from "../../src/review/rewriteBackend";

export function polishPipelineTests(setup: () => { backend: LlmBackend }): void {
    it("streams a cleaned rewrite of a CRLF selection, keeping its surrounding whitespace and line endings", async () => {
        const original = "  Once upon a time there was a cat.\r\nIt liked to play.\r\n";
        let previews = 0;
        const started = performance.now();
        const r = await rewriteText({
            request: { kind: "improve", languageId: "plaintext" },
            text: original,
            eol: "\r\n",
            backend: await rewriteBackend(setup().backend),
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
        const [total] = (await setup().backend.countTokens([original])).counts;
        const contextSize = (await setup().backend.ready()).contextSize;
        const seen = new Set<string>();
        const started = performance.now();
        const r = await rewriteText({
            request: { kind: "shorter", languageId: "markdown" },
            text: original,
            backend: await rewriteBackend(setup().backend),
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
            backend: await rewriteBackend(setup().backend),
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
}
