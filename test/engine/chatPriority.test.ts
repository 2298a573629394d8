/**
 * A long chat prompt (what another extension sends through VS Code's language-model API) must neither block inline
 * completions nor outlive its cancellation: the engine evaluates chat prompts in chunks and lets completions go
 * first (src/engine/chatPrefill.ts). Before that, a completion waited for the whole prompt (40 s on a bigger model).
 */
import * as assert from "node:assert/strict";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import type { ChatParams, GenerationResult } from "../../src/protocol/generation";
import { newEngineProcess, testLoadParams } from "../helpers/embedded";
import { toolCallingModel, TOOL_MODEL_CONTEXT } from "../helpers/toolModel";

/** About 1,900 prompt tokens: 15 chunks, a few seconds of evaluation on one thread. */
const LONG_CHAT: ChatParams = {
    messages: [{ role: "user", text: "the cat sat on a mat and looked at the dog ".repeat(45) }],
    maxTokens: 8,
    sampling: { temperature: 0 },
};

async function busyClears(engine: EngineProcess, timeoutMs: number): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < timeoutMs) {
        if ((await engine.request("stats", {})).busy.length === 0) return performance.now() - started;
        await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`the engine was still busy after ${timeoutMs} ms`);
}

describe("chat prompts share the engine with completions", function () {
    this.timeout(180_000);
    let engine: EngineProcess;
    let promptMs: number;

    before(async () => {
        engine = newEngineProcess();
        await engine.request("loadModel", testLoadParams(await toolCallingModel({ slow: true }), TOOL_MODEL_CONTEXT));
        // The time the prompt takes on this machine now, with nothing else running (cache cleared by another prompt).
        await engine.request("chat", { ...LONG_CHAT, messages: [{ role: "user", text: "warm up" }] });
        const alone = await engine.request("chat", LONG_CHAT);
        promptMs = alone.timeToFirstTokenMs;
        console.log(`      ${alone.promptTokens}-token chat prompt alone: ${promptMs.toFixed(0)} ms`);
        assert.ok(alone.promptTokens > 1500, `prompt too short to test with (${alone.promptTokens} tokens)`);
    });
    after(() => engine.dispose());

    it("a completion that arrives during a long chat prompt finishes before the chat's first token", async () => {
        await engine.request("chat", { ...LONG_CHAT, messages: [{ role: "user", text: "clear the cache" }] });
        let chatFirstTextAt = 0;
        const chat = engine.request("chat", LONG_CHAT, { onEvent: () => { chatFirstTextAt ||= performance.now(); } });
        await new Promise((r) => setTimeout(r, Math.min(300, promptMs / 5)));
        const completionStarted = performance.now();
        const completion: GenerationResult = await engine.request("complete", {
            sequence: "completion", prompt: "def add(a, b):\n    return a" + " + b".repeat(40), maxTokens: 12, sampling: { temperature: 0 },
        });
        const completionDoneAt = performance.now();
        const chatResult = await chat;
        console.log(`      completion during the chat prompt: ${(completionDoneAt - completionStarted).toFixed(0)} ms `
            + `(${completion.evaluatedPromptTokens} prompt tokens, ${completion.tokens} generated); chat's first token after ${chatResult.timeToFirstTokenMs.toFixed(0)} ms`);
        assert.ok(completion.tokens > 0);
        assert.ok(chatFirstTextAt > 0, "the chat streamed nothing");
        assert.ok(completionDoneAt < chatFirstTextAt,
            `the completion waited for the chat prompt: done ${(completionDoneAt - chatFirstTextAt).toFixed(0)} ms after the chat's first token`);
        assert.equal(chatResult.stopReason, "maxTokens");
    });

    it("cancelling a chat while its prompt is evaluated frees the engine at once, not after the prompt", async () => {
        await engine.request("chat", { ...LONG_CHAT, messages: [{ role: "user", text: "clear the cache again" }] });
        const controller = new AbortController();
        const chat = engine.request("chat", LONG_CHAT, { signal: controller.signal }).catch((err: unknown) => err);
        await new Promise((r) => setTimeout(r, Math.min(300, promptMs / 5)));
        assert.deepEqual((await engine.request("stats", {})).busy, ["chat"]);
        controller.abort();
        const freedMs = await busyClears(engine, promptMs * 2);
        await chat;
        console.log(`      engine free ${freedMs.toFixed(0)} ms after cancelling (the prompt alone takes ${promptMs.toFixed(0)} ms)`);
        assert.ok(freedMs < promptMs / 3, `the engine stayed busy ${freedMs.toFixed(0)} ms after the cancel (prompt takes ${promptMs.toFixed(0)} ms)`);
    });
});
