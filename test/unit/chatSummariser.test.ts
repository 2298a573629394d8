/**
 * The running summary's life cycle (src/chat/chatMemory.ts, src/chat/chatSummariser.ts) against a scripted backend:
 * written after an answer, incremental, in the conversation's language, cancelled when the user types and retried,
 * edited, deleted, and pins. One token per word.
 */
import * as assert from "node:assert/strict";
import type { BackendModel, BackendState, LlmBackend, StreamOptions } from "../../src/backend/llmBackend";
import { ChatMemory } from "../../src/chat/chatMemory";
import type { ChatTurnMemory } from "../../src/chat/chatTurn";
import { planRequest } from "../../src/core/chat/budget";
import { summaryBudget } from "../../src/core/chat/memory";
import { cleanSummary, conversationLanguage, wrongLanguage } from "../../src/core/chat/summaryPrompts";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import type { ChatParams, GenerationResult } from "../../src/protocol/generation";

const words = (t: string) => (t.trim() ? t.trim().split(/\s+/).length : 0);
const lorem = (n: number, tag = "w") => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(" ");
const CONTEXT = 2048;
const MAX_TOKENS = 256;

interface Call { params: ChatParams; options: StreamOptions }

/** Answers summary requests with `reply(params)`; with `hold`, a request runs until it is aborted. */
class ScriptedBackend implements LlmBackend {
    readonly kind = "embedded" as const;
    readonly model: BackendModel = {
        id: "fake", name: "fake", contextSize: CONTEXT,
        capabilities: { fim: false, toolCalling: false, exactTokenCount: true },
        location: { kind: "server", url: "http://127.0.0.1:1", host: "127.0.0.1:1" },
    };
    readonly state: BackendState = { kind: "ready", model: this.model };
    calls: Call[] = [];
    hold = false;
    /** Answer past maxTokens with "eos": what a model's text can count once re-tokenized. */
    overshoot = false;
    reply: (params: ChatParams) => string = () => "- the user writes a report";
    onDidChangeState() { return { dispose: () => undefined }; }
    async ready() { return this.model; }
    async countTokens(texts: readonly string[]) { return { counts: texts.map(words), estimated: false }; }
    async listModels() { return [{ id: this.model.id, name: this.model.name }]; }
    complete(): Promise<GenerationResult> { throw new Error("not used"); }
    infill(): Promise<GenerationResult> { throw new Error("not used"); }
    async chat(params: ChatParams, options: StreamOptions = {}): Promise<GenerationResult> {
        this.calls.push({ params, options });
        if (this.hold) {
            await new Promise<void>((resolve) => options.signal?.addEventListener("abort", () => resolve(), { once: true }));
            return result("", "cancelled");
        }
        const text = this.reply(params);
        const tokens = words(text);
        if (this.overshoot) return result(text, "eos");
        return result(tokens > params.maxTokens ? text.split(/\s+/).slice(0, params.maxTokens).join(" ") : text, tokens > params.maxTokens ? "maxTokens" : "eos");
    }
}

function result(text: string, stopReason: GenerationResult["stopReason"]): GenerationResult {
    return { text, tokens: words(text), promptTokens: 0, evaluatedPromptTokens: 0, stopReason, timeToFirstTokenMs: 0, totalMs: 0, tokensPerSecond: 0, contextUsed: 0, contextSize: CONTEXT };
}

let nextId = 0;
function msg(role: "user" | "assistant", text: string): ChatMessageRecord {
    return { id: `m${nextId++}`, role, text, status: "complete", createdAt: 0 };
}
function conversation(rounds: number, question = (i: number) => lorem(10, `q${i}-`), answer = (i: number) => lorem(60, `a${i}-`)): Conversation {
    const c: Conversation = { id: "c1", title: "t", createdAt: 0, updatedAt: 0, messages: [] };
    addRounds(c, rounds, question, answer);
    return c;
}
function addRounds(c: Conversation, rounds: number, question = (i: number) => lorem(10, `q${i}-`), answer = (i: number) => lorem(60, `a${i}-`)): void {
    const start = c.messages.length / 2;
    for (let i = start; i < start + rounds; i++) c.messages.push(msg("user", question(i)), msg("assistant", answer(i)));
}

function setup(options: { enabled?: boolean } = {}) {
    const backend = new ScriptedBackend();
    const saved: Conversation[] = [];
    const turnMemory: ChatTurnMemory = {};
    const memory = new ChatMemory({
        backend, memory: turnMemory, save: async (c) => { saved.push(c); },
        settings: () => ({ enabled: options.enabled ?? true, systemPrompt: "You are Hearth.", maxTokens: MAX_TOKENS }),
        onDidChange: () => undefined, isAnswering: () => false, retryAfterIdleMs: 5,
    });
    return { backend, memory, saved };
}
const userText = (call: Call) => call.params.messages.find((m) => m.role === "user")!.text;
const systemText = (call: Call) => call.params.messages.find((m) => m.role === "system")!.text;

describe("chat memory: the running summary", () => {
    it("is not written while the chat fits, and is written once it outgrows its room", async () => {
        const { backend, memory } = setup();
        const c = conversation(3);
        assert.equal(await memory.afterAnswer(c), "unneeded");
        assert.equal(backend.calls.length, 0);
        addRounds(c, 20);
        assert.equal(await memory.afterAnswer(c), "updated");
        assert.ok(backend.calls.length >= 1);
        assert.equal(backend.calls[0]!.options.background, true, "a background generation: not 'generating', not stopped by Stop");
        assert.equal(c.summary?.text, "- the user writes a report");
        const covered = c.messages.filter((m) => m.summarised);
        assert.equal(c.summary.coveredMessages, covered.length);
        assert.deepEqual(covered, c.messages.slice(0, covered.length), "the oldest messages");
        assert.ok(!c.messages.at(-1)!.summarised && !c.messages.at(-2)!.summarised, "the newest exchange stays verbatim");
    });

    it("updates incrementally: the summary so far plus only the newly left-out messages", async () => {
        const { backend, memory } = setup();
        const c = conversation(23);
        backend.reply = () => "FIRST SUMMARY";
        assert.equal(await memory.afterAnswer(c), "updated");
        const firstCovered = c.messages.filter((m) => m.summarised);
        const first = backend.calls.length;
        assert.match(userText(backend.calls[0]!), /\(none yet\)/);
        addRounds(c, 15);
        backend.reply = () => "SECOND SUMMARY";
        assert.equal(await memory.afterAnswer(c), "updated");
        const second = backend.calls.slice(first);
        assert.ok(second.length >= 1);
        const asked = userText(second[0]!);
        assert.match(asked, /Summary so far:\nFIRST SUMMARY/);
        for (const m of firstCovered) assert.ok(!asked.includes(m.text), "an already summarised message was sent again");
        const newlyCovered = c.messages.filter((m) => m.summarised && !firstCovered.includes(m));
        assert.ok(newlyCovered.length > 0 && asked.includes(newlyCovered[0]!.text));
        assert.equal(c.summary?.text, "SECOND SUMMARY");
        assert.equal(c.summary.coveredMessages, firstCovered.length + newlyCovered.length);
    });

    it("costs about the same per update however long the chat grows, and every request fits the context", async () => {
        const { backend, memory } = setup();
        backend.overshoot = true;
        const c = conversation(1);
        const sizes: { round: number; words: number }[] = [];
        for (let round = 1; round <= 80; round++) {
            addRounds(c, 1);
            const before = backend.calls.length;
            await memory.afterAnswer(c);
            for (const call of backend.calls.slice(before)) {
                const prompt = call.params.messages.reduce((n, m) => n + words(m.text) + 8, 0);
                assert.ok(prompt + call.params.maxTokens <= CONTEXT, `round ${round}: ${prompt} + ${call.params.maxTokens}`);
                sizes.push({ round, words: prompt });
            }
            // Over budget, with a line break near the cut: the summary is cut to its budget.
            backend.reply = () => `${lorem(summaryBudget(CONTEXT, MAX_TOKENS) - 20, `s${round}-`)} \n ${lorem(40, `t${round}-`)}`;
        }
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const early = mean(sizes.filter((s) => s.round > 20 && s.round <= 40).map((s) => s.words));
        const late = mean(sizes.filter((s) => s.round > 60).map((s) => s.words));
        assert.ok(sizes.length >= 6, `${sizes.length} summary requests`);
        assert.ok(late <= early * 1.2, `summary requests grew from ${early} to ${late} words`);
        assert.ok(words(c.summary!.text) <= summaryBudget(CONTEXT, MAX_TOKENS));
        assert.equal(c.summary!.text, c.summary!.text.trim(), "stored as the system message sends it");
    });

    it("folds a long backlog in several requests, each within the context", async () => {
        const { backend, memory } = setup();
        const c = conversation(60);
        // A chat from before summaries: its last request started far along, nothing is summarised.
        c.messages.at(-1)!.historyStart = 100;
        assert.equal(await memory.afterAnswer(c), "updated");
        assert.ok(backend.calls.length >= 2, `${backend.calls.length} request(s)`);
        assert.ok(c.messages.slice(0, 100).every((m) => m.summarised));
    });

    it("builds on a summary written for a bigger context after cutting it to this context's budget", async () => {
        const { backend, memory } = setup();
        const c = conversation(25);
        c.messages.slice(0, 10).forEach((m) => (m.summarised = true));
        c.summary = { text: lorem(3000, "old"), coveredMessages: 10, tokens: 3000, language: "en", updatedAt: 0 };
        c.messages.at(-1)!.historyStart = 10;
        backend.reply = () => "shorter now";
        assert.equal(await memory.afterAnswer(c), "updated");
        const asked = userText(backend.calls[0]!);
        assert.ok(asked.includes("old0 old1") && !asked.includes("old2999"), "the old summary was cut to the budget");
        const prompt = backend.calls[0]!.params.messages.reduce((n, m) => n + words(m.text) + 8, 0);
        assert.ok(prompt + backend.calls[0]!.params.maxTokens <= CONTEXT);
        assert.equal(c.summary?.text, "shorter now");
    });

    it("keeps the conversation's language: Chinese instructions for a Chinese chat, asked again after an English answer", async () => {
        const { backend, memory } = setup();
        const c = conversation(25, (i) => `第${i}轮：请帮我修改报告，主角的名字叫小明。\`\`\`js\nconst answer = compute(value);\n\`\`\``, (i) => `好的，${lorem(60, `答${i}-`)}`);
        assert.equal(conversationLanguage(c.messages), "zh", "code in the prompt does not make it English");
        let n = 0;
        backend.reply = () => (n++ === 0 ? "The user is revising a report whose hero is called Xiaoming." : "用户在修改报告，主角叫小明。");
        assert.equal(await memory.afterAnswer(c), "updated");
        assert.match(systemText(backend.calls[0]!), /简体中文/);
        assert.match(userText(backend.calls[0]!), /目前的摘要：/);
        assert.match(userText(backend.calls[1]!), /你上一次的回复不是简体中文/);
        assert.equal(c.summary?.text, "用户在修改报告，主角叫小明。");
        assert.equal(c.summary.language, "zh");
        assert.ok(wrongLanguage("The user is revising a report whose hero is called Xiaoming.", "zh"));
        assert.ok(!wrongLanguage("用户在修改 report.ts 里的 compute 函数", "zh"));
    });

    it("cleans what the model answers: reasoning, preambles, fences; a cut answer ends at a sentence", () => {
        assert.equal(cleanSummary("<think>let me see</think>\nUpdated summary:\n- a\n- b", false), "- a\n- b");
        assert.equal(cleanSummary("**Summary:**\nThe user likes cats.", false), "The user likes cats.");
        assert.equal(cleanSummary("摘要：\n用户喜欢猫。", false), "用户喜欢猫。");
        assert.equal(cleanSummary("```\n- a\n```", false), "- a");
        assert.equal(cleanSummary("The user likes cats. They have two. The third one is cal", true), "The user likes cats. They have two.");
        assert.equal(cleanSummary("<think>unfinished reasoning", true), "");
    });

    it("fails cleanly on an empty answer, keeps the summary, and waits before trying again", async () => {
        const { backend, memory } = setup();
        const c = conversation(25);
        backend.reply = () => "   ";
        assert.equal(await memory.afterAnswer(c), "failed");
        assert.equal(c.summary, undefined);
        assert.ok(c.messages.every((m) => !m.summarised));
        const calls = backend.calls.length;
        assert.equal(await memory.afterAnswer(c), "skipped", "backs off after a failure");
        assert.equal(backend.calls.length, calls);
        backend.reply = () => "ok now";
        assert.equal(await memory.afterAnswer(c), "updated");
    });

    it("is cancelled when the user starts typing, put off while they type, and retried when they are idle", async () => {
        const { backend, memory } = setup();
        const c = conversation(25);
        backend.hold = true;
        const running = memory.afterAnswer(c);
        await new Promise((r) => setTimeout(r, 5));
        assert.equal(backend.calls.length, 1);
        memory.setComposing(true);
        assert.equal(await running, "cancelled");
        assert.ok(backend.calls[0]!.options.signal?.aborted, "the request itself was aborted");
        assert.equal(c.summary, undefined);
        // Another answer finishes while the user types: nothing starts.
        backend.hold = false;
        assert.equal(await memory.afterAnswer(c), "cancelled");
        assert.equal(backend.calls.length, 1);
        // The user clears the prompt and leaves it: the summary is written after a short idle time.
        memory.setComposing(false);
        await new Promise((r) => setTimeout(r, 50));
        await memory.idle();
        const summary = c.summary as Conversation["summary"];
        assert.ok(summary?.text, "the put-off summary was not retried");
    });

    it("never writes a deleted chat again, even with a summary put off", async () => {
        const { backend, memory, saved } = setup();
        const c = conversation(25);
        memory.setComposing(true);
        assert.equal(await memory.afterAnswer(c), "cancelled");
        await memory.forget(c.id);
        memory.setComposing(false);
        await new Promise((r) => setTimeout(r, 50));
        await memory.idle();
        assert.equal(backend.calls.length, 0);
        assert.deepEqual(saved, []);
    });

    it("starts again once the typed prompt is sent", async () => {
        const { backend, memory } = setup();
        const c = conversation(25);
        memory.setComposing(true);
        assert.equal(await memory.afterAnswer(c), "cancelled", "put off while the user types");
        memory.promptSent();
        assert.equal(await memory.afterAnswer(c), "updated", "the answer to the sent prompt starts the summary");
        assert.equal(backend.calls.length, 1);
    });

    it("sends the user's edit in the next request; deleting forgets the summarised messages", async () => {
        const { memory } = setup();
        const c = conversation(25);
        await memory.afterAnswer(c);
        await memory.editSummary(c, "The cat is called Zorro.");
        assert.equal(c.summary?.edited, true);
        const history = c.messages.slice(0, -2);
        const input = { systemPrompt: "You are Hearth.", history, prompt: "name?", attachments: [], contextSize: CONTEXT, maxTokens: MAX_TOKENS };
        const plan = await planRequest({ ...input, summary: c.summary.text }, async (t) => t.map(words));
        assert.match(plan.messages[0]!.text, /The cat is called Zorro\.$/);
        await memory.deleteSummary(c);
        assert.equal(c.summary?.text, "");
        const after = await planRequest({ ...input, summary: c.summary.text }, async (t) => t.map(words));
        assert.equal(after.messages[0]!.text, "You are Hearth.");
        assert.ok(!after.messages.some((m) => m.text === c.messages[0]!.text), "deleted means forgotten, not sent again");
        assert.equal(after.forgottenMessages, 0);
    });

    it("pins within the pins' share, brings a summarised message back verbatim, and drops the summary when its messages are edited away", async () => {
        const { memory } = setup();
        const c = conversation(25);
        await memory.afterAnswer(c);
        const old = c.messages.find((m) => m.summarised)!;
        assert.deepEqual(await memory.pin(c, old.id, true), { ok: true });
        assert.equal(old.pinned, true);
        assert.equal(old.summarised, false);
        const huge = msg("user", lorem(2000));
        c.messages.push(huge, msg("assistant", "ok"));
        const refused = await memory.pin(c, huge.id, true);
        assert.equal(refused.ok, false);
        assert.ok(!refused.ok && refused.tokens === 2000 && refused.room < 2000);
        assert.ok(!huge.pinned);
        const view = memory.view(c, "You are Hearth.");
        assert.equal(view.pinnedCount, 1);
        assert.ok(view.room !== undefined && view.budget !== undefined && view.room < view.budget - view.pinnedTokens);
        memory.truncating(c, c.messages.slice(2));
        assert.equal(c.summary, undefined);
        assert.ok(c.messages.every((m) => !m.summarised));
    });

    it("does nothing when switched off", async () => {
        const { backend, memory } = setup({ enabled: false });
        assert.equal(await memory.afterAnswer(conversation(30)), "skipped");
        assert.equal(backend.calls.length, 0);
    });
});
