import * as assert from "node:assert/strict";
import {
    budgetFor,
    commentLine,
    formatExtraContext,
    layoutPrompt,
    modeForLanguage,
    plainPrompt,
    PREFIX_ALIGN_LINES,
    prefixWindowStart,
    type CompletionDocument,
    type PromptBudget,
} from "../../src/core/completion/promptLayout";
import { completionEnablement, insideSelection, snoozeMinutesLeft, SNOOZE_MS } from "../../src/core/completion/enablement";
import { detectFimTokens, type FimTokenSource } from "../../src/core/completion/fimTokens";
import { SnippetRing, snippetAround } from "../../src/core/completion/snippetRing";

const SOURCE = Array.from({ length: 300 }, (_, i) => `function f${i}(x) {\n    return x + ${i};\n}\n`).join("");

/** The serialized FIM prompt, in the order the engine lays the tokens out. */
function fimOrder(doc: CompletionDocument, budget: PromptBudget): string {
    const l = layoutPrompt(doc, budget, [{ label: "lib/other.ts", text: "export const answer = 42;" }]);
    return `${l.extraContext}<PRE>${l.prefix}<SUF>${l.suffix}<MID>${l.currentLinePrefix}`;
}

function commonPrefixLength(a: string, b: string): number {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
}

describe("completion prompt layout", () => {
    const budget = budgetFor(2048, 96);

    it("a typed character changes only the tail after MID (FIM) and appends to the plain prompt", () => {
        const cursor = SOURCE.indexOf("return x + 200;") + "return x + ".length;
        const before: CompletionDocument = { text: SOURCE, offset: cursor, languageId: "typescript", fileName: "src/a.ts" };
        const typed = SOURCE.slice(0, cursor) + "1" + SOURCE.slice(cursor);
        const after: CompletionDocument = { ...before, text: typed, offset: cursor + 1 };
        const a = fimOrder(before, budget);
        const b = fimOrder(after, budget);
        const shared = commonPrefixLength(a, b);
        assert.equal(shared, a.length, "the old prompt is a prefix of the new one");
        assert.equal(b.slice(shared), "1");
        assert.ok(a.indexOf("<MID>") < shared);

        const pa = plainPrompt(layoutPrompt(before, budget));
        const pb = plainPrompt(layoutPrompt(after, budget));
        assert.equal(pb, `${pa}1`);
    });

    it("a new line moves the prefix window start only at aligned line numbers", () => {
        const small: PromptBudget = { extraChars: 0, prefixChars: 2000, suffixChars: 300 };
        const starts = new Set<number>();
        let text = SOURCE;
        let offset = SOURCE.indexOf("function f250");
        for (let i = 0; i < 10; i++) {
            const l = layoutPrompt({ text, offset }, small);
            starts.add(text.indexOf(l.prefix));
            text = `${text.slice(0, offset)}x();\n${text.slice(offset)}`;
            offset += 5;
        }
        assert.ok(starts.size <= 2, `the window start moved ${starts.size - 1} times over 10 new lines`);
        const start = prefixWindowStart(SOURCE, SOURCE.indexOf("function f250"), 2000);
        const lineNumber = SOURCE.slice(0, start).split("\n").length - 1;
        assert.equal(lineNumber % PREFIX_ALIGN_LINES, 0);
        assert.ok(SOURCE.indexOf("function f250") - start <= 2000);
    });

    it("a small window aligns finely and keeps most of its budget", () => {
        const lineStart = SOURCE.indexOf("function f250");
        const start = prefixWindowStart(SOURCE, lineStart, 400);
        assert.ok(lineStart - start >= 300 && lineStart - start <= 400, `kept ${lineStart - start} of 400 characters`);
    });

    it("respects the character budgets and cuts the suffix at a line end", () => {
        const offset = SOURCE.length / 2;
        const l = layoutPrompt({ text: SOURCE, offset }, { extraChars: 100, prefixChars: 500, suffixChars: 200 });
        assert.ok(l.prefix.length <= 500 && l.prefix.length > 0);
        assert.ok(l.suffix.length <= 200);
        assert.ok(l.suffix.endsWith("\n"));
        assert.ok(SOURCE.slice(0, offset).endsWith(l.prefix + l.currentLinePrefix));
        assert.ok(SOURCE.slice(offset).startsWith(l.suffix));
        assert.equal(l.lineSuffix + "\n" + l.followingText, l.suffix);
    });

    it("splits the cursor's line into before/after and picks code or prose", () => {
        const text = "# Title\n\nThe quick brown fox jumps\nover";
        const l = layoutPrompt({ text, offset: text.indexOf(" jumps"), languageId: "markdown" }, budget);
        assert.equal(l.currentLinePrefix, "The quick brown fox");
        assert.equal(l.lineSuffix, " jumps");
        assert.equal(l.followingText, "over");
        assert.equal(l.mode, "prose");
        assert.equal(modeForLanguage("python"), "code");
        assert.equal(modeForLanguage("plaintext"), "prose");
    });

    it("extra context: snippets in ring order as comments, newest kept within budget, then the file header", () => {
        const snippets = [
            { label: "old.py", text: "a = 1" },
            { label: "new.py", text: "b = 2" },
        ];
        const all = formatExtraContext(snippets, { languageId: "python", fileName: "main.py" }, 1000);
        assert.equal(all, "# old.py\na = 1\n\n# new.py\nb = 2\n\n# main.py\n");
        const tight = formatExtraContext(snippets, { languageId: "python", fileName: "main.py" }, 30);
        assert.equal(tight, "# new.py\nb = 2\n\n# main.py\n");
        assert.equal(commentLine("html", "x"), "<!-- x -->\n");
        assert.equal(commentLine("typescript", "a\nb"), "// a b\n");
    });

    it("budget leaves room for the answer and caps long prompts", () => {
        const b = budgetFor(2048, 96);
        const total = b.extraChars + b.prefixChars + b.suffixChars;
        assert.ok(total <= (2048 - 96) * 3);
        const big = budgetFor(32768, 96);
        assert.ok(big.prefixChars + big.suffixChars + big.extraChars <= 2048 * 3 + 3);
    });
});

describe("snippet ring", () => {
    it("keeps order when a snippet is refreshed, evicts the oldest, excludes the current file", () => {
        const ring = new SnippetRing(3);
        ring.upsert("file:a", "a.ts", "A1");
        ring.upsert("file:b", "b.ts", "B1");
        const v = ring.version;
        ring.upsert("file:a", "a.ts", "A1");
        assert.equal(ring.version, v, "same content: no change, the prompt stays cached");
        ring.upsert("file:a", "a.ts", "A2");
        assert.deepEqual(ring.snippets().map((s) => s.text), ["A2", "B1"]);
        ring.upsert("file:c", "c.ts", "C1");
        ring.upsert("file:d", "d.ts", "D1");
        assert.deepEqual(ring.snippets().map((s) => s.text), ["B1", "C1", "D1"]);
        assert.deepEqual(ring.snippets("file:c").map((s) => s.text), ["B1", "D1"]);
    });

    it("snippetAround takes whole lines around a line", () => {
        const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
        const s = snippetAround(text, 50, 10);
        assert.equal(s.split("\n").length, 10);
        assert.ok(s.includes("line 50"));
        assert.equal(snippetAround(text, 0, 4), "line 0\nline 1\nline 2\nline 3");
    });
});

describe("FIM token detection", () => {
    /** A toy tokenizer: known specials become one token when parsed, text is one token per character. */
    function fakeModel(specials: Record<string, number>, infill = { prefix: null, suffix: null, middle: null } as FimTokenSource["tokens"]["infill"]): FimTokenSource {
        return {
            tokens: { infill },
            tokenize(text, special) {
                if (special && text in specials) return [specials[text]!];
                return [...text].map((c) => c.charCodeAt(0));
            },
        };
    }

    it("prefers the model's own ids", () => {
        const fim = detectFimTokens(fakeModel({}, { prefix: 4, suffix: 5, middle: 6 }));
        assert.deepEqual(fim, { prefix: 4, suffix: 5, middle: 6, source: "model" });
    });

    it("finds Qwen, StarCoder and DeepSeek spellings in the vocabulary", () => {
        assert.deepEqual(detectFimTokens(fakeModel({ "<|fim_prefix|>": 10, "<|fim_suffix|>": 11, "<|fim_middle|>": 12 })),
            { prefix: 10, suffix: 11, middle: 12, source: "vocab:<|fim_prefix|>" });
        assert.equal(detectFimTokens(fakeModel({ "<fim_prefix>": 1, "<fim_suffix>": 3, "<fim_middle>": 2 }))?.suffix, 3);
        assert.equal(detectFimTokens(fakeModel({ "<｜fim▁begin｜>": 7, "<｜fim▁hole｜>": 8, "<｜fim▁end｜>": 9 }))?.middle, 9);
    });

    it("needs all three tokens, distinct", () => {
        assert.equal(detectFimTokens(fakeModel({ "<|fim_prefix|>": 10, "<|fim_suffix|>": 11 })), undefined);
        assert.equal(detectFimTokens(fakeModel({ "<|fim_prefix|>": 10, "<|fim_suffix|>": 10, "<|fim_middle|>": 10 })), undefined);
        assert.equal(detectFimTokens(fakeModel({})), undefined);
    });
});

describe("completion enablement", () => {
    const base = { enabled: true, languages: {}, languageId: "python", snoozedUntil: 0, now: 1_000_000 };

    it("setting, per-language override, wildcard, snooze", () => {
        assert.equal(completionEnablement(base), "on");
        assert.equal(completionEnablement({ ...base, enabled: false }), "off");
        assert.equal(completionEnablement({ ...base, languages: { python: false } }), "offForLanguage");
        assert.equal(completionEnablement({ ...base, enabled: false, languages: { python: true } }), "on");
        assert.equal(completionEnablement({ ...base, languages: { "*": false, python: true } }), "on");
        assert.equal(completionEnablement({ ...base, languageId: "markdown", languages: { "*": false } }), "offForLanguage");
        assert.equal(completionEnablement({ ...base, snoozedUntil: base.now + SNOOZE_MS }), "snoozed");
        assert.equal(completionEnablement({ ...base, snoozedUntil: base.now - 1 }), "on");
        assert.equal(snoozeMinutesLeft(base.now + SNOOZE_MS, base.now), 30);
        assert.equal(snoozeMinutesLeft(base.now + 61_000, base.now), 2);
    });
});

describe("never inside a selection", () => {
    it("a non-empty selection containing the cursor blocks suggestions; a bare cursor does not", () => {
        assert.equal(insideSelection([{ start: 10, end: 20 }], 15), true);
        assert.equal(insideSelection([{ start: 10, end: 20 }], 20), true, "the cursor at the selection's end");
        assert.equal(insideSelection([{ start: 20, end: 10 }], 10), true, "a backwards selection");
        assert.equal(insideSelection([{ start: 10, end: 20 }], 25), false);
        assert.equal(insideSelection([{ start: 15, end: 15 }], 15), false);
        assert.equal(insideSelection([{ start: 0, end: 0 }, { start: 30, end: 40 }], 35), true, "any of several cursors");
    });
});
