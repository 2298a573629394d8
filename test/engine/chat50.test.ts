/**
 * Acceptance: a 50-round chat on the real fixture model through the chat's own request builder
 * (src/core/chat/budget.ts, real token counts from the engine's tokenize op) and the real engine process.
 * The context is 1024 tokens so history trimming really happens. Every request must fit the context, and the
 * engine's memory after round 50 must be within 10% of after round 10 (flat memory, no leak per turn).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { cachedCounter, calibrateOverhead, planRequest, safetyMargin, type TokenCounter } from "../../src/core/chat/budget";
import type { ChatMessageRecord } from "../../src/protocol/conversation";
import { buildSystemPrompt } from "../../src/core/chat/systemPrompt";
import { ENGINE_PATH, fixture } from "../helpers/fixtures";

function vmRssBytes(pid: number): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : NaN;
}

const TOPICS = ["a dog", "the sea", "a red ball", "a big tree", "a little bird", "the moon", "a cat", "a fast car", "the park", "a cake"];

describe("chat: 50 rounds on the real fixture model", function () {
    this.timeout(300_000);
    let engine: EngineProcess;
    before(() => (engine = new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined })));
    after(() => engine.dispose());

    it("completes 50 rounds, never exceeds the context, memory stays flat", async () => {
        const info = await engine.request("loadModel", {
            modelPath: fixture("stories260K-chat-fim.derived.gguf"), contextSize: 1024, threads: 1, gpuLayers: 0, sequences: 2, gpu: "cpu",
        });
        assert.equal(info.hasChatTemplate, true);
        const contextSize = info.contextSize;
        assert.ok(contextSize <= 1024, `context ${contextSize}`);
        let tokenizeCalls = 0;
        const count: TokenCounter = cachedCounter(async (texts) => {
            tokenizeCalls++;
            return (await engine.request("tokenize", { texts })).counts;
        });

        const history: ChatMessageRecord[] = [];
        let rss10 = 0;
        let raw10 = 0;
        let trimmedRounds = 0;
        let maxPlanned = 0;
        let maxUsed = 0;
        let overhead: number | undefined;
        let overBudgetRounds = 0;
        const started = performance.now();
        for (let round = 1; round <= 50; round++) {
            const prompt = `Round ${round}. Tell me a short story about ${TOPICS[round % TOPICS.length]}.`;
            const plan = await planRequest({
                systemPrompt: buildSystemPrompt("", prompt), history, prompt, attachments: [], contextSize, maxTokens: 128, overheadPerMessage: overhead,
            }, count);
            assert.ok(plan.promptTokens + plan.answerTokens <= contextSize,
                `round ${round}: planned ${plan.promptTokens} + ${plan.answerTokens} > ${contextSize}`);
            const r = await engine.request("chat", {
                messages: plan.messages, maxTokens: plan.answerTokens, sampling: { temperature: 0.8, seed: round },
            });
            // Real counts from the model: the templated prompt plus the whole answer room fits the context, and once
            // the template's overhead is calibrated (first round) the plan is an upper bound of the real prompt.
            assert.ok(r.promptTokens + plan.answerTokens <= contextSize, `round ${round}: ${r.promptTokens} + ${plan.answerTokens} > ${contextSize}`);
            assert.ok(r.promptTokens + r.tokens <= contextSize, `round ${round}: ${r.promptTokens} + ${r.tokens} > ${contextSize}`);
            if (r.promptTokens > plan.promptTokens) overBudgetRounds++;
            assert.ok(r.promptTokens <= plan.promptTokens + safetyMargin(contextSize), `round ${round}: real prompt ${r.promptTokens} beyond plan ${plan.promptTokens} + margin`);
            // From round 3 the calibration has seen system, user and assistant turns: the plan is an upper bound.
            if (round >= 3) assert.ok(r.promptTokens <= plan.promptTokens, `round ${round}: real prompt ${r.promptTokens} > budgeted ${plan.promptTokens}`);
            overhead = calibrateOverhead(plan, r.promptTokens, overhead);
            assert.ok(r.contextUsed <= contextSize);
            assert.ok(r.tokens > 0, `round ${round} produced no answer`);
            if (plan.droppedMessages > 0) trimmedRounds++;
            maxPlanned = Math.max(maxPlanned, plan.promptTokens + plan.answerTokens);
            maxUsed = Math.max(maxUsed, r.promptTokens + r.tokens);
            history.push(
                { id: `u${round}`, role: "user", text: prompt, status: "complete", createdAt: round },
                { id: `a${round}`, role: "assistant", text: r.text, status: r.stopReason === "cancelled" ? "stopped" : "complete", createdAt: round },
            );
            if (round === 10) {
                raw10 = vmRssBytes(engine.pid!);
                // After a full GC: what the engine still holds, not where V8's saw-tooth happens to be.
                rss10 = (await engine.request("stats", { collectGarbage: true })).rssBytes;
            }
        }
        const raw50 = vmRssBytes(engine.pid!);
        const rss50 = (await engine.request("stats", { collectGarbage: true })).rssBytes;
        const procRss50 = vmRssBytes(engine.pid!);
        const seconds = (performance.now() - started) / 1000;
        const growth = (rss50 - rss10) / rss10;
        console.log(`      50 rounds in ${seconds.toFixed(1)} s; context ${contextSize}; history trimmed in ${trimmedRounds} rounds; ` +
            `largest request planned ${maxPlanned}, real ${maxUsed}; template overhead ${overhead} tok/message; real prompt above plan in ${overBudgetRounds} round(s); ${tokenizeCalls} tokenize calls`);
        const mib = (n: number) => (n / 2 ** 20).toFixed(1);
        console.log(`      engine RSS after a full GC: round 10 ${mib(rss10)} MiB, round 50 ${mib(rss50)} MiB (${(growth * 100).toFixed(1)}%); ` +
            `without GC (V8 saw-tooth): ${mib(raw10)} → ${mib(raw50)} MiB; /proc VmRSS at the end ${mib(procRss50)} MiB`);
        assert.ok(trimmedRounds >= 20, `history was trimmed in only ${trimmedRounds} rounds: the test did not exercise trimming`);
        assert.ok(Math.abs(growth) <= 0.10, `engine memory changed ${(growth * 100).toFixed(1)}% between round 10 and 50`);
        assert.ok(Math.abs(procRss50 - rss50) / rss50 < 0.05, "stats rssBytes agrees with /proc VmRSS");
    });
});
