import * as assert from "node:assert/strict";
import { chunkCode } from "../../src/core/knowledge/chunkCode";
import { chunkPages, chunkText, fileKind } from "../../src/core/knowledge/chunking";
import { chunkProse, splitLines } from "../../src/core/knowledge/chunkProse";
import { CHUNK_MAX_TOKENS } from "../../src/core/knowledge/chunkTypes";
import { estimateTokens } from "../../src/core/knowledge/tokenize";

/** The text of lines [start, end] of `text` (1-based inclusive), as the chunk should cite them. */
function linesOf(text: string, start: number, end: number): string {
    return splitLines(text).slice(start - 1, end).join("\n");
}

const para = (word: string, n: number): string => Array.from({ length: n }, (_, i) => `${word} sentence number ${i} goes on a little.`).join(" ");

describe("knowledge chunking: prose", () => {
    it("starts a chunk at every heading and keeps heading paths", () => {
        const text = ["# Guide", "", "Intro paragraph.", "", "## Install", "", "Run the installer.", "", "## Use", "", "Open the panel."].join("\n");
        const chunks = chunkProse(text);
        assert.deepEqual(chunks.map((c) => c.heading), ["Guide", "Guide › Install", "Guide › Use"]);
        assert.deepEqual(chunks.map((c) => [c.startLine, c.endLine]), [[1, 3], [5, 7], [9, 11]]);
        assert.ok(chunks[1]!.text.startsWith("## Install"));
    });

    it("ends chunks at paragraph boundaries and cites the right lines", () => {
        const paragraphs = Array.from({ length: 12 }, (_, i) => `Paragraph ${i}: ${para("p" + i, 6)}`);
        const text = paragraphs.join("\n\n");
        const chunks = chunkProse(text);
        assert.ok(chunks.length > 2, `expected several chunks, got ${chunks.length}`);
        for (const chunk of chunks) {
            assert.ok(chunk.text.startsWith("Paragraph "), "a chunk starts at a paragraph");
            assert.equal(chunk.text.replace(/\n\n/g, "\n"), linesOf(text, chunk.startLine, chunk.endLine).replace(/\n\n/g, "\n"));
        }
        // Every paragraph is in exactly one chunk.
        for (let i = 0; i < 12; i++) assert.equal(chunks.filter((c) => c.text.includes(`Paragraph ${i}:`)).length, 1);
    });

    it("handles CRLF and lone CR line ends with the same line numbers as LF", () => {
        const lf = "# Title\n\nFirst paragraph.\n\n## Part\n\nSecond.";
        const crlf = lf.replace(/\n/g, "\r\n");
        assert.deepEqual(chunkProse(crlf), chunkProse(lf));
        assert.deepEqual(chunkProse(lf.replace(/\n/g, "\r")), chunkProse(lf));
        assert.ok(!chunkProse(crlf).some((c) => c.text.includes("\r")));
    });

    it("cuts a long Chinese paragraph at sentence ends (。！？), every piece citing its line", () => {
        const sentence = "学而时习之，不亦说乎？有朋自远方来，不亦乐乎？人不知而不愠，不亦君子乎。";
        const text = `第一章 学而\n\n${sentence.repeat(40)}\n\n结尾一句。`;
        const chunks = chunkProse(text);
        assert.ok(chunks.length >= 3);
        for (const chunk of chunks) assert.ok(estimateTokens(chunk.text) <= CHUNK_MAX_TOKENS, `chunk of ${estimateTokens(chunk.text)} tokens`);
        const middle = chunks.filter((c) => c.startLine === 3);
        assert.ok(middle.length >= 2, "the long line was cut into several chunks");
        for (const c of middle.slice(0, -1)) assert.match(c.text, /[。？]$/, "cut after a sentence end");
        assert.equal(chunks[0]!.heading, "第一章 学而", "a Chinese chapter line is a heading");
        assert.equal(chunks.map((c) => c.text).join("").replace(/\n/g, ""), text.replace(/\n/g, ""), "nothing lost or repeated");
    });

    it("keeps fenced code blocks whole (blank lines inside do not split them)", () => {
        const text = "Intro.\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n\nAfter.";
        const chunks = chunkProse(text);
        assert.equal(chunks.length, 1);
        assert.match(chunks[0]!.text, /const a = 1;\n\nconst b = 2;/);
    });

    it("recognises setext headings and Gutenberg chapter lines", () => {
        const chunks = chunkProse(`Title\n=====\n\nText.\n\nCHAPTER IV.\n\nMore text.`);
        assert.deepEqual(chunks.map((c) => c.heading), ["Title", "CHAPTER IV."]);
    });
});

describe("knowledge chunking: code", () => {
    const ts = [
        'import * as fs from "node:fs";',
        'import * as path from "node:path";',
        "",
        "/** Reads the config. */",
        "export function readConfig(file: string): Config {",
        ...Array.from({ length: 40 }, (_, i) => `    const value${i} = compute(${i}, "some argument text that is long enough");`),
        "    return parse(file);",
        "}",
        "",
        "// Writes it back.",
        "export async function writeConfig(file: string, config: Config): Promise<void> {",
        ...Array.from({ length: 40 }, (_, i) => `    await step${i}(config, "another fairly long argument string here");`),
        "}",
        "",
        "class Store {",
        "    get(key: string) { return this.map.get(key); }",
        "}",
    ].join("\n");

    it("cuts at declarations and attaches the comment above each one", () => {
        const chunks = chunkCode(ts);
        const read = chunks.find((c) => c.text.includes("export function readConfig"))!;
        const write = chunks.find((c) => c.text.includes("export async function writeConfig"))!;
        assert.notEqual(read, write, "two large functions are two chunks");
        assert.ok(write.text.startsWith("// Writes it back."), "the comment goes with its function");
        assert.equal(write.heading, "export async function writeConfig(file: string, config: Config): Promise<void>");
        for (const chunk of chunks) assert.equal(chunk.text, linesOf(ts, chunk.startLine, chunk.endLine));
        assert.ok(!chunks.some((c) => c.text.includes("writeConfig") && c.text.includes("readConfig(file: string)")));
    });

    it("works for Python (def/class) with CRLF", () => {
        const py = ["import os", "", "def load(path):", ...Array.from({ length: 60 }, (_, i) => `    x${i} = os.path.join(path, "a fairly long file name number ${i}")`), "    return x0", "", "class Loader:", "    def run(self):", "        return load('.')"].join("\r\n");
        const chunks = chunkText(py, "code");
        const cls = chunks.find((c) => c.text.includes("class Loader"))!;
        assert.ok(cls.text.startsWith("class Loader") || !cls.text.includes("def load(path)"));
        assert.equal(cls.endLine, splitLines(py).length);
        assert.ok(!chunks.some((c) => c.text.includes("\r")));
    });

    it("splits a huge declaration at its nested declarations and keeps every chunk bounded", () => {
        const methods = Array.from({ length: 30 }, (_, i) => [`    method${i}(input: string): string {`, ...Array.from({ length: 8 }, (_, j) => `        input = transform${j}(input, "argument ${i}-${j}");`), "        return input;", "    }"].join("\n"));
        const code = `export class Big {\n${methods.join("\n\n")}\n}`;
        const chunks = chunkCode(code);
        assert.ok(chunks.length > 3);
        for (const chunk of chunks) {
            assert.ok(estimateTokens(chunk.text) <= CHUNK_MAX_TOKENS, `chunk of ${estimateTokens(chunk.text)} tokens`);
            assert.equal(chunk.text, linesOf(code, chunk.startLine, chunk.endLine));
        }
    });

    it("cuts a minified one-line file into bounded pieces", () => {
        const line = "var a=1;".repeat(5000);
        const chunks = chunkText(line, "code");
        assert.ok(chunks.length > 5);
        assert.ok(chunks.every((c) => c.startLine === 1 && estimateTokens(c.text) <= CHUNK_MAX_TOKENS * 2));
        assert.equal(chunks.map((c) => c.text).join(""), line);
    });
});

describe("knowledge chunking: kinds and pages", () => {
    it("chooses by extension", () => {
        assert.equal(fileKind("a/b/notes.md"), "prose");
        assert.equal(fileKind("README"), "prose");
        assert.equal(fileKind("x.TS"), "code");
        assert.equal(fileKind("report.PDF"), "pdf");
        assert.equal(fileKind("memo.docx"), "docx");
        assert.equal(fileKind("logo.png"), "binary");
        assert.equal(fileKind("model.gguf"), "binary");
    });

    it("gives PDF chunks their page numbers", () => {
        const chunks = chunkPages(["First page text.", "", "Third page: the answer."]);
        assert.deepEqual(chunks.map((c) => [c.page, c.text]), [[1, "First page text."], [3, "Third page: the answer."]]);
    });
});
