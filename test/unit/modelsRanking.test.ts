/** Select Model ordering, descriptions, the curated download list and download progress arithmetic. */
import * as assert from "node:assert/strict";
import { CURATED_MODELS, curatedFitsMemory, isDownloadableUri } from "../../src/core/models/curatedModels";
import type { DiscoveredModel } from "../../src/core/models/discoverModels";
import { DownloadProgressTracker, formatDuration, formatTransfer } from "../../src/core/models/downloadProgress";
import { classifyModel, describeModelFacts, fileDisplayName, formatContextLength, rankModels } from "../../src/core/models/rankModels";
import type { ModelInfo } from "../../src/protocol/engineProtocol";

const GB = 1024 ** 3;

function found(file: string, sizeBytes: number, extra: Partial<DiscoveredModel> = {}): DiscoveredModel {
    return { path: `/m/${file}`, source: "custom", sizeBytes, ...extra };
}

function info(file: string, extra: Partial<ModelInfo>): ModelInfo {
    return { path: `/m/${file}`, ok: true, ...extra };
}

describe("models: ranking", () => {
    it("puts the best fit first, then larger models, unknown next, too large after, unusable last", () => {
        const ranked = rankModels([
            classifyModel(found("broken.gguf", 10), info("broken.gguf", { ok: false, error: "not a GGUF file" })),
            classifyModel(found("huge.gguf", 70 * GB), info("huge.gguf", { fitScore: 0 })),
            classifyModel(found("pending.gguf", 1 * GB), undefined),
            classifyModel(found("small.gguf", 1 * GB), info("small.gguf", { fitScore: 0.95 })),
            classifyModel(found("medium.gguf", 4 * GB), info("medium.gguf", { fitScore: 0.97, fitsOnGpu: true })),
            classifyModel(found("slow.gguf", 9 * GB), info("slow.gguf", { fitScore: 0.4 })),
            classifyModel(found("split-00001-of-00002.gguf", 2 * GB, { problem: "1 of its 2 parts are missing" }), undefined),
        ]);
        assert.deepEqual(ranked.map((r) => `${r.displayName}:${r.fit}`), [
            "medium:fitsGpu", "small:fitsCpu", "slow:fitsCpu", "pending:unknown", "huge:tooLarge", "split:unusable", "broken:unusable",
        ]);
        assert.equal(ranked.find((r) => r.displayName === "broken")?.reason, "not a GGUF file");
    });

    it("names Ollama models by name:tag, others by GGUF name or file name", () => {
        assert.equal(classifyModel(found("sha256-abc", 1, { source: "ollama", ollamaName: "qwen2.5:7b" }), info("sha256-abc", { name: "Qwen2.5 7B" })).displayName, "qwen2.5:7b");
        const byFile = classifyModel(found("qwen2.5-coder-1.5b-q4_k_m.gguf", 1), info("qwen2.5-coder-1.5b-q4_k_m.gguf", { name: "Qwen2.5 Coder" }));
        assert.equal(byFile.displayName, "qwen2.5-coder-1.5b-q4_k_m", "the file name, which people recognise");
        assert.match(describeModelFacts(byFile), /^Qwen2\.5 Coder · /, "the GGUF name comes first in the facts");
        assert.equal(fileDisplayName("/x/model-q4-00001-of-00003.gguf"), "model-q4");
    });

    it("describes parameters, quantization, size, parts and context", () => {
        const r = classifyModel(found("a-00001-of-00002.gguf", 4.4 * GB, { parts: { expected: 2, found: 2 } }),
            info("a-00001-of-00002.gguf", { parameters: "7.6B", quantization: "Q4_K_M", contextLength: 32768, fitScore: 1 }));
        assert.equal(describeModelFacts(r), "7.6B · Q4_K_M · 4.4 GB · 2 parts · 32K context");
        assert.equal(formatContextLength(2048), "2K");
        assert.equal(formatContextLength(1000), "1000");
    });
});

describe("models: curated download list", () => {
    it("is short, has unique ids, valid hf: URIs and plausible sizes", () => {
        assert.ok(CURATED_MODELS.length >= 3 && CURATED_MODELS.length <= 6);
        assert.equal(new Set(CURATED_MODELS.map((m) => m.id)).size, CURATED_MODELS.length);
        for (const m of CURATED_MODELS) {
            assert.match(m.uri, /^hf:[\w.-]+\/[\w.-]+-GGUF:Q\d_K_M$/, m.uri);
            assert.ok(isDownloadableUri(m.uri), m.uri);
            assert.ok(m.uri.endsWith(`:${m.quantization}`));
            assert.ok(m.approxBytes > 0.3 * GB && m.approxBytes < 6 * GB, `${m.id} size`);
            assert.ok(m.minRamBytes > m.approxBytes, `${m.id} needs more RAM than its file`);
            assert.ok(m.summary.length > 20);
        }
    });

    it("covers code completions (FIM), Chinese/English chat, a CPU laptop size and a 6–8 GB GPU size", () => {
        assert.ok(CURATED_MODELS.some((m) => m.fim && m.purposes.includes("completions") && m.approxBytes < 2 * GB));
        assert.ok(CURATED_MODELS.some((m) => m.purposes.includes("chat") && /Chinese/.test(m.summary)));
        assert.ok(CURATED_MODELS.some((m) => curatedFitsMemory(m, 8 * GB) && m.purposes.includes("chat")));
        assert.ok(CURATED_MODELS.some((m) => /6–8 GB GPU/.test(m.summary) && m.approxBytes < 6 * GB));
    });

    it("accepts hf: and https .gguf addresses, nothing else", () => {
        assert.ok(isDownloadableUri("hf:bartowski/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf"));
        assert.ok(isDownloadableUri("https://example.com/models/m.gguf"));
        assert.ok(isDownloadableUri("hf:user/repo"));
        assert.ok(!isDownloadableUri("file:///etc/passwd"));
        // Plain http only to this machine's loopback (the tests' fake Hugging Face).
        assert.ok(!isDownloadableUri("http://example.com/models/m.gguf"));
        assert.ok(isDownloadableUri("http://127.0.0.1:8080/m.gguf"));
        assert.ok(!isDownloadableUri("https://user:pass@example.com/m.gguf"));
        assert.ok(isDownloadableUri(`https://example.com/m.gguf#sha256=${"a".repeat(64)}`));
        assert.ok(!isDownloadableUri("https://example.com/m.gguf#sha256=short"));
        assert.ok(!isDownloadableUri("https://example.com/install.sh"));
        assert.ok(!isDownloadableUri("hf:../../x"));
        assert.ok(!isDownloadableUri("rm -rf /"));
    });
});

describe("models: download progress", () => {
    it("reports increments that add up to 100 and a smoothed speed and time left", () => {
        const t = new DownloadProgressTracker(0, 0);
        let total = 0;
        const views = [
            t.update(0, 1000, 0),
            t.update(100, 1000, 1000),
            t.update(300, 1000, 2000),
            t.update(300, 1000, 2100),
            t.update(1000, 1000, 3000),
        ];
        for (const v of views) total += v.increment;
        assert.equal(Math.round(total), 100);
        assert.equal(views[1]!.bytesPerSecond, 100);
        assert.ok(views[2]!.bytesPerSecond! > 100 && views[2]!.bytesPerSecond! < 200, "smoothed between 100 and 200 B/s");
        assert.equal(views[3]!.bytesPerSecond, views[2]!.bytesPerSecond, "samples closer than 0.5 s do not move the speed");
        assert.equal(views[2]!.secondsLeft, Math.ceil(700 / views[2]!.bytesPerSecond!));
        assert.equal(views[4]!.secondsLeft, undefined);
    });

    it("starts a resumed download at its percent and never reports a negative increment", () => {
        const t = new DownloadProgressTracker(400, 0);
        const first = t.update(400, 1000, 0);
        assert.equal(first.percent, 40);
        assert.equal(first.increment, 40);
        assert.equal(t.update(350, 1000, 100).increment, 0);
        assert.equal(t.update(500, 1000, 1000).bytesPerSecond, 100);
    });

    it("formats durations and transfers", () => {
        assert.equal(formatDuration(42), "42 s");
        assert.equal(formatDuration(150), "3 min");
        assert.equal(formatDuration(7320), "2 h 2 min");
        assert.equal(formatTransfer({ percent: 50, increment: 0, downloadedBytes: 1.5 * GB, totalBytes: 3 * GB, bytesPerSecond: 12 * 1024 ** 2, secondsLeft: 1 }),
            "1.5 GB / 3.0 GB · 12.0 MB/s");
    });
});
