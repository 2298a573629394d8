import * as assert from "node:assert/strict";
import {
    buildExplainDiagnosticPrompt,
    buildExplainErrorPrompt,
    buildFixMessages,
    clipErrorText,
    exceptionLine,
    explainDisplayText,
    explainErrorSummary,
    snippetText,
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

    describe("Explain Error on a pasted trace", () => {
        const python = [
            "Traceback (most recent call last):",
            '  File "/srv/app/main.py", line 42, in <module>',
            "    run()",
            '  File "/srv/app/calc.py", line 7, in ratio',
            "    return a / b",
            "ZeroDivisionError: division by zero",
        ].join("\n");

        it("finds the exception line of Python, chained Python, JavaScript, Java and Rust errors", () => {
            assert.equal(exceptionLine(python), "ZeroDivisionError: division by zero");
            const chained = [
                "Traceback (most recent call last):", '  File "a.py", line 1, in <module>', "KeyError: 'x'", "",
                "During handling of the above exception, another exception occurred:", "",
                "Traceback (most recent call last):", '  File "a.py", line 3, in <module>', "ValueError: bad value",
            ].join("\n");
            assert.equal(exceptionLine(chained), "ValueError: bad value");
            assert.equal(exceptionLine("Traceback (most recent call last):\n  File \"a.py\", line 1\nKeyboardInterrupt"), "KeyboardInterrupt");
            assert.equal(exceptionLine("TypeError: x is undefined\n    at f (/w/src/a.js:3:1)"), "TypeError: x is undefined");
            assert.equal(exceptionLine('Exception in thread "main" java.lang.NullPointerException: boom\n\tat a.B.c(B.java:4)'),
                'Exception in thread "main" java.lang.NullPointerException: boom');
            assert.equal(exceptionLine("\nsomething odd happened\nmore"), "something odd happened");
        });

        it("states the error line in the prompt and keeps it when a long trace is clipped", () => {
            const prompt = buildExplainErrorPrompt(python, 2);
            assert.ok(prompt.includes("The error: ZeroDivisionError: division by zero"), prompt);
            assert.ok(prompt.includes("The attached code is from the workspace"), prompt);
            const frames = Array.from({ length: 400 }, (_, i) => `  File "/srv/app/m${i}.py", line ${i + 1}, in f${i}\n    f${i + 1}()`);
            const long = ["Traceback (most recent call last):", ...frames, "ZeroDivisionError: division by zero"].join("\n");
            assert.ok(long.length > 20_000);
            const clipped = clipErrorText(long);
            assert.ok(clipped.length <= 6000, `clipped to ${clipped.length}`);
            assert.ok(clipped.startsWith("Traceback (most recent call last):"));
            assert.ok(clipped.endsWith("ZeroDivisionError: division by zero"), clipped.slice(-200));
            assert.match(clipped, /… \(\d+ characters of the trace left out\) …/);
            const longPrompt = buildExplainErrorPrompt(long);
            assert.ok(longPrompt.includes("The error: ZeroDivisionError: division by zero"));
            // An error line at the start of a huge JavaScript trace stays too.
            const js = ["RangeError: Maximum call stack size exceeded", ...Array.from({ length: 2000 }, (_, i) => `    at f (/w/a.js:${i + 1}:1)`)].join("\n");
            assert.ok(clipErrorText(js).startsWith("RangeError: Maximum call stack size exceeded"));
        });

        it("shows the error line and the first workspace location, not the first lines of the trace", () => {
            assert.equal(explainErrorSummary(python, "calc.py:7"), "ZeroDivisionError: division by zero (calc.py:7)");
            assert.equal(explainErrorSummary(python), "ZeroDivisionError: division by zero");
        });

        it("attaches the code at a location numbered, with the referenced line marked", () => {
            assert.equal(snippetText({ fileName: "calc.py", languageId: "python", code: "def ratio(a, b):\n    return a / b", startLine: 6, line: 7 }),
                " 6 | def ratio(a, b):\n>7 |     return a / b");
        });
    });
});
