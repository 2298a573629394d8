/**
 * The server backend's pure pieces: reading hearth.server.url, the FIM templates, the chunk shapes of the three
 * endpoints, sampling dialects, and the zh-cn translation of every server message.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseServerUrl, endpoint } from "../../src/core/server/serverUrl";
import { fimTemplateFor, formatFimPrompt } from "../../src/core/server/fimTemplates";
import { readChunk, ResultAccumulator } from "../../src/core/server/streamChunks";
import { SERVER_MESSAGES, englishOnly, serverMessage } from "../../src/serverClient/serverMessages";
import { samplingFields } from "../../src/serverClient/serverBackend";
import { serverErrorMessage } from "../../src/serverClient/serverApi";
import { REPO_ROOT } from "../helpers/fixtures";

describe("server URL", () => {
    it("accepts the ways people write it and strips /v1", () => {
        const cases: [string, string, string][] = [
            ["http://gpu-box:8080", "http://gpu-box:8080", "gpu-box:8080"],
            ["gpu-box:8080/", "http://gpu-box:8080", "gpu-box:8080"],
            ["https://llm.example.com/v1/", "https://llm.example.com", "llm.example.com"],
            ["https://example.com/llm/v1", "https://example.com/llm", "example.com"],
            ["  http://[::1]:9000  ", "http://[::1]:9000", "[::1]:9000"],
        ];
        for (const [raw, base, host] of cases) {
            const r = parseServerUrl(raw);
            assert.ok(r.ok, raw);
            assert.equal(r.address.base, base, raw);
            assert.equal(r.address.host, host, raw);
        }
        const r = parseServerUrl("http://h:1/");
        assert.ok(r.ok && endpoint(r.address, "/v1/models") === "http://h:1/v1/models");
    });

    it("refuses empty, non-http and credential-carrying URLs", () => {
        assert.deepEqual(parseServerUrl(""), { ok: false, reason: "empty" });
        assert.deepEqual(parseServerUrl("ftp://h"), { ok: false, reason: "protocol" });
        assert.deepEqual(parseServerUrl("http://user:secret@h:8080"), { ok: false, reason: "credentials" });
        assert.deepEqual(parseServerUrl("http://"), { ok: false, reason: "invalid" });
    });
});

describe("FIM templates by model family", () => {
    it("recognises coder families and leaves others to prefix-only", () => {
        assert.equal(fimTemplateFor("Qwen/Qwen2.5-Coder-32B-Instruct")?.family, "Qwen-Coder");
        assert.equal(fimTemplateFor("deepseek-ai/deepseek-coder-6.7b-base")?.family, "DeepSeek-Coder");
        assert.equal(fimTemplateFor("bigcode/starcoder2-15b")?.family, "StarCoder");
        assert.equal(fimTemplateFor("meta-llama/Llama-3.1-8B-Instruct"), undefined);
        assert.equal(fimTemplateFor("Qwen/Qwen2.5-7B-Instruct"), undefined);
    });

    it("lays the prompt out as the family was trained", () => {
        const qwen = fimTemplateFor("qwen2.5-coder:7b")!;
        assert.equal(formatFimPrompt(qwen, { extraContext: "// a.ts\n", prefix: "let x = ", suffix: ";\n" }),
            "// a.ts\n<|fim_prefix|>let x = <|fim_suffix|>;\n<|fim_middle|>");
        const codestral = fimTemplateFor("codestral-22b")!;
        assert.equal(formatFimPrompt(codestral, { extraContext: "", prefix: "a", suffix: "b" }), "[SUFFIX]b[PREFIX]a");
    });
});

describe("stream chunks of the three endpoints", () => {
    it("reads chat deltas, completion text and infill content with their end and counts", () => {
        assert.deepEqual(readChunk({ choices: [{ delta: { content: "Hi" }, finish_reason: null }] }, "chat"), { text: "Hi" });
        const last = readChunk({ choices: [{ delta: {}, finish_reason: "length" }], usage: { prompt_tokens: 12, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 8 } } }, "chat");
        assert.deepEqual(last, { text: "", finish: "length", promptTokens: 12, completionTokens: 5, cachedTokens: 8 });
        assert.equal(readChunk({ choices: [{ text: " there", finish_reason: "stop" }] }, "completion").finish, "stop");
        const infill = readChunk({ content: "", stop: true, stop_type: "word", tokens_predicted: 3, tokens_evaluated: 40, timings: { prompt_n: 2, cache_n: 38, predicted_n: 3 } }, "infill");
        assert.deepEqual(infill, { text: "", finish: "word", completionTokens: 3, promptTokens: 40, evaluatedPromptTokens: 2, cachedTokens: 38 });
        assert.match(readChunk({ error: { message: "boom" } }, "chat").error!, /boom/);
        assert.ok(readChunk([1, 2], "chat").error);
        assert.deepEqual(readChunk({ choices: "nope", usage: { prompt_tokens: -1 } }, "chat"), { text: "" });
    });

    it("adds chunks up into a GenerationResult", () => {
        const acc = new ResultAccumulator(0, 2048);
        acc.add({ text: "a" }, 100);
        acc.add({ text: "b" }, 150);
        acc.add({ text: "", finish: "stop", promptTokens: 30, completionTokens: 2, cachedTokens: 20 }, 200);
        const r = acc.finish("server", 200, 99);
        assert.equal(r.text, "ab");
        assert.equal(r.stopReason, "eos");
        assert.equal(r.promptTokens, 30);
        assert.equal(r.evaluatedPromptTokens, 10);
        assert.equal(r.timeToFirstTokenMs, 100);
        assert.equal(r.contextUsed, 32);
        const cut = new ResultAccumulator(0, 100);
        cut.add({ text: "x" }, 10);
        const c = cut.finish("cancelled", 20, 7);
        assert.deepEqual([c.stopReason, c.tokens, c.promptTokens], ["cancelled", 1, 7]);
    });
});

describe("server requests", () => {
    it("send sampling in each server's dialect", () => {
        const s = { temperature: 0.1, topK: 20, topP: 0.9, repeatPenalty: 1, seed: 4 };
        assert.deepEqual(samplingFields("llama-server", s), { temperature: 0.1, top_p: 0.9, seed: 4, top_k: 20, repeat_penalty: 1 });
        assert.deepEqual(samplingFields("vllm", s), { temperature: 0.1, top_p: 0.9, seed: 4, top_k: 20, repetition_penalty: 1 });
        assert.deepEqual(samplingFields("openai-compatible", s), { temperature: 0.1, top_p: 0.9, seed: 4 });
    });

    it("find the message in error bodies of each server", () => {
        assert.equal(serverErrorMessage(JSON.stringify({ error: { code: 400, message: "too long", type: "exceed_context_size_error" } })), "too long");
        assert.equal(serverErrorMessage(JSON.stringify({ error: "model not found" })), "model not found");
        assert.equal(serverErrorMessage(JSON.stringify({ detail: "Not Found" })), "Not Found");
        assert.equal(serverErrorMessage("Bad Gateway\n"), "Bad Gateway");
    });
});

describe("server messages", () => {
    const zh = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "l10n", "bundle.l10n.zh-cn.json"), "utf8")) as Record<string, string>;
    it("each has a zh-cn translation with the same placeholders", () => {
        const placeholders = (t: string) => (t.match(/\{\d+\}/g) ?? []).sort().join();
        for (const [key, template] of Object.entries(SERVER_MESSAGES)) {
            assert.ok(zh[template], `zh-cn lacks the ${key} message`);
            assert.equal(placeholders(zh[template]!), placeholders(template), key);
        }
    });
    it("are formatted with their arguments", () => {
        assert.equal(serverMessage(englishOnly, "noModels", "h:1"), "The server at h:1 lists no models.");
    });
});
