/**
 * Acceptance (issue 14): 60 rounds on the real fixture model with a 1,024-token context through the product's own
 * turn runner (runChatTurn) and its own memory (ChatMemory → ChatSummariser, the classes the chat panel uses), on
 * the product's EmbeddedBackend over a real engine process.
 *
 * - No request (answers and summaries alike) asks for more than the context.
 * - Nothing is ever dropped unsummarised; the running summary is there at the end and within its budget.
 * - The engine's memory is flat: round 60 within 10% of round 10 (after a full GC in the engine).
 * - Between summary updates the prompt's beginning stays put, so each round re-evaluates at most the new message
 *   and the previous answer (the engine reports `evaluatedPromptTokens`: tokens not reused from the KV cache).
 *
 * stories260K writes children's stories whatever it is asked: these are mechanics, not the quality of a summary
 * (that is `npm run check:recall` with a real instruct model).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ChatMemory } from "../../src/chat/chatMemory";
import { runChatTurn, type ChatTurnMemory } from "../../src/chat/chatTurn";
import type { RequestPlan } from "../../src/core/chat/budget";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import { summaryBudget } from "../../src/core/chat/memory";
import { buildSystemPrompt } from "../../src/core/chat/systemPrompt";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import type { ChatParams, GenerationResult } from "../../src/protocol/generation";
import { embeddedBackend, newEngineProcess, overrideBackend, testLoadParams } from "../helpers/embedded";
import { assertFinished } from "../helpers/answerStatus";
import { inUseBytes } from "../helpers/engineMemory";
import { fixture } from "../helpers/fixtures";

const ROUNDS = 60;
const CONTEXT = 1024;
/** hearth.chat.maxTokens as the in-host suite sets it: short answers, so several rounds fit between summaries. */
const MAX_TOKENS = 48;
const TOPICS = ["a dog", "the sea", "a red ball", "a big tree", "a little bird", "the moon", "a cat", "a fast car", "the park", "a cake"];

interface Request { params: ChatParams; background: boolean; result: GenerationResult; round: number }

describe("chat memory: 60 rounds on a 1,024-token context", function () {
    this.timeout(600_000);
    let engine: EngineProcess;
    let dir: string;
    before(() => {
        engine = newEngineProcess();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-memory60-"));
    });
    after(() => {
        engine.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("stays within the context, summarises instead of forgetting, keeps memory flat and the KV cache warm", async () => {
        const requests: Request[] = [];
        let round = 0;
        const inner = embeddedBackend(engine, testLoadParams(fixture("stories260K-chat-fim.derived.gguf"), CONTEXT));
        const backend = overrideBackend(inner, {
            chat: async (params, options) => {
                const result = await inner.chat(params, options);
                requests.push({ params, background: options?.background === true, result, round });
                return result;
            },
        });
        const model = await backend.ready();
        assert.ok(model.contextSize <= CONTEXT, `context ${model.contextSize}`);
        const store = new ConversationStore(dir);
        const turnMemory: ChatTurnMemory = {};
        const systemPrompt = (text: string) => buildSystemPrompt("", text);
        const c: Conversation = { id: "memory60", title: "60 rounds", createdAt: Date.now(), updatedAt: Date.now(), messages: [] };
        const memory = new ChatMemory({
            backend, memory: turnMemory, save: (x) => store.save(x),
            settings: () => ({ enabled: true, systemPrompt: systemPrompt(c.messages.at(-2)?.text ?? ""), maxTokens: MAX_TOKENS }),
            onDidChange: () => undefined, isAnswering: () => false,
        });
        const count = async (text: string) => (await backend.countTokens([text])).counts[0]!;

        let rss10 = 0;
        let updates = 0;
        let updatedBefore = false;
        let checkedRounds = 0;
        let worst = { round: 0, evaluated: 0, bound: 0, margin: Number.POSITIVE_INFINITY };
        let previous: { plan: RequestPlan; system: string; answer: string } | undefined;
        const started = performance.now();
        for (round = 1; round <= ROUNDS; round++) {
            const prompt = `Round ${round}. Tell me a short story about ${TOPICS[round % TOPICS.length]}.`;
            const user: ChatMessageRecord = { id: `u${round}`, role: "user", text: prompt, status: "complete", createdAt: Date.now() };
            const answer: ChatMessageRecord = { id: `a${round}`, role: "assistant", text: "", status: "streaming", createdAt: Date.now() };
            c.messages.push(user, answer);
            let plan: RequestPlan | undefined;
            const before = requests.length;
            await runChatTurn({
                backend, store, conversation: c, answer, memory: turnMemory, systemPrompt: systemPrompt(prompt),
                maxTokens: MAX_TOKENS, temperature: 0.8, signal: new AbortController().signal,
                onDelta: () => undefined, onPlanned: (p) => (plan = p),
            });
            assert.ok(plan, `round ${round} was not planned`);
            const turn = requests.slice(before).filter((r) => !r.background);
            assert.equal(turn.length, 1, `round ${round}: one chat request per turn`);
            assertFinished(answer, turn[0]!.params.maxTokens, `round ${round}`);
            const r = turn[0]!.result;
            assert.ok(plan.promptTokens + plan.answerTokens <= model.contextSize, `round ${round}: planned ${plan.promptTokens} + ${plan.answerTokens}`);
            assert.equal(plan.forgottenMessages, 0, `round ${round}: ${plan.forgottenMessages} messages were left out without a summary`);
            const system = plan.messages[0]!.text;

            // Between summary updates (and with the same history start) only the tail is new to the engine.
            if (previous && !updatedBefore && previous.plan.droppedMessages === plan.droppedMessages && previous.system === system) {
                // The template's real cost per message, as learned from the model's own prompt counts (this turn included).
                const overhead = turnMemory.overheadPerMessage ?? plan.overheadPerMessage;
                const bound = (await count(prompt)) + (await count(previous.answer)) + 2 * overhead;
                checkedRounds++;
                if (bound - r.evaluatedPromptTokens < worst.margin) worst = { round, evaluated: r.evaluatedPromptTokens, bound, margin: bound - r.evaluatedPromptTokens };
                assert.ok(r.evaluatedPromptTokens <= bound,
                    `round ${round}: re-evaluated ${r.evaluatedPromptTokens} prompt tokens of ${r.promptTokens}; new message + answer = ${bound}`);
            }
            previous = { plan, system, answer: answer.text };

            const outcome = await memory.afterAnswer(c);
            assert.notEqual(outcome, "failed", `round ${round}: summarising failed`);
            updatedBefore = outcome === "updated";
            if (updatedBefore) updates++;
            if (round === 10) rss10 = inUseBytes(await engine.request("stats", { collectGarbage: true }));
        }
        const rss60 = inUseBytes(await engine.request("stats", { collectGarbage: true }));
        const seconds = (performance.now() - started) / 1000;

        // Every request the chat made, answers and summaries: prompt + the answer room asked for fits the context.
        for (const q of requests) {
            assert.ok(q.result.promptTokens + q.params.maxTokens <= model.contextSize,
                `${q.background ? "summary" : "answer"} request: ${q.result.promptTokens} + ${q.params.maxTokens} > ${model.contextSize}`);
        }
        const summaries = requests.filter((q) => q.background);
        const budget = summaryBudget(model.contextSize, MAX_TOKENS);
        assert.ok(c.summary && c.summary.text.length > 0, "no running summary after 60 rounds");
        const summaryTokens = await count(c.summary.text);
        assert.ok(summaryTokens <= budget, `summary ${summaryTokens} tokens > budget ${budget}`);
        assert.equal(c.summary.coveredMessages, c.messages.filter((m) => m.summarised).length);
        assert.ok(c.summary.coveredMessages >= 60, `the summary covers only ${c.summary.coveredMessages} messages`);
        const growth = (rss60 - rss10) / rss10;
        const mib = (n: number) => (n / 2 ** 20).toFixed(1);
        const evals = summaries.map((q) => q.result.promptTokens).sort((a, b) => a - b);
        // Flat cost per update: a summary request reads the summary and one chunk, whatever the length of the chat.
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
        const early = mean(summaries.slice(1).filter((q) => q.round <= ROUNDS / 2).map((q) => q.result.promptTokens));
        const late = mean(summaries.filter((q) => q.round > ROUNDS / 2).map((q) => q.result.promptTokens));
        console.log(`      ${ROUNDS} rounds in ${seconds.toFixed(1)} s; context ${model.contextSize}; ${updates} summary updates ` +
            `(${summaries.length} summary requests, prompt ${evals[0]}–${evals.at(-1)} tokens, mean ${early.toFixed(0)} in rounds 1–${ROUNDS / 2}, ${late.toFixed(0)} after); summary ${summaryTokens}/${budget} tokens ` +
            `covering ${c.summary.coveredMessages} messages; ${checkedRounds} rounds between updates, worst re-evaluation ` +
            `${worst.evaluated} tokens vs new message + answer ${worst.bound} (round ${worst.round})`);
        console.log(`      engine memory in use after a full GC (RSS less V8's empty heap, helpers/engineMemory.ts): round 10 ${mib(rss10)} MiB, round ${ROUNDS} ${mib(rss60)} MiB (${(growth * 100).toFixed(1)}%)`);
        assert.ok(updates >= 5, `only ${updates} summary updates: the test did not exercise summarising`);
        assert.ok(checkedRounds >= 20, `only ${checkedRounds} rounds between summary updates were checked`);
        assert.ok(Math.abs(growth) <= 0.10, `engine memory changed ${(growth * 100).toFixed(1)}% between round 10 and ${ROUNDS}`);
        assert.ok(late <= early * 1.3, `summary requests grew from ${early.toFixed(0)} to ${late.toFixed(0)} prompt tokens on average`);
        const saved = (await store.load()).conversations.find((x) => x.id === c.id);
        assert.equal(saved?.summary?.text, c.summary.text, "the summary is saved with the conversation");
    });
});
