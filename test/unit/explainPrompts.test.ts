import * as assert from "node:assert/strict";
import {
    buildExplainDiagnosticPrompt,
    buildExplainErrorPrompt,
    buildFixMessages,
    explainDisplayText,
    lineWindow,
    numberLines,
    stripCodeTags,
    type CodeContext,
    type DiagnosticInfo,
} from "../../src/core/explain/explainPrompts";

const diagnostic: DiagnosticInfo = {
    message: "Type 'string' is not assignable to type 'number'.",
    source: "ts",
    code: 2322,
    severity: "error",
    line: 12,
    column: 7,
    endLine: 12,
};

const ctx: CodeContext = {
    fileName: "src/cart.ts",
    languageId: "typescript",
    code: "function total(items: Item[]) {\n    let sum = 0;\n    const n: number = \"x\";\n    return sum;\n}",
    startLine: 10,
    symbolName: "total",
};

describe("explain prompts", () => {
    it("carries the message, source, code, language and the surrounding code with the line marked", () => {
        const prompt = buildExplainDiagnosticPrompt(diagnostic, ctx);
        assert.ok(prompt.includes("Type 'string' is not assignable to type 'number'."));
        assert.ok(prompt.includes("(ts 2322)"));
        assert.ok(prompt.includes("typescript"));
        assert.ok(prompt.includes("src/cart.ts"));
        assert.ok(prompt.includes("(in total)"));
        assert.ok(prompt.includes(">12 |     const n: number = \"x\";"), prompt);
        assert.ok(prompt.includes(" 11 |     let sum = 0;"));
    });

    it("shows a short display text in the chat", () => {
        assert.equal(explainDisplayText(diagnostic, "src/cart.ts"), "Explain: ts: Type 'string' is not assignable to type 'number'. (src/cart.ts:12)");
    });

    it("asks Fix for the corrected code only, with line numbers relative to the snippet", () => {
        const [system, user] = buildFixMessages(diagnostic, ctx);
        assert.match(system!.text, /code only/);
        assert.ok(user!.text.includes("<code>\n" + ctx.code + "\n</code>"));
        assert.ok(user!.text.includes("line 3, column 7"), user!.text);
        assert.doesNotMatch(user!.text, /\d+ \| /, "no line-number gutter in the code to copy");
    });

    it("builds the Explain Error prompt with resolved snippets", () => {
        const prompt = buildExplainErrorPrompt("TypeError: x is undefined\n    at f (/w/src/a.js:3:1)", [
            { fileName: "src/a.js", languageId: "javascript", code: "a\nb\nc\nd", startLine: 1, line: 3 },
        ]);
        assert.ok(prompt.includes("TypeError: x is undefined"));
        assert.ok(prompt.includes("File `src/a.js`, javascript, lines 1-4"));
        assert.ok(prompt.includes(">3 | c"));
    });

    it("uses a fence longer than any backtick run in the code", () => {
        const prompt = buildExplainErrorPrompt("error with ``` inside", []);
        assert.ok(prompt.includes("````text\n"));
    });

    it("clamps the ±30-line window to the file", () => {
        assert.deepEqual(lineWindow(5, 100), { start: 0, end: 35 });
        assert.deepEqual(lineWindow(90, 100), { start: 60, end: 99 });
        assert.deepEqual(lineWindow(0, 1), { start: 0, end: 0 });
    });

    it("numbers lines with a marker and strips echoed code tags", () => {
        assert.equal(numberLines("a\r\nb", 9, 10), "  9 | a\n>10 | b");
        assert.equal(stripCodeTags("<code>\nx = 1\n</code>"), "x = 1");
    });
});
