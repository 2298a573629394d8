import * as assert from "node:assert/strict";
import { planChunks, splitLines, splitParagraphs, splitSentences } from "../../src/core/polish/splitText";

/** A stand-in tokenizer: one token per word (the real one is tested against the engine). */
const countWords = async (texts: string[]) => texts.map((t) => t.split(/\s+/).filter(Boolean).length);

describe("polish paragraph splitting", () => {
    it("splits at blank lines, keeping separators so the pieces join back exactly", () => {
        const text = "First para\nline two.\n\n\nSecond para.\r\n\r\nThird.\n";
        const pieces = splitParagraphs(text);
        assert.deepEqual(pieces, ["First para\nline two.\n\n\n", "Second para.\r\n\r\n", "Third.\n"]);
        assert.equal(pieces.join(""), text);
    });

    it("never splits a fenced code block at its blank lines", () => {
        const text = "Intro.\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n\nOutro.";
        const pieces = splitParagraphs(text);
        assert.deepEqual(pieces, ["Intro.\n\n", "```js\nconst a = 1;\n\nconst b = 2;\n```\n\n", "Outro."]);
    });

    it("keeps leading blank lines with the first paragraph", () => {
        assert.deepEqual(splitParagraphs("\n\nA.\n\nB."), ["\n\nA.\n\n", "B."]);
    });

    it("splits sentences in English and Chinese", () => {
        assert.deepEqual(splitSentences("One. Two! Three?"), ["One. ", "Two! ", "Three?"]);
        assert.deepEqual(splitSentences("今天很好。明天下雨！"), ["今天很好。", "明天下雨！"]);
    });

    it("returns the text whole when it fits the budget", async () => {
        assert.deepEqual(await planChunks("a b c\n\nd e", 10, countWords), ["a b c\n\nd e"]);
    });

    it("groups paragraphs greedily within the budget", async () => {
        const paras = ["w1 w2 w3\n\n", "w4 w5\n\n", "w6 w7 w8 w9\n\n", "w10"];
        const chunks = await planChunks(paras.join(""), 5, countWords);
        assert.deepEqual(chunks, [paras[0]! + paras[1]!, paras[2]! + paras[3]!]);
    });

    it("splits an oversized paragraph at lines, then sentences, and still joins back exactly", async () => {
        const long = "s1 a b. s2 c d. s3 e f.\nline two g h i.\n\nshort";
        const chunks = await planChunks(long, 4, countWords);
        assert.equal(chunks.join(""), long);
        for (const c of chunks) assert.ok((await countWords([c]))[0]! <= 4, `chunk over budget: ${JSON.stringify(c)}`);
        assert.ok(chunks.length >= 4);
    });

    it("keeps an oversized paragraph's parts apart from its neighbours, so paragraph breaks stay part boundaries", async () => {
        const text = "a b.\n\nc d e. f g h.\n\ni j.";
        const chunks = await planChunks(text, 4, countWords);
        assert.deepEqual(chunks, ["a b.\n\n", "c d e. ", "f g h.\n\n", "i j."]);
    });

    it("keeps blank lines with the line before them when splitting lines", () => {
        assert.deepEqual(splitLines("one\n\ntwo\nthree\n"), ["one\n\n", "two\n", "three\n"]);
    });

    it("cuts an unbreakable run of text into even slices as a last resort", async () => {
        const blob = "x".repeat(100);
        const perChar = async (texts: string[]) => texts.map((t) => t.length);
        const chunks = await planChunks(blob, 30, perChar);
        assert.equal(chunks.join(""), blob);
        assert.ok(chunks.every((c) => c.length <= 30));
    });
});
