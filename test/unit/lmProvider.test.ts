/**
 * The vscode-free parts of the language-model provider: request messages → protocol messages (text, tool calls,
 * tool results, data parts), the announced token limits, and the token counter (cache, batching, estimates that
 * never wait for a model).
 */
import * as assert from "node:assert/strict";
import { LM_ROLE, messageTokenText, toChatMessages } from "../../src/core/lm/requestMessages";
import { modelLimits, requestMaxTokens, requestTemperature } from "../../src/core/lm/modelLimits";
import { TokenCounter, type CountResult } from "../../src/core/lm/tokenCounter";
import { estimateTokens } from "../../src/core/chat/budget";

const text = (value: string) => ({ value });
const call = (callId: string, name: string, input: object) => ({ callId, name, input });
const result = (callId: string, content: unknown[]) => ({ callId, content });

describe("language-model requests → chat messages", () => {
    it("joins text parts and maps roles (System is VS Code's role 3)", () => {
        assert.deepEqual(toChatMessages([
            { role: LM_ROLE.system, content: [text("Be brief.")], name: undefined },
            { role: LM_ROLE.user, content: [text("Hello, "), text("world")], name: "me" },
            { role: LM_ROLE.assistant, content: [text("Hi!")], name: undefined },
        ]), [
            { role: "system", text: "Be brief." },
            { role: "user", text: "Hello, world" },
            { role: "assistant", text: "Hi!" },
        ]);
    });

    it("carries tool calls on the assistant message and turns results into tool messages before the user's text", () => {
        assert.deepEqual(toChatMessages([
            { role: LM_ROLE.user, content: [text("Weather?")], name: undefined },
            { role: LM_ROLE.assistant, content: [text("Let me look."), call("c1", "get_weather", { city: "Paris" })], name: undefined },
            { role: LM_ROLE.user, content: [result("c1", [text("Sunny")]), text("And tomorrow?")], name: undefined },
        ]), [
            { role: "user", text: "Weather?" },
            { role: "assistant", text: "Let me look.", toolCalls: [{ id: "c1", name: "get_weather", arguments: { city: "Paris" } }] },
            { role: "tool", toolCallId: "c1", text: "Sunny" },
            { role: "user", text: "And tomorrow?" },
        ]);
    });

    it("reads textual data parts and prompt-tsx results, skips images and cache markers", () => {
        const bytes = (s: string) => new TextEncoder().encode(s);
        const tsx = { node: { type: 1, children: [{ type: 2, text: "line 1\n" }, { type: 1, children: [{ type: 2, text: "line 2" }] }] } };
        assert.deepEqual(toChatMessages([
            { role: LM_ROLE.user, content: [
                text("See: "),
                { mimeType: "application/json", data: bytes("{\"a\":1}") },
                { mimeType: "image/png", data: bytes("\x89PNG") },
                { mimeType: "cache_control", data: bytes("ephemeral") },
                { somethingNew: true },
            ], name: undefined },
            { role: LM_ROLE.user, content: [result("c2", [{ value: tsx }])], name: undefined },
        ]), [
            { role: "user", text: "See: {\"a\":1}" },
            { role: "tool", toolCallId: "c2", text: "line 1\nline 2" },
        ]);
    });

    it("counts a message on its text, its calls and its results", () => {
        assert.equal(messageTokenText({ role: LM_ROLE.assistant, content: [text("ok"), call("c", "f", { x: 1 })], name: undefined }), "ok\nf {\"x\":1}");
        assert.equal(messageTokenText({ role: LM_ROLE.user, content: [result("c", [text("done")])], name: undefined }), "done");
    });
});

describe("announced token limits", () => {
    it("the answer gets chat.maxTokens (at most half the context), the prompt the rest", () => {
        assert.deepEqual(modelLimits(1024, 48), { maxInputTokens: 976, maxOutputTokens: 48 });
        assert.deepEqual(modelLimits(8192, 1024), { maxInputTokens: 7168, maxOutputTokens: 1024 });
        assert.deepEqual(modelLimits(1024, 4000), { maxInputTokens: 512, maxOutputTokens: 512 });
    });

    it("a caller's maxTokens / max_tokens and temperature apply within the limits", () => {
        const limits = modelLimits(4096, 1000);
        assert.equal(requestMaxTokens(undefined, limits), 1000);
        assert.equal(requestMaxTokens({ maxTokens: 50 }, limits), 50);
        assert.equal(requestMaxTokens({ max_tokens: 5000 }, limits), 1000);
        assert.equal(requestMaxTokens({ maxTokens: "many" }, limits), 1000);
        assert.equal(requestTemperature({ temperature: 0.2 }), 0.2);
        assert.equal(requestTemperature({ temperature: 9 }), undefined);
    });
});

describe("token counter for provideTokenCount", () => {
    function fakeBackend(exact: () => boolean) {
        const calls: string[][] = [];
        const count = async (texts: string[]): Promise<CountResult> => {
            calls.push(texts);
            return exact() ? { counts: texts.map((t) => t.split(" ").length), estimated: false } : { counts: texts.map(estimateTokens), estimated: true };
        };
        return { calls, count };
    }

    it("caches exact counts per model and batches the misses of one tick into one tokenizer call", async () => {
        const backend = fakeBackend(() => true);
        const counter = new TokenCounter(backend.count);
        const counts = await Promise.all(["a b c", "d e", "a b c", "f"].map((t) => counter.count("m1", t)));
        assert.deepEqual(counts, [3, 2, 3, 1]);
        assert.deepEqual(backend.calls, [["a b c", "d e", "f"]]);
        assert.equal(await counter.count("m1", "a b c"), 3);
        assert.equal(backend.calls.length, 1, "a cached count went to the tokenizer again");
        await counter.count("m2", "a b c");
        assert.equal(backend.calls.length, 2, "another model's tokenizer must count for itself");
        assert.equal(await counter.count("m1", ""), 0);
        assert.deepEqual(counter.stats, { cached: 1, counted: 5, estimated: 0, tokenizerCalls: 2 });
    });

    it("long texts are cached by hash; the least recently used entry is dropped first", async () => {
        const backend = fakeBackend(() => true);
        const counter = new TokenCounter(backend.count, 2);
        const long = "word ".repeat(1000).trim();
        assert.equal(await counter.count("m", long), 1000);
        await counter.count("m", "x");
        await counter.count("m", long);
        await counter.count("m", "y");
        const before = backend.calls.length;
        await counter.count("m", long);
        assert.equal(backend.calls.length, before, "the recently used long text was evicted");
        await counter.count("m", "x");
        assert.equal(backend.calls.length, before + 1, "the least recently used entry was kept");
    });

    it("without a tokenizer it answers estimates at once, never caches them, and calibrates on this model's exact counts", async () => {
        let exact = false;
        const backend = fakeBackend(() => exact);
        const counter = new TokenCounter(backend.count);
        const sample = "tok ".repeat(100).trim();
        assert.equal(await counter.count("m", sample), estimateTokens(sample));
        exact = true;
        assert.equal(await counter.count("m", sample), 100, "an estimate was cached");
        exact = false;
        // 399 characters per 100 tokens measured: the estimate for another text of this model follows that ratio.
        const other = "x".repeat(798);
        assert.equal(await counter.count("m", other), Math.ceil(798 / (399 / 100)));
        assert.equal(await counter.count("other-model", other), estimateTokens(other));
        assert.equal(counter.stats.estimated, 3);
    });

    it("a failed count rejects every waiter of the batch", async () => {
        const counter = new TokenCounter(async () => { throw new Error("engine gone"); });
        const results = await Promise.allSettled([counter.count("m", "a"), counter.count("m", "b")]);
        assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
    });
});
