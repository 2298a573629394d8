import * as assert from "node:assert/strict";
import type { ChatMessage } from "../../src/protocol/generation";
import {
    buildPolishMessages,
    buildRefineMessages,
    isPolishKind,
    POLISH_KINDS,
    polishInstruction,
} from "../../src/core/polish/polishPrompts";
import { answerBudget, partBudget, rewriteText, type RewriteBackend } from "../../src/core/polish/rewritePipeline";

describe("polish prompts", () => {
    it("builds a system prompt plus a user turn carrying the instruction and the text", () => {
        const [system, user] = buildPolishMessages({ kind: "shorter", languageId: "markdown" }, "Some long text.");
        assert.equal(system?.role, "system");
        assert.match(system!.text, /rewritten text only/);
        assert.match(system!.text, /no code fences|Do not wrap the answer in code fences/);
        assert.equal(user?.role, "user");
        assert.match(user!.text, /shorter/i);
        assert.ok(user!.text.includes("<text>\nSome long text.\n</text>"));
    });

    it("has a distinct instruction for every kind, translations naming the target language", () => {
        const instructions = POLISH_KINDS.filter((k) => k !== "custom").map((kind) => polishInstruction({ kind, languageId: "plaintext" }));
        assert.equal(new Set(instructions).size, instructions.length);
        assert.match(polishInstruction({ kind: "toEnglish", languageId: "plaintext" }), /English/);
        assert.match(polishInstruction({ kind: "toChinese", languageId: "plaintext" }), /Chinese/);
        assert.equal(polishInstruction({ kind: "custom", languageId: "plaintext", customInstruction: " use bullet points " }), "use bullet points");
    });

    it("asks to keep behaviour when improving code and to touch only comments otherwise", () => {
        const improve = buildPolishMessages({ kind: "improve", languageId: "python" }, "x=1");
        assert.match(improve[1]!.text, /same behaviour/);
        assert.match(improve[0]!.text, /python file/);
        const grammar = buildPolishMessages({ kind: "grammar", languageId: "typescript" }, "// teh comment");
        assert.match(grammar[0]!.text, /only comments and string contents/);
        const custom = buildPolishMessages({ kind: "custom", languageId: "go", customInstruction: "use a switch" }, "if a {}");
        assert.match(custom[0]!.text, /Follow the instruction/, "a custom instruction on code may change the code");
        assert.doesNotMatch(custom[0]!.text, /only comments/);
        const prose = buildPolishMessages({ kind: "grammar", languageId: "markdown" }, "text");
        assert.doesNotMatch(prose[0]!.text, /comments and string/);
    });

    it("refines the last version with the conversation so far", () => {
        const messages = buildRefineMessages({ kind: "formal", languageId: "plaintext" }, "hey there", "Hello there.", "make it shorter");
        assert.deepEqual(messages.map((m) => m.role), ["system", "user", "assistant", "user"]);
        assert.equal(messages[2]!.text, "Hello there.");
        assert.match(messages[3]!.text, /^make it shorter/);
    });

    it("validates kinds from command arguments", () => {
        assert.ok(isPolishKind("shorter"));
        assert.ok(!isPolishKind("longer"));
        assert.ok(!isPolishKind(undefined));
    });
});

describe("polish pipeline (fake model)", () => {
    /** Echoes the text between the tags in upper case, with chatter around it, one word per streamed chunk. */
    function fakeBackend(contextSize: number, calls: ChatMessage[][]): RewriteBackend {
        return {
            contextSize,
            countTokens: async (texts) => texts.map((t) => t.split(/\s+/).filter(Boolean).length),
            chat: async (messages, _maxTokens, onText, signal) => {
                calls.push(messages);
                const last = messages[messages.length - 1]!.text;
                const body = /<text>\n([\s\S]*)\n<\/text>/.exec(last)?.[1] ?? messages[2]?.text ?? "";
                const answer = `Sure! Here is the text:\n${body.trim().toUpperCase()}\n\nI made the following changes: none.`;
                let sent = "";
                for (const word of answer.split(/(?<= )/)) {
                    if (signal?.aborted) return { text: sent, stopReason: "cancelled" };
                    sent += word;
                    onText(word);
                    await Promise.resolve();
                }
                return { text: answer, stopReason: "eos" };
            },
        };
    }

    it("budgets a third of the context left after the instructions per part", () => {
        assert.equal(partBudget(1024, 100), Math.floor((1024 - 100 - 48) / 3));
        assert.equal(answerBudget(1024, 500, 100), 264);
        assert.equal(answerBudget(600, 500, 100), 52);
    });

    it("rewrites a short text in one part, cleaned, with CRLF kept", async () => {
        const calls: ChatMessage[][] = [];
        const previews: string[] = [];
        const r = await rewriteText({
            request: { kind: "improve", languageId: "plaintext" },
            text: "  hello world\r\nsecond line\r\n",
            backend: fakeBackend(4096, calls),
            onProgress: (p) => previews.push(p.preview),
        });
        assert.equal(r.text, "  HELLO WORLD\r\nSECOND LINE\r\n");
        assert.equal(r.parts, 1);
        assert.equal(calls.length, 1);
        assert.ok(previews.length > 3, "the preview streams");
        assert.equal(previews.at(-1), r.text);
    });

    it("polishes a long text piecewise with progress and joins the parts", async () => {
        const calls: ChatMessage[][] = [];
        const parts: string[] = [];
        const paragraphs = Array.from({ length: 6 }, (_, i) => `paragraph ${i} ${"word ".repeat(60).trim()}.`);
        const text = paragraphs.join("\n\n");
        const r = await rewriteText({
            request: { kind: "grammar", languageId: "markdown" },
            text,
            backend: fakeBackend(512, calls),
            onProgress: (p) => parts.push(`${p.part}/${p.parts}`),
        });
        assert.ok(r.parts > 1, `expected several parts, got ${r.parts}`);
        assert.equal(calls.length, r.parts);
        assert.equal(r.text, text.toUpperCase());
        assert.ok(parts.includes(`2/${r.parts}`));
    });

    it("stops when cancelled and returns nothing to apply", async () => {
        const controller = new AbortController();
        const backend = fakeBackend(4096, []);
        const r = await rewriteText({
            request: { kind: "improve", languageId: "plaintext" },
            text: "one two three four five six",
            backend,
            signal: controller.signal,
            onProgress: (p) => { if (p.preview.length > 0) controller.abort(); },
        });
        assert.equal(r.cancelled, true);
        assert.equal(r.text, "");
    });
});
