import * as assert from "node:assert/strict";
import { LexicalIndex } from "../../src/core/knowledge/lexicalIndex";
import { reciprocalRankFusion } from "../../src/core/knowledge/rankFusion";
import { estimateTokens, identifierParts, tokenize } from "../../src/core/knowledge/tokenize";

describe("knowledge tokenizer", () => {
    it("keeps code identifiers whole and splits camelCase, PascalCase, acronyms and snake_case", () => {
        assert.deepEqual(identifierParts("parseHTTPResponse"), ["parse", "HTTP", "Response"]);
        assert.deepEqual(identifierParts("max_file_size"), ["max", "file", "size"]);
        assert.deepEqual(identifierParts("utf8Decode"), ["utf", "8", "Decode"]);
        const terms = tokenize("const parseHttpResponse = MAX_FILE_SIZE;");
        for (const t of ["parsehttpresponse", "parse", "http", "response", "max_file_size", "max", "file", "size", "const"]) assert.ok(terms.includes(t), t);
    });

    it("drops English stop words, lower-cases", () => {
        assert.deepEqual(tokenize("What is the Index of THE file?"), ["index", "file"]);
    });

    it("segments Chinese into words plus Han character pairs, simplified and traditional", () => {
        const terms = tokenize("孔子说学习很重要");
        assert.ok(terms.includes("孔子"));
        assert.ok(terms.includes("学习"));
        assert.ok(terms.includes("重要"));
        const classical = tokenize("學而時習之");
        assert.ok(classical.includes("時習"), "pairs make classical text searchable even when cut into single characters");
        assert.ok(!tokenize("这是什么").includes("什么"), "question words are stop words");
    });

    it("handles mixed Chinese and code", () => {
        const terms = tokenize("调用 readConfig 读取配置文件");
        assert.ok(terms.includes("readconfig") && terms.includes("read") && terms.includes("config"));
        assert.ok(terms.includes("配置") || terms.includes("配置文件"));
    });

    it("estimates tokens: a Han character about one, Latin text about four characters", () => {
        assert.equal(estimateTokens("汉字汉字"), 4);
        assert.equal(estimateTokens("abcdefgh"), 2);
    });
});

describe("reciprocal rank fusion", () => {
    it("sums 1/(k+rank) over the lists", () => {
        const fused = reciprocalRankFusion([["a", "b", "c"], ["b", "c", "d"]], 60);
        assert.deepEqual(fused.map((f) => f.item), ["b", "c", "a", "d"]);
        assert.ok(Math.abs(fused[0]!.score - (1 / 62 + 1 / 61)) < 1e-12);
        assert.ok(Math.abs(fused[3]!.score - 1 / 63) < 1e-12);
    });

    it("an item ranked first by one list and absent from the other still ranks", () => {
        const fused = reciprocalRankFusion([["x"], []]);
        assert.deepEqual(fused.map((f) => f.item), ["x"]);
    });

    it("breaks ties by first appearance", () => {
        const fused = reciprocalRankFusion([["a", "b"], ["b", "a"]]);
        assert.deepEqual(fused.map((f) => f.item), ["a", "b"]);
    });
});

describe("lexical index: query terms", () => {
    it("drops terms found in most chunks when rarer terms are asked for, keeps the rarest when all are common", () => {
        const index = LexicalIndex.create();
        for (let i = 0; i < 400; i++) index.add({ id: i, text: `common filler words ${i % 4 ? "frequent" : ""} ${i === 7 || i === 9 ? "okapi" : ""}`, heading: "", path: `f${i}.md` });
        assert.deepEqual(index.queryTerms("common okapi"), ["okapi"]);
        assert.deepEqual(index.search("common okapi", 5).map((r) => r.id).sort(), [7, 9]);
        assert.deepEqual(index.queryTerms("common frequent").sort(), ["common", "frequent"], "all common: the rarest are kept");
        const small = LexicalIndex.create();
        for (let i = 0; i < 50; i++) small.add({ id: i, text: `common ${i === 3 ? "okapi" : ""}`, heading: "", path: "" });
        assert.deepEqual(small.queryTerms("common okapi").sort(), ["common", "okapi"], "a small index keeps every term");
    });
});
