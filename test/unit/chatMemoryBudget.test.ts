/**
 * Budget arithmetic of a chat's long-term memory (src/core/chat/budget.ts with summary and pins,
 * src/core/chat/memory.ts): where summary and pins go in the request, what they cost, when summarising triggers and
 * what it folds. One token per word keeps the arithmetic exact.
 */
import * as assert from "node:assert/strict";
import { MESSAGE_OVERHEAD_TOKENS, planRequest, promptBudget, type TokenCounter } from "../../src/core/chat/budget";
import {
    COMPACT_TARGET,
    COMPACT_TRIGGER,
    lastHistoryStart,
    pinBudget,
    planCompaction,
    summaryBudget,
} from "../../src/core/chat/memory";
import { composeSystemMessage } from "../../src/core/chat/summaryPrompts";
import type { ChatMessageRecord } from "../../src/protocol/conversation";

const words = (t: string) => (t.trim() ? t.trim().split(/\s+/).length : 0);
const wordCounter: TokenCounter = async (texts) => texts.map(words);
const lorem = (n: number, tag = "w") => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(" ");
let nextId = 0;
function msg(role: "user" | "assistant", text: string, extra: Partial<ChatMessageRecord> = {}): ChatMessageRecord {
    return { id: `m${nextId++}`, role, text, status: "complete", createdAt: 0, ...extra };
}
/** `rounds` question/answer pairs: questions of `q` words, answers of `a` words. */
function chat(rounds: number, q = 10, a = 40): ChatMessageRecord[] {
    return Array.from({ length: rounds }, (_, i) => [msg("user", lorem(q, `q${i}-`)), msg("assistant", lorem(a, `a${i}-`))]).flat();
}
const O = MESSAGE_OVERHEAD_TOKENS;
const SYSTEM = lorem(20, "sys");

describe("chat memory: budget with summary and pins", () => {
    it("sends the summary at the end of the system message and leaves the summarised messages out", async () => {
        const history = chat(6);
        history.slice(0, 4).forEach((m) => (m.summarised = true));
        const summary = "the user is writing a report on rivers";
        const plan = await planRequest({ systemPrompt: SYSTEM, history, prompt: "next", attachments: [], contextSize: 4096, maxTokens: 256, summary }, wordCounter);
        assert.equal(plan.messages[0]!.role, "system");
        assert.ok(plan.messages[0]!.text.startsWith(SYSTEM), "the system prompt comes first (stable prefix)");
        assert.ok(plan.messages[0]!.text.endsWith(summary), "the summary comes last in the system message");
        assert.equal(plan.messages[1]!.text, history[4]!.text, "history starts after the summarised messages");
        assert.equal(plan.droppedMessages, 4);
        assert.equal(plan.summarisedMessages, 4);
        assert.equal(plan.forgottenMessages, 0);
        // The figure is honest: recount what is sent.
        const sent = plan.messages.reduce((n, m) => n + words(m.text) + O, 0);
        assert.equal(plan.promptTokens, sent);
    });

    it("sends a pinned message in the system message once it is older than the history kept, and counts it", async () => {
        const history = chat(60);
        history[0]!.pinned = true;
        const plan = await planRequest({ systemPrompt: SYSTEM, history, prompt: lorem(10), attachments: [], contextSize: 1024, maxTokens: 256 }, wordCounter);
        assert.ok(plan.droppedMessages > 10);
        assert.equal(plan.pinnedInSystem, 1);
        assert.ok(plan.messages[0]!.text.includes(history[0]!.text), "the pin is in the system message");
        assert.equal(plan.forgottenMessages, plan.droppedMessages - 1);
        assert.ok(plan.promptTokens + plan.answerTokens <= 1024);
        assert.equal(plan.promptTokens, plan.messages.reduce((n, m) => n + words(m.text) + O, 0));
    });

    it("reserves the pins' room: the history shrinks by what the pins cost", async () => {
        const base = chat(60);
        const pinned = chat(60);
        pinned[1]!.pinned = true; // a 40-word answer
        const input = { systemPrompt: SYSTEM, prompt: lorem(10), attachments: [], contextSize: 2048, maxTokens: 256 };
        const without = await planRequest({ ...input, history: base }, wordCounter);
        const withPin = await planRequest({ ...input, history: pinned }, wordCounter);
        const kept = (p: typeof without) => p.messages.length - 2;
        assert.ok(kept(withPin) < kept(without), "the pin took room from the history");
        assert.ok(withPin.promptTokens + withPin.answerTokens <= 2048);
        assert.ok(withPin.messages.some((m) => m.text.includes(pinned[1]!.text)));
    });

    it("keeps a pinned message through 40 rounds of trimming, and the prompt's beginning stable between trims", async () => {
        const history: ChatMessageRecord[] = [msg("user", `The brief: ${lorem(30, "brief")}`, { pinned: true }), msg("assistant", lorem(20))];
        let keepFrom = 0;
        let systemChanges = 0;
        let lastSystem = "";
        for (let round = 0; round < 40; round++) {
            const plan = await planRequest({ systemPrompt: SYSTEM, history, prompt: lorem(10, `p${round}-`), attachments: [], contextSize: 1024, maxTokens: 256, keepFrom }, wordCounter);
            assert.ok(plan.promptTokens + plan.answerTokens <= 1024, `round ${round}`);
            assert.ok(plan.messages.some((m) => m.text.includes("brief29")), `round ${round}: the pinned brief was not sent`);
            if (plan.messages[0]!.text !== lastSystem) systemChanges++;
            lastSystem = plan.messages[0]!.text;
            keepFrom = plan.droppedMessages;
            history.push(msg("user", lorem(10, `p${round}-`)), msg("assistant", lorem(40, `a${round}-`)));
        }
        // Once (when the pin left the history for the system message), plus the first round.
        assert.ok(systemChanges <= 2, `the system message changed ${systemChanges} times`);
    });

    it("leaves out the oldest pins when a smaller context can no longer hold them", async () => {
        const history = chat(4, 10, 10);
        history[0]!.text = lorem(300, "big");
        history[0]!.pinned = true;
        history[2]!.pinned = true;
        const plan = await planRequest({ systemPrompt: SYSTEM, history, prompt: "q", attachments: [], contextSize: 512, maxTokens: 128 }, wordCounter);
        assert.equal(plan.pinsLeftOut, 1);
        assert.ok(!plan.messages.some((m) => m.text.includes("big299")));
        assert.ok(plan.messages.some((m) => m.text.includes(history[2]!.text)), "the newer pin is still sent");
        assert.ok(plan.promptTokens + plan.answerTokens <= 512);
    });

    it("cuts a summary written for a bigger context before it leaves out pins or the conversation", async () => {
        const history = chat(4, 10, 10);
        history.slice(0, 2).forEach((m) => (m.summarised = true));
        history[2]!.pinned = true;
        const summary = lorem(900, "sum");
        const plan = await planRequest({ systemPrompt: SYSTEM, history, prompt: "q", attachments: [], contextSize: 1024, maxTokens: 128, summary }, wordCounter);
        assert.equal(plan.summaryCut, true);
        assert.equal(plan.pinsLeftOut, 0);
        assert.ok(plan.messages[0]!.text.includes("sum0 sum1") && !plan.messages[0]!.text.includes("sum899"));
        assert.ok(plan.messages.some((m) => m.text.includes(history[2]!.text)), "the pin is still sent");
        assert.equal(plan.messages.at(-1)!.text, "q");
        assert.ok(plan.promptTokens + plan.answerTokens <= 1024);
    });

    it("sizes summary and pins as fixed shares of the prompt budget", () => {
        assert.equal(summaryBudget(8192, 1024), Math.floor(promptBudget(8192, 1024) * 0.15));
        assert.equal(pinBudget(8192, 1024), Math.floor(promptBudget(8192, 1024) * 0.4));
        assert.ok(summaryBudget(1024, 48) < 1024 / 5);
    });

    it("composes the system message in a fixed order: system prompt, pins, summary", () => {
        const text = composeSystemMessage("SYS", [{ role: "user", text: "pinned brief" }], "the summary");
        assert.ok(text.indexOf("SYS") < text.indexOf("pinned brief") && text.indexOf("pinned brief") < text.indexOf("the summary"));
        assert.equal(composeSystemMessage("SYS", [], undefined), "SYS");
        assert.equal(composeSystemMessage("", [], "  "), "");
    });
});

describe("chat memory: when summarising triggers", () => {
    const input = (messages: ChatMessageRecord[], extra = {}) => ({ systemPrompt: SYSTEM, messages, contextSize: 2048, maxTokens: 256, ...extra });

    it("does nothing while the history fits comfortably", async () => {
        assert.equal(await planCompaction(input(chat(3)), wordCounter), undefined);
        assert.equal(await planCompaction(input([]), wordCounter), undefined);
    });

    it("folds the oldest messages once the history passes the trigger, down to the target, keeping the newest exchange", async () => {
        // Grow the chat until a plan appears: it must appear before the history outgrows its room.
        let messages: ChatMessageRecord[] = [];
        let plan;
        for (let rounds = 1; rounds < 100 && !plan; rounds++) {
            messages = chat(rounds);
            plan = await planCompaction(input(messages), wordCounter);
        }
        assert.ok(plan, "no plan even for a very long chat");
        assert.equal(plan.reason, "full");
        assert.ok(plan.historyTokens > plan.room * COMPACT_TRIGGER && plan.historyTokens <= plan.room, `${plan.historyTokens} of ${plan.room}`);
        const folded = new Set(plan.messages);
        const kept = messages.filter((m) => !folded.has(m));
        assert.deepEqual(plan.messages, messages.slice(0, plan.messages.length), "the oldest, in order");
        assert.equal(kept[0]!.role, "user", "the history kept starts with a question");
        const keptTokens = kept.reduce((n, m) => n + words(m.text) + O, 0);
        assert.ok(keptTokens <= plan.room * COMPACT_TARGET, `kept ${keptTokens}, target ${plan.room * COMPACT_TARGET}`);
        assert.ok(kept.length >= 2, "the newest question and answer are kept");
    });

    it("never folds pinned or already summarised messages, and counts pins in the room", async () => {
        const messages = chat(40);
        messages.slice(0, 10).forEach((m) => (m.summarised = true));
        messages[12]!.pinned = true;
        const plan = await planCompaction(input(messages, { keepFrom: 10 }), wordCounter);
        assert.ok(plan);
        assert.ok(plan.messages.every((m) => !m.pinned && !m.summarised));
        assert.ok(plan.messages.length > 0 && plan.messages[0] === messages[10]);
        const unpinned = chat(40);
        unpinned.slice(0, 10).forEach((m) => (m.summarised = true));
        const planWithout = await planCompaction(input(unpinned, { keepFrom: 10 }), wordCounter);
        assert.ok(planWithout && planWithout.room > plan.room, "a pin makes the room smaller");
    });

    it("folds a backlog of messages earlier requests left out unsummarised", async () => {
        const messages = chat(4);
        messages[0]!.summarised = true;
        messages[1]!.summarised = true;
        // The last request started its history at message 4: messages 2 and 3 were dropped without a summary.
        messages[7]!.historyStart = 4;
        assert.equal(lastHistoryStart(messages), 4);
        const plan = await planCompaction(input(messages, { keepFrom: 4 }), wordCounter);
        assert.ok(plan);
        assert.equal(plan.reason, "backlog");
        assert.deepEqual(plan.messages, [messages[2], messages[3]]);
    });

    it("reads where the last request started from older files too", () => {
        assert.equal(lastHistoryStart([msg("user", "a"), msg("assistant", "b", { droppedMessages: 6 })]), 6);
        assert.equal(lastHistoryStart([msg("user", "a"), msg("assistant", "b", { historyStart: 8, droppedMessages: 2 })]), 8);
        assert.equal(lastHistoryStart([msg("user", "a")]), 0);
    });
});
