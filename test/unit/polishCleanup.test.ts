import * as assert from "node:assert/strict";
import { cleanRewrite, commonCommentPrefix } from "../../src/core/polish/cleanRewrite";

describe("polish output clean-up", () => {
    describe("preambles", () => {
        const original = "the cat sat on teh mat";
        const cases: [string, string][] = [
            ["Here is your text:\nThe cat sat on the mat.", "English 'Here is your text:'"],
            ["Sure! Here's the corrected version:\n\nThe cat sat on the mat.", "'Sure! Here's ...:' with a blank line"],
            ["Certainly.\nHere is the improved text:\nThe cat sat on the mat.", "two preamble lines"],
            ["Corrected text: The cat sat on the mat.", "label on the same line"],
            ["以下是润色后的文本：\nThe cat sat on the mat.", "Chinese 以下是润色后的文本："],
            ["好的，以下是修改后的版本：\n\nThe cat sat on the mat.", "Chinese 好的，…："],
            ["译文：The cat sat on the mat.", "Chinese label 译文："],
            ["Assistant: The cat sat on the mat.", "chat-template role label"],
            ["**Here is the revised text:**\n\nThe cat sat on the mat.", "a preamble in bold"],
            ["**Revised text:** The cat sat on the mat.", "a bold label on the same line"],
            ["Shorter version: The cat sat on the mat.", "'Shorter version:' label"],
            ["润色后的文本：The cat sat on the mat.", "Chinese label 润色后的文本："],
            ["<think>\nThe user wants a fix.\n</think>\n\nThe cat sat on the mat.", "a reasoning model's <think> block"],
        ];
        for (const [raw, name] of cases) {
            it(`strips ${name}`, () => assert.equal(cleanRewrite(raw, original), "The cat sat on the mat."));
        }

        it("keeps a first line that the original itself starts with", () => {
            const story = "Sure enough, the rain came.\nWe stayed inside.";
            assert.equal(cleanRewrite("Sure enough, the rain came.\nWe stayed in.", story), "Sure enough, the rain came.\nWe stayed in.");
        });

        it("does not strip a single-line answer that merely starts like a preamble", () => {
            assert.equal(cleanRewrite("Here is the plan.", "here is plan"), "Here is the plan.");
        });
    });

    describe("trailing commentary", () => {
        it("cuts 'I made the following changes' and everything after it", () => {
            const raw = "The cat sat on the mat.\n\nI made the following changes:\n- fixed 'teh'\n- added a period";
            assert.equal(cleanRewrite(raw, "the cat sat on teh mat"), "The cat sat on the mat.");
        });

        it("cuts a Note: paragraph after a horizontal rule", () => {
            const raw = "Short text.\n\n---\nNote: I removed the second sentence.";
            assert.equal(cleanRewrite(raw, "A short text. It has two sentences."), "Short text.");
        });

        it("cuts Chinese commentary", () => {
            const raw = "今天天气很好。\n\n我修改了标点符号。";
            assert.equal(cleanRewrite(raw, "今天天气很好"), "今天天气很好。");
        });

        it("keeps a paragraph of the text that looks like commentary when the original has it", () => {
            const original = "Intro.\n\nNote: bring water.";
            assert.equal(cleanRewrite("Introduction.\n\nNote: bring water.", original), "Introduction.\n\nNote: bring water.");
        });
    });

    describe("code fences", () => {
        it("removes fences around prose", () => {
            assert.equal(cleanRewrite("```\nThe cat sat on the mat.\n```", "the cat sat on teh mat"), "The cat sat on the mat.");
        });

        it("takes the fenced block out of 'preamble + fence + commentary'", () => {
            const raw = "Here's the improved code:\n```ts\nconst total = items.length;\n```\nThis version uses a clearer name.";
            assert.equal(cleanRewrite(raw, "const n = items.length;"), "const total = items.length;");
        });

        it("keeps fences when the selection itself was a fenced block", () => {
            const original = "```js\nlet x=1\n```";
            assert.equal(cleanRewrite("```js\nlet x = 1;\n```", original), "```js\nlet x = 1;\n```");
        });

        it("keeps a fenced block inside markdown prose", () => {
            const original = "Run this:\n\n```sh\nnpm test\n```\nthen check.";
            const raw = "Run the following command:\n\n```sh\nnpm test\n```\nThen check the output.";
            assert.equal(cleanRewrite(raw, original), raw);
        });
    });

    describe("whitespace, indentation and line endings", () => {
        it("keeps the original leading and trailing whitespace", () => {
            assert.equal(cleanRewrite("Better text.", "\n\n  bad text  \n\n"), "\n\n  Better text.  \n\n");
        });

        it("restores CRLF line endings for a CRLF original", () => {
            const original = "first line\r\nsecond line\r\n";
            assert.equal(cleanRewrite("First line.\nSecond line.", original), "First line.\r\nSecond line.\r\n");
        });

        it("uses the document's EOL when given, even for a single-line original", () => {
            assert.equal(cleanRewrite("One.\nTwo.", "one two", { eol: "\r\n" }), "One.\r\nTwo.");
        });

        it("normalises CRLF from the model to LF for an LF document", () => {
            assert.equal(cleanRewrite("A.\r\nB.", "a\nb"), "A.\nB.");
        });

        it("re-indents lines the model dedented", () => {
            const original = "    if (x) {\n        run();\n    }\n";
            const raw = "```\nif (x) {\n    start();\n}\n```";
            assert.equal(cleanRewrite(raw, original), "    if (x) {\n        start();\n    }\n");
        });

        it("keeps relative indentation the model kept", () => {
            const original = "  - item one\n    continued\n  - item two";
            assert.equal(cleanRewrite("- Item one\n  continued\n- Item two", original), "  - Item one\n    continued\n  - Item two");
        });

        it("restores comment markers the model dropped from a comment block", () => {
            const original = "    // this function add two number\n    // and return it";
            assert.equal(cleanRewrite("This function adds two numbers\nand returns the result.", original),
                "    // This function adds two numbers\n    // and returns the result.");
        });

        it("detects the common comment marker only when every line has it", () => {
            assert.equal(commonCommentPrefix("# a\n# b"), "#");
            assert.equal(commonCommentPrefix("// a\nb"), undefined);
            assert.equal(commonCommentPrefix("#Heading"), undefined);
        });
    });

    it("strips echoed <text> tags and wrapping quotes", () => {
        assert.equal(cleanRewrite("<text>\n\"The cat sat on the mat.\"\n</text>", "the cat sat on teh mat"), "The cat sat on the mat.");
    });

    it("shows nothing while a reasoning model is still thinking", () => {
        assert.equal(cleanRewrite("<think>\nLet me see", "text"), "");
    });

    it("returns an empty string when only chatter is left", () => {
        assert.equal(cleanRewrite("```\n```", "text"), "");
    });
});
