import * as assert from "node:assert/strict";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { extractChunks, looksLikeText } from "../../src/core/knowledge/extract";
import { makeDocx } from "../helpers/docxWriter";
import { tempDir } from "../helpers/knowledgeFiles";
import { makePdf } from "../helpers/pdfWriter";

describe("knowledge extraction: PDF, DOCX, text encodings, binary files", function () {
    this.timeout(30_000);
    let dir: string;
    before(async () => {
        dir = await tempDir("extract");
    });

    it("PDF: text per page with page numbers (PDF.js)", async () => {
        const file = path.join(dir, "report.pdf");
        await fs.writeFile(file, makePdf([["Annual report", "Introduction."], ["Revenue grew in the second quarter."], [], ["Appendix: the harbour survey."]]));
        const result = await extractChunks(file);
        assert.ok("chunks" in result, JSON.stringify(result));
        assert.deepEqual(result.chunks.map((c) => c.page), [1, 2, 4]);
        assert.match(result.chunks[1]!.text, /Revenue grew/);
        assert.equal(result.chunks[0]!.startLine, 1);
    });

    it("DOCX: paragraphs (mammoth)", async () => {
        const file = path.join(dir, "memo.docx");
        await fs.writeFile(file, await makeDocx(["Memo about the lighthouse", "会议纪要：灯塔的维护预算。", "Second paragraph."]));
        const result = await extractChunks(file);
        assert.ok("chunks" in result, JSON.stringify(result));
        const text = result.chunks.map((c) => c.text).join("\n");
        assert.match(text, /Memo about the lighthouse/);
        assert.match(text, /灯塔的维护预算/);
    });

    it("a damaged PDF or DOCX is reported as unreadable, not thrown", async () => {
        const pdf = path.join(dir, "broken.pdf");
        await fs.writeFile(pdf, "%PDF-1.4 this is not really a pdf");
        const docx = path.join(dir, "broken.docx");
        await fs.writeFile(docx, "not a zip");
        for (const file of [pdf, docx]) {
            const result = await extractChunks(file);
            assert.ok("skipped" in result && result.skipped === "unreadable", `${file}: ${JSON.stringify(result)}`);
        }
    });

    it("text: UTF-8 with BOM and UTF-16 are decoded; a file with NUL bytes is skipped as binary", async () => {
        const bom = path.join(dir, "bom.txt");
        await fs.writeFile(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("héllo 你好")]));
        const utf16 = path.join(dir, "utf16.txt");
        await fs.writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("wide text 宽字符", "utf16le")]));
        const binary = path.join(dir, "data.bin2");
        await fs.writeFile(binary, Buffer.from([1, 2, 0, 4, 5, 0, 0, 7]));
        const a = await extractChunks(bom);
        const b = await extractChunks(utf16);
        assert.ok("chunks" in a && "chunks" in b);
        assert.equal(a.chunks[0]!.text, "héllo 你好");
        assert.equal(b.chunks[0]!.text, "wide text 宽字符");
        const c = await extractChunks(binary);
        assert.ok("skipped" in c && c.skipped === "binary");
        assert.ok("skipped" in (await extractChunks(path.join(dir, "photo.png"))), "images are skipped by extension without reading");
        assert.ok(!looksLikeText(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d])));
        assert.ok(looksLikeText(Buffer.from("plain ascii\n")));
    });
});
