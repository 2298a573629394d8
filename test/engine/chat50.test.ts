/**
 * Acceptance: a 50-round chat on the real fixture model through the product's own chat turn (runChatTurn via
 * test/helpers/productChat.ts: the planner with the kept history start, real token counts from the engine, the
 * conversation saved to a real store) and the real engine process. The context is 1024 tokens so history trimming
 * really happens. Every request must fit the context; once trimming has begun the prompt's beginning must stay
 * cached (the median round re-evaluates no more than the new message and the previous answer); the engine's memory
 * in use after round 50 must be within 10% of after round 10 (flat memory, no leak per turn; see engineMemory.ts).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { cachedCounter, planRequest, safetyMargin, type TokenCounter } from "../../src/core/chat/budget";
import { buildSystemPrompt } from "../../src/core/chat/systemPrompt";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import { embeddedBackend, newEngineProcess, testLoadParams } from "../helpers/embedded";
import { inUseBytes } from "../helpers/engineMemory";
import { assertFinished } from "../helpers/answerStatus";
import { fixture } from "../helpers/fixtures";
import { ProductChat } from "../helpers/productChat";

function vmRssBytes(pid: number): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : NaN;
}

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const TOPICS = ["a dog", "the sea", "a red ball", "a big tree", "a little bird", "the moon", "a cat", "a fast car", "the park", "a cake"];
const MAX_TOKENS = 128;

describe("chat: 50 rounds on the real fixture model", function () {
    this.timeout(300_000);
    let engine: EngineProcess;
    before(() => (engine = newEngineProcess()));
    after(() => engine.dispose());

    it("completes 50 rounds through the product's chat turn, never exceeds the context, keeps the history start cached, memory stays flat", async () => {
        const backend = embeddedBackend(engine, testLoadParams(fixture("stories260K-chat-fim.derived.gguf"), 1024));
        const chat = new ProductChat(backend);
        try {
            const model = await backend.ready();
            assert.equal(backend.loadResult?.hasChatTemplate, true);
            const contextSize = model.contextSize;
            assert.ok(contextSize <= 1024, `context ${contextSize}`);
            let tokenizeCalls = 0;
            // The test's own counter, to compute the plan the turn must have made (same tokenizer, same inputs).
            const count: TokenCounter = cachedCounter(async (texts) => {
                tokenizeCalls++;
                return (await engine.request("tokenize", { texts })).counts;
            });

            let rss10 = 0;
            let inUse10 = 0;
            let raw10 = 0;
            let trimmedRounds = 0;
            let maxPlanned = 0;
            let maxUsed = 0;
            let overBudgetRounds = 0;
            const reevaluated: number[] = [];
            const allowed: number[] = [];
            const started = performance.now();
            for (let round = 1; round <= 50; round++) {
                const prompt = `Round ${round}. Tell me a short story about ${TOPICS[round % TOPICS.length]}.`;
                const history = [...chat.conversation.messages];
                const previousAnswer = history.at(-1);
                const trimmingBegun = trimmedRounds > 0;
                const plan = await planRequest({
                    systemPrompt: buildSystemPrompt("", prompt), history, prompt, attachments: [], contextSize, maxTokens: MAX_TOKENS,
                    overheadPerMessage: chat.memory.overheadPerMessage, keepFrom: previousAnswer?.droppedMessages ?? 0,
                }, count);
                const { answer, params, result: r } = await chat.turn(prompt, { maxTokens: MAX_TOKENS, temperature: 0.8 });
                assertFinished(answer, params.maxTokens, `round ${round}`);
                // The turn sent exactly the plan the product's planner makes with the kept history start.
                assert.deepEqual(params.messages, plan.messages, `round ${round}: the chat turn sent another plan`);
                assert.equal(params.maxTokens, plan.answerTokens);
                assert.ok(plan.promptTokens + plan.answerTokens <= contextSize,
                    `round ${round}: planned ${plan.promptTokens} + ${plan.answerTokens} > ${contextSize}`);
                // Real counts from the model: the templated prompt plus the whole answer room fits the context, and once
                // the template's overhead is calibrated (first round) the plan is an upper bound of the real prompt.
                assert.ok(r.promptTokens + plan.answerTokens <= contextSize, `round ${round}: ${r.promptTokens} + ${plan.answerTokens} > ${contextSize}`);
                assert.ok(r.promptTokens + r.tokens <= contextSize, `round ${round}: ${r.promptTokens} + ${r.tokens} > ${contextSize}`);
                if (r.promptTokens > plan.promptTokens) overBudgetRounds++;
                assert.ok(r.promptTokens <= plan.promptTokens + safetyMargin(contextSize), `round ${round}: real prompt ${r.promptTokens} beyond plan ${plan.promptTokens} + margin`);
                // From round 3 the calibration has seen system, user and assistant turns: the plan is an upper bound.
                if (round >= 3) assert.ok(r.promptTokens <= plan.promptTokens, `round ${round}: real prompt ${r.promptTokens} > budgeted ${plan.promptTokens}`);
                assert.ok(r.contextUsed <= contextSize);
                assert.ok(r.tokens > 0, `round ${round} produced no answer`);
                if (trimmingBegun && previousAnswer) {
                    const [user, previous] = await count([prompt, previousAnswer.text]);
                    reevaluated.push(r.evaluatedPromptTokens);
                    allowed.push(user! + previous! + 2 * (chat.memory.overheadPerMessage ?? 0));
                }
                if (plan.droppedMessages > 0) trimmedRounds++;
                maxPlanned = Math.max(maxPlanned, plan.promptTokens + plan.answerTokens);
                maxUsed = Math.max(maxUsed, r.promptTokens + r.tokens);
                if (round === 10) {
                    raw10 = vmRssBytes(engine.pid!);
                    // After a full GC: what the engine still holds, not where V8's saw-tooth happens to be.
                    const stats = await engine.request("stats", { collectGarbage: true });
                    rss10 = stats.rssBytes;
                    inUse10 = inUseBytes(stats);
                }
            }
            const raw50 = vmRssBytes(engine.pid!);
            const stats50 = await engine.request("stats", { collectGarbage: true });
            const rss50 = stats50.rssBytes;
            const inUse50 = inUseBytes(stats50);
            const procRss50 = vmRssBytes(engine.pid!);
            const seconds = (performance.now() - started) / 1000;
            const growth = (inUse50 - inUse10) / inUse10;
            const saved = JSON.parse(fs.readFileSync(chat.store.fileOf(chat.conversation.id), "utf8")) as { messages: unknown[] };
            console.log(`      50 rounds in ${seconds.toFixed(1)} s; context ${contextSize}; history trimmed in ${trimmedRounds} rounds; ` +
                `largest request planned ${maxPlanned}, real ${maxUsed}; template overhead ${chat.memory.overheadPerMessage} tok/message; ` +
                `real prompt above plan in ${overBudgetRounds} round(s); ${tokenizeCalls} tokenize calls (test's counter)`);
            console.log(`      once trimming began: prompt tokens re-evaluated per round p50 ${median(reevaluated)} ` +
                `(new message + previous answer p50 ${median(allowed)}), max ${Math.max(...reevaluated)}`);
            const mib = (n: number) => (n / 2 ** 20).toFixed(1);
            console.log(`      engine memory in use after a full GC (RSS − V8's empty committed heap): round 10 ${mib(inUse10)} MiB, round 50 ${mib(inUse50)} MiB `
                + `(${(growth * 100).toFixed(1)}%); RSS ${mib(rss10)} → ${mib(rss50)} MiB; ` +
                `without GC (V8 saw-tooth): ${mib(raw10)} → ${mib(raw50)} MiB; /proc VmRSS at the end ${mib(procRss50)} MiB`);
            assert.ok(trimmedRounds >= 20, `history was trimmed in only ${trimmedRounds} rounds: the test did not exercise trimming`);
            assert.equal(saved.messages.length, 100, "the conversation on disk holds all 50 rounds");
            assert.ok(median(reevaluated) <= median(allowed),
                `once trimming began the median round re-evaluated ${median(reevaluated)} prompt tokens, more than the new message + previous answer `
                + `(${median(allowed)}): the kept history start did not stay cached`);
            assert.ok(Math.abs(growth) <= 0.10, `engine memory changed ${(growth * 100).toFixed(1)}% between round 10 and 50`);
            assert.ok(Math.abs(procRss50 - rss50) / rss50 < 0.05, "stats rssBytes agrees with /proc VmRSS");
        } finally {
            chat.dispose();
            backend.dispose();
        }
    });
});
