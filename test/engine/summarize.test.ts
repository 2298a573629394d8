/**
 * Summarise Document's map-reduce (src/core/summarize) on the real engine through the product's rewrite backend:
 * a 2 MB text summarised through a 2,048-token context, and no request — as the engine itself counted it — larger
 * than the context. llama-2-tiny-random (one 8-wide block, the real 32k Llama tokenizer) keeps it quick: its
 * output is gibberish, the token counts and the plumbing are real.
 */
import * as assert from "node:assert/strict";
import { summarizeDocument, type DocumentSection } from "../../src/core/summarize/mapReduce";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import type { GenerationResult } from "../../src/protocol/generation";
import { rewriteBackend } from "../../src/review/rewriteBackend";
import { embeddedBackend, newEngineProcess, overrideBackend, testLoadParams } from "../helpers/embedded";
import { fixture } from "../helpers/fixtures";

describe("Summarise Document on the real engine", function () {
    this.timeout(600_000);
    let engine: EngineProcess;
    before(() => (engine = newEngineProcess()));
    after(() => engine.dispose());

    it("summarises a 2 MB text with every request within the context", async () => {
        const embedded = embeddedBackend(engine, testLoadParams(fixture("llama-2-tiny-random.gguf"), 2048));
        const results: GenerationResult[] = [];
        const watched = overrideBackend(embedded, {
            chat: async (p, o) => {
                const r = await embedded.chat(p, o);
                results.push(r);
                return r;
            },
        });
        const sentence = "The river authority measured the spring floods at seven stations and published the figures in May. ";
        const sections: DocumentSection[] = [];
        let bytes = 0;
        for (let page = 1; bytes < 2_000_000; page++) {
            const text = sentence.repeat(40);
            sections.push({ text, label: `p. ${page}` });
            bytes += Buffer.byteLength(text);
        }
        const started = performance.now();
        let mapParts = 0;
        const r = await summarizeDocument({
            title: "Flood report", sections, backend: await rewriteBackend(watched), answerTokens: 24,
            onProgress: (p) => { if (p.phase === "map") mapParts = p.total; },
        });
        const seconds = (performance.now() - started) / 1000;
        const context = results[0]!.contextSize;
        const largest = Math.max(...results.map((x) => x.promptTokens + 24));
        console.log(`      ${(bytes / 1e6).toFixed(1)} MB in ${mapParts} parts, ${r.requests} requests, ${r.reduceRounds} reduce rounds, `
            + `${seconds.toFixed(0)} s; largest request ${largest} of ${context} tokens (planned ${r.largestRequestTokens})`);
        assert.equal(context, 2048);
        assert.equal(r.cancelled, false);
        assert.ok(mapParts > 100, `the document needed many parts (${mapParts})`);
        assert.ok(r.reduceRounds >= 2);
        assert.equal(results.length, r.requests);
        for (const x of results) assert.ok(x.promptTokens + 24 <= context, `a request of ${x.promptTokens} prompt tokens + 24 exceeds ${context}`);
        assert.ok(r.largestRequestTokens <= context);
        embedded.dispose();
    });
});
