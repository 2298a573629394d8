/**
 * Summarise Document's map-reduce (src/core/summarize) on the real engine through the product's rewrite backend:
 * a 2 MB text summarised through a 2,048-token context, and no request — as the engine itself counted it — larger
 * than the context. llama-2-tiny-random (one 8-wide block, the real 32k Llama tokenizer) keeps it quick: its
 * output is gibberish, the token counts and the plumbing are real.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { extractChunks } from "../../src/core/knowledge/extract";
import { sectionsFromChunks, summarizeDocument, type DocumentSection } from "../../src/core/summarize/mapReduce";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import type { GenerationResult } from "../../src/protocol/generation";
import { rewriteBackend } from "../../src/review/rewriteBackend";
import { embeddedBackend, newEngineProcess, overrideBackend, testLoadParams } from "../helpers/embedded";
import { fixture } from "../helpers/fixtures";
import { makePdf } from "../helpers/pdfWriter";

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

    it("summarises a generated 40-page PDF by its pages, every request within a 1,024-token context", async () => {
        const pages = Array.from({ length: 40 }, (_, p) => Array.from({ length: 12 }, (_, l) =>
            `Page ${p + 1}, line ${l + 1}: the harbour master recorded ${p * 12 + l} ships and the tide at dawn.`));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-pdf-"));
        const file = path.join(dir, "harbour.pdf");
        fs.writeFileSync(file, makePdf(pages));
        try {
            const extracted = await extractChunks(file);
            assert.ok("chunks" in extracted && extracted.chunks, `the PDF was read (${JSON.stringify(extracted).slice(0, 200)})`);
            const sections = sectionsFromChunks(extracted.chunks);
            assert.equal(sections[0]!.label, "p. 1");
            assert.equal(sections.at(-1)!.label, "p. 40");
            const embedded = embeddedBackend(engine, testLoadParams(fixture("stories260K-chat-fim.derived.gguf"), 1024));
            const results: GenerationResult[] = [];
            const watched = overrideBackend(embedded, { chat: async (p, o) => { const r = await embedded.chat(p, o); results.push(r); return r; } });
            const r = await summarizeDocument({ title: "harbour.pdf", sections, backend: await rewriteBackend(watched), answerTokens: 32 });
            const context = results[0]!.contextSize;
            console.log(`      40 pages: ${r.requests} requests, ${r.reduceRounds} reduce rounds, largest ${Math.max(...results.map((x) => x.promptTokens + 32))} of ${context} tokens`);
            assert.equal(context, 1024);
            assert.ok(r.requests > 10, "many parts");
            for (const x of results) assert.ok(x.promptTokens + 32 <= context, `a request of ${x.promptTokens} prompt tokens + 32 exceeds ${context}`);
            embedded.dispose();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
