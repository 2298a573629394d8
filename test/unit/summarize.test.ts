/**
 * Map-reduce summaries (src/core/summarize): every request fits the context, partial summaries are combined round
 * after round into one, references travel with them, cancel stops at once, Chinese documents get Chinese prompts.
 * The backend is a fake with a deterministic tokenizer (one token per 4 characters).
 */
import * as assert from "node:assert/strict";
import type { RewriteBackend } from "../../src/core/polish/rewritePipeline";
import { rangeLabel, summarizeDocument, type DocumentSection } from "../../src/core/summarize/mapReduce";
import type { ChatMessage } from "../../src/protocol/generation";

const tokens = (text: string) => Math.ceil(text.length / 4);

function fakeBackend(contextSize: number, answerWords = 30) {
    const requests: { messages: ChatMessage[]; maxTokens: number; size: number }[] = [];
    const backend: RewriteBackend = {
        contextSize,
        countTokens: async (texts) => texts.map(tokens),
        chat: async (messages, maxTokens, _onText, signal) => {
            // What a chat template adds: ~8 tokens per message, plus the generation prompt.
            const size = messages.reduce((n, m) => n + tokens(m.text) + 8, 4) + maxTokens;
            requests.push({ messages, maxTokens, size });
            if (signal?.aborted) return { text: "", stopReason: "cancelled" };
            return { text: `summary ${requests.length} `.repeat(answerWords).slice(0, maxTokens * 4), stopReason: "eos" };
        },
    };
    return { backend, requests };
}

function bigDocument(bytes: number): DocumentSection[] {
    const paragraph = "The committee reviewed the annual figures for the northern region and noted a rise in costs. ".repeat(6);
    const sections: DocumentSection[] = [];
    let size = 0;
    for (let page = 1; size < bytes; page++) {
        const text = `${paragraph}\n\n${paragraph}\n\n${paragraph}`;
        sections.push({ text, label: `p. ${page}` });
        size += text.length;
    }
    return sections;
}

describe("document summary by map-reduce", () => {
    it("summarises 2 MB through a 1,024-token context without a request over it", async () => {
        const { backend, requests } = fakeBackend(1024);
        const progress: string[] = [];
        const r = await summarizeDocument({
            title: "Annual report", sections: bigDocument(2_000_000), backend,
            onProgress: (p) => progress.push(`${p.phase}:${p.round}:${p.done}/${p.total}`),
        });
        assert.equal(r.cancelled, false);
        assert.ok(r.summary.length > 0);
        assert.ok(r.reduceRounds >= 2, `several reduce rounds (${r.reduceRounds})`);
        const largest = Math.max(...requests.map((q) => q.size));
        assert.ok(largest <= 1024, `largest request ${largest} tokens`);
        assert.ok(r.largestRequestTokens <= 1024);
        assert.equal(r.requests, requests.length);
        assert.ok(progress.includes(`map:0:0/${progress.find((p) => p.startsWith("map"))!.split("/")[1]}`));
        assert.match(progress.at(-1)!, /^reduce:\d+:1\/1$/, "ends with one final reduce");
        // The last request asks for the final shape, the earlier reduces for compact partials.
        assert.match(requests.at(-1)!.messages[0]!.text, /one-sentence overview/);
        assert.match(requests.at(-2)!.messages[0]!.text, /combined with others|one-sentence overview/);
    });

    it("keeps page references on the partial summaries", async () => {
        const { backend, requests } = fakeBackend(1024);
        await summarizeDocument({ title: "Report", sections: bigDocument(20_000), backend });
        const firstReduce = requests.find((q) => /combine partial summaries/.test(q.messages[0]!.text))!;
        assert.match(firstReduce.messages[1]!.text, /\[p\. 1(–\d+)?\]/);
        assert.equal(rangeLabel(["p. 3", "p. 4", "p. 5"]), "p. 3–5");
        assert.equal(rangeLabel(["lines 1–40", "lines 41–80"]), "lines 1–40 – lines 41–80");
    });

    it("a short document still gets one final summary request", async () => {
        const { backend, requests } = fakeBackend(2048);
        const r = await summarizeDocument({ title: "Note", sections: [{ text: "Buy milk. Call Anna about the trip." }], backend });
        assert.equal(requests.length, 2, "one map, one final reduce");
        assert.equal(r.reduceRounds, 1);
    });

    it("stops at once when cancelled", async () => {
        const { backend, requests } = fakeBackend(1024);
        const controller = new AbortController();
        const counting: RewriteBackend = {
            ...backend,
            chat: async (...args) => {
                if (requests.length === 3) controller.abort();
                return backend.chat(...args);
            },
        };
        const r = await summarizeDocument({ title: "Report", sections: bigDocument(200_000), backend: counting, signal: controller.signal });
        assert.equal(r.cancelled, true);
        assert.equal(requests.length, 4, "no request after the cancelled one");
    });

    it("writes Chinese prompts for a Chinese document", async () => {
        const { backend, requests } = fakeBackend(2048);
        await summarizeDocument({ title: "年度报告", sections: [{ text: "委员会审查了北方地区的年度数据，注意到成本上升。".repeat(20) }], backend });
        assert.match(requests[0]!.messages[0]!.text, /Simplified Chinese/);
    });

    it("refuses a context too small to summarise, saying what to change", async () => {
        const { backend } = fakeBackend(256);
        await assert.rejects(summarizeDocument({ title: "Report", sections: bigDocument(10_000), backend }), /hearth\.contextSize/);
    });
});
