/** Token budgeting and history trimming for chat requests (src/core/chat/budget.ts), with a deterministic counter. */
import * as assert from "node:assert/strict";
import {
    MESSAGE_OVERHEAD_TOKENS,
    allocateAttachmentBudget,
    answerReserve,
    cachedCounter,
    chooseHistoryStart,
    cutText,
    estimateTokens,
    fitHistory,
    planRequest,
    promptBudget,
    safetyMargin,
    TRIM_TARGET,
    type TokenCounter,
} from "../../src/core/chat/budget";
import type { Attachment, ChatMessageRecord } from "../../src/protocol/conversation";
import { buildSystemPrompt, detectLanguage, mentionsCurrentFile } from "../../src/core/chat/systemPrompt";
import { compactCount, formatStats } from "../../src/core/chat/format";

/** One token per whitespace-separated word: exact and easy to reason about. */
const words = (t: string) => (t.trim() ? t.trim().split(/\s+/).length : 0);
const wordCounter: TokenCounter = async (texts) => texts.map(words);

function msg(role: "user" | "assistant", text: string, extra: Partial<ChatMessageRecord> = {}): ChatMessageRecord {
    return { id: Math.random().toString(36), role, text, status: "complete", createdAt: 0, ...extra };
}
const lorem = (n: number, tag = "w") => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(" ");
function attachment(text: string, extra: Partial<Attachment> = {}): Attachment {
    return { id: "a1", kind: "file", label: "x.ts", path: "src/x.ts", languageId: "typescript", text, tokens: words(text), estimated: true, ...extra };
}

describe("chat token budget", () => {
    it("reserves the answer room: max-tokens setting, never more than half the context", () => {
        assert.equal(answerReserve(8192, 1024), 1024);
        assert.equal(answerReserve(1024, 1024), 512);
        assert.equal(answerReserve(1024, 4), 16);
        assert.equal(promptBudget(1024, 256), 1024 - 256 - safetyMargin(1024));
        assert.ok(safetyMargin(100_000) >= 2000);
    });

    it("fitHistory keeps the newest messages that fit, whole", () => {
        const cost = 10 + MESSAGE_OVERHEAD_TOKENS;
        assert.deepEqual(fitHistory([10, 10, 10, 10], cost * 2), { start: 2, used: cost * 2 });
        assert.deepEqual(fitHistory([10, 10, 10, 10], cost * 2 + cost - 1), { start: 2, used: cost * 2 });
        assert.deepEqual(fitHistory([10, 10], 1000), { start: 0, used: cost * 2 });
        // A huge old message stops the walk: nothing older than it is kept either.
        assert.deepEqual(fitHistory([5, 5000, 10], 100), { start: 2, used: cost });
    });

    it("shares attachment room so a big file cannot starve a small selection", () => {
        assert.deepEqual(allocateAttachmentBudget([100, 5000], 1000), [100, 900]);
        assert.deepEqual(allocateAttachmentBudget([5000, 5000], 1000), [500, 500]);
        assert.deepEqual(allocateAttachmentBudget([10, 20], 1000), [10, 20]);
        assert.deepEqual(allocateAttachmentBudget([10, 20], 0), [0, 0]);
    });

    it("cutText prefers a line boundary", () => {
        const text = "line one\nline two\nline three\nline four";
        const cut = cutText(text, 8, 5);
        assert.ok(text.startsWith(cut) && cut.length < text.length);
        assert.equal(cutText(text, 8, 100), text);
        assert.equal(cutText(text, 8, 0), "");
    });

    it("keeps everything when the conversation fits", async () => {
        const history = [msg("user", "hello there"), msg("assistant", "hi, how can I help")];
        const plan = await planRequest({ systemPrompt: "be nice", history, prompt: "tell me more", attachments: [], contextSize: 1024, maxTokens: 256 }, wordCounter);
        assert.equal(plan.droppedMessages, 0);
        assert.deepEqual(plan.messages.map((m) => m.role), ["system", "user", "assistant", "user"]);
        assert.equal(plan.messages.at(-1)!.text, "tell me more");
        assert.equal(plan.answerTokens, 256);
        assert.equal(plan.promptTokens, 2 + 2 + 5 + 3 + 4 * MESSAGE_OVERHEAD_TOKENS);
    });

    it("drops the oldest turns of a long chat and stays within the context", async () => {
        const history: ChatMessageRecord[] = [];
        for (let i = 0; i < 60; i++) history.push(msg("user", lorem(30, `q${i}-`)), msg("assistant", lorem(50, `a${i}-`)));
        const contextSize = 1024;
        const plan = await planRequest({ systemPrompt: lorem(20), history, prompt: lorem(10), attachments: [], contextSize, maxTokens: 256 }, wordCounter);
        assert.ok(plan.droppedMessages > 100, `dropped ${plan.droppedMessages}`);
        assert.ok(plan.promptTokens + plan.answerTokens <= contextSize);
        // Recount what is actually sent: the plan's figure is honest.
        const sent = plan.messages.reduce((n, m) => n + words(m.text) + MESSAGE_OVERHEAD_TOKENS, 0);
        assert.equal(sent, plan.promptTokens);
        assert.equal(plan.messages[1]!.role, "user", "the kept history starts with a question, not an orphan answer");
        assert.equal(plan.messages.length - 2, history.length - plan.droppedMessages);
        assert.match(plan.messages.at(-2)!.text, /^a59-0/, "the newest answer is kept");
    });

    it("keeps the prompt's beginning stable across rounds once trimming starts (KV-cache reuse)", async () => {
        const contextSize = 1024;
        const history: ChatMessageRecord[] = [];
        let keepFrom = 0;
        const starts: number[] = [];
        for (let round = 0; round < 40; round++) {
            const plan = await planRequest({
                systemPrompt: lorem(20), history, prompt: lorem(10, `q${round}-`), attachments: [], contextSize, maxTokens: 256, keepFrom,
            }, wordCounter);
            assert.ok(plan.promptTokens + plan.answerTokens <= contextSize, `round ${round} over the context`);
            assert.ok(plan.droppedMessages >= keepFrom, "never brings back a message it already left out");
            starts.push(plan.droppedMessages);
            keepFrom = plan.droppedMessages;
            history.push(msg("user", lorem(10, `q${round}-`)), msg("assistant", lorem(40, `a${round}-`)));
        }
        const changes = starts.filter((s, i) => i > 0 && s !== starts[i - 1]).length;
        const trimmedRounds = starts.filter((s) => s > 0).length;
        assert.ok(trimmedRounds > 20, `history was trimmed in ${trimmedRounds} rounds`);
        // Dropping one message pair per round would change the beginning in every trimmed round.
        assert.ok(changes <= trimmedRounds / 3, `the prompt's beginning changed in ${changes} of ${trimmedRounds} trimmed rounds`);
    });

    it("trims to TRIM_TARGET of the history budget when it must drop more", () => {
        const tokens = Array.from({ length: 20 }, () => 10);
        const within = chooseHistoryStart(tokens, 1000, 0, 5);
        assert.deepEqual(within, { start: 5, used: 150 });
        const over = chooseHistoryStart(tokens, 100, 0, 5);
        assert.equal(over.used, Math.floor(100 * TRIM_TARGET));
        assert.equal(over.start, 20 - over.used / 10);
    });

    it("cuts a large attachment to its share and says so", async () => {
        const big = Array.from({ length: 400 }, (_, i) => `line${i} alpha beta gamma delta`).join("\n");
        const plan = await planRequest({
            systemPrompt: "sys", history: [], prompt: "what does this file do", attachments: [attachment(big)], contextSize: 1024, maxTokens: 256,
        }, wordCounter);
        const a = plan.attachments[0]!;
        assert.equal(a.truncatedFrom, 2000);
        assert.ok(a.tokens < 2000 && a.tokens > 100, `kept ${a.tokens}`);
        assert.equal(a.estimated, false);
        assert.ok(plan.promptTokens + plan.answerTokens <= 1024);
        const user = plan.messages.at(-1)!.text;
        assert.match(user, /File `src\/x.ts` \(cut to fit/);
        assert.match(user, /what does this file do$/);
        assert.ok(big.startsWith(a.text));
    });

    it("keeps a small attachment whole and counts it for real", async () => {
        const plan = await planRequest({ systemPrompt: "", history: [], prompt: "explain", attachments: [attachment("const a = 1;", { tokens: 99 })], contextSize: 2048, maxTokens: 256 }, wordCounter);
        assert.equal(plan.attachments[0]!.truncatedFrom, undefined);
        assert.equal(plan.attachments[0]!.tokens, 4);
        assert.equal(plan.messages.length, 1, "no system message when the system prompt is empty");
        assert.match(plan.messages[0]!.text, /```typescript\nconst a = 1;\n```/);
    });

    it("cuts a prompt that alone exceeds the context", async () => {
        const prompt = lorem(5000);
        const plan = await planRequest({ systemPrompt: "sys", history: [msg("user", "old"), msg("assistant", "older")], prompt, attachments: [], contextSize: 1024, maxTokens: 256 }, wordCounter);
        assert.equal(plan.promptCut, true);
        const sent = plan.messages.at(-1)!.text;
        assert.ok(prompt.startsWith(sent) && words(sent) > 500 && words(sent) < 1024, `kept ${words(sent)} words`);
        assert.ok(plan.promptTokens + plan.answerTokens <= 1024);
    });

    it("skips failed answers and includes partial (stopped) ones", async () => {
        const history = [msg("user", "q1"), msg("assistant", "", { status: "error", error: "boom" }), msg("user", "q2"), msg("assistant", "partial", { status: "stopped" })];
        const plan = await planRequest({ systemPrompt: "s", history, prompt: "q3", attachments: [], contextSize: 1024, maxTokens: 128 }, wordCounter);
        assert.deepEqual(plan.messages.map((m) => m.text), ["s", "q1", "q2", "partial", "q3"]);
    });

    it("cachedCounter asks the tokenizer only for new texts, in one batch", async () => {
        const calls: string[][] = [];
        const counter = cachedCounter(async (texts) => { calls.push(texts); return texts.map(words); });
        assert.deepEqual(await counter(["a b", "c"]), [2, 1]);
        assert.deepEqual(await counter(["a b", "c", "d e f", "d e f"]), [2, 1, 3, 3]);
        assert.deepEqual(calls, [["a b", "c"], ["d e f"]]);
    });

    it("estimates tokens for Latin and CJK text", () => {
        // 3.5 characters per token (calibrated in test/engine/tokenEstimate.test.ts).
        assert.equal(estimateTokens("abcdefg"), 2);
        assert.equal(estimateTokens("abcdefgh"), 3);
        assert.equal(estimateTokens("你好世界"), 4);
    });
});

describe("chat system prompt and helpers", () => {
    it("names the user's language", () => {
        assert.equal(detectLanguage("这个函数是做什么的？"), "zh");
        assert.equal(detectLanguage("What does this function do?"), "en");
        assert.equal(detectLanguage("解释一下 useEffect 的用法"), "zh");
        assert.match(buildSystemPrompt("", "你好"), /Simplified Chinese/);
        assert.match(buildSystemPrompt("Be brief.", "hello"), /answer in English[\s\S]*Be brief\.$/);
    });

    it("recognises questions about the current file", () => {
        for (const q of ["What does this file do?", "explain the current file", "refactor this code", "这个文件是做什么的？", "解释当前文件"]) {
            assert.ok(mentionsCurrentFile(q), q);
        }
        for (const q of ["write a poem", "what is a file descriptor"]) assert.ok(!mentionsCurrentFile(q), q);
    });

    it("formats the footer figures", () => {
        assert.equal(compactCount(950), "950");
        assert.equal(compactCount(1900), "1.9k");
        assert.equal(compactCount(8000), "8k");
        assert.equal(compactCount(32768), "33k");
        assert.equal(formatStats({ tokens: 10, tokensPerSecond: 42.4, contextUsed: 1900, contextSize: 8000, promptTokens: 5 }), "42 tok/s · 1.9k/8k");
    });
});
