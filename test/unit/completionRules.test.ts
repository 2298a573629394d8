import * as assert from "node:assert/strict";
import { LatestOnlyScheduler } from "../../src/core/completion/latestOnlyScheduler";
import {
    bracketDelta,
    processSuggestion,
    repeatsTextAfterCursor,
    stripLineSuffixOverlap,
    trimToBalanced,
    type SuggestionContext,
} from "../../src/core/completion/postprocess";
import { SuggestionCache } from "../../src/core/completion/suggestionCache";

function code(currentLinePrefix: string, lineSuffix = "", followingText = ""): SuggestionContext {
    return { currentLinePrefix, lineSuffix, followingText, mode: "code" };
}

describe("completion quality rules", () => {
    it("drops a suggestion that only repeats the text after the cursor", () => {
        const ctx = code("    ", "", "    return total;\n}\n");
        assert.equal(processSuggestion("return total;", ctx).text, "");
        assert.equal(processSuggestion("return   total;\n", ctx).text, "");
        assert.ok(repeatsTextAfterCursor("x", { lineSuffix: "x)", followingText: "" }));
        assert.equal(processSuggestion("total += 1;", ctx).text, "total += 1;");
    });

    it("mid-line: one line, without a trailing copy of the rest of the line", () => {
        const ctx = code("    print(", ")", "");
        assert.equal(processSuggestion("a, b)\nmore()", ctx).text, "a, b");
        assert.equal(processSuggestion("a, b)", ctx).complete, false);
        assert.equal(stripLineSuffixOverlap("x, y);", ");"), "x, y");
        assert.equal(stripLineSuffixOverlap("value", ")"), "value");
    });

    it("stops at a line indented less than the cursor's line (the suffix closes the block)", () => {
        const ctx = code("    ", "", "}\n");
        const r = processSuggestion("total += x;\n    count++;\n}\n\nfunction next() {", ctx);
        assert.equal(r.text, "total += x;\n    count++;");
        assert.equal(r.complete, true);
    });

    it("keeps a block it opens itself and stops at the first blank line after it", () => {
        const ctx = code("function add(a, b) {", "", "");
        const raw = "\n    const s = a + b;\n    return s;\n}\n\nfunction sub(a, b) {\n    return a - b;\n}\n";
        assert.equal(processSuggestion(raw, ctx).text, "\n    const s = a + b;\n    return s;\n}");
        const top = code("", "", "");
        assert.equal(processSuggestion("if (x) {\n    y();\n}\n\nz();", top).text, "if (x) {\n    y();\n}");
        // Inside its own unfinished block a blank line does not stop it.
        assert.equal(processSuggestion("if (x) {\n    y();\n\n    z();\n}", top).text, "if (x) {\n    y();\n\n    z();\n}");
    });

    it("stops where the model starts re-typing the suffix's next line", () => {
        const ctx = code("    const a = 1;", "", "    return a;\n}\n");
        const r = processSuggestion("\n    const b = 2;\n    return a;\n}", ctx);
        assert.equal(r.text, "\n    const b = 2;");
    });

    it("trims a multi-line suggestion cut by the budget back to balanced brackets", () => {
        assert.equal(trimToBalanced("a();\nif (x) {\n    y();", { mode: "code" }), "a();");
        assert.equal(trimToBalanced("if (x) {\n    y();", { mode: "code" }), "if (x) {");
        assert.equal(trimToBalanced("a();\nb();", { mode: "code" }), "a();\nb();");
        assert.equal(processSuggestion("foo();\nbar(1,\n  2", code("")).text, "foo();");
        assert.equal(bracketDelta("call(\"(\", ')') // (("), 0);
        assert.equal(bracketDelta("{ [ ("), 3);
    });

    it("while streaming, judges finished lines only and reports when the text is final", () => {
        const ctx = code("    ", "", "}\n");
        const partial = processSuggestion("total += x;\n    cou", ctx, false);
        assert.equal(partial.complete, false);
        assert.equal(partial.text, "total += x;\n    cou");
        const done = processSuggestion("total += x;\n}\n", ctx, false);
        assert.equal(done.complete, true);
        assert.equal(done.text, "total += x;");
    });

    it("prose: one line, whitespace-only suggestions dropped", () => {
        const ctx: SuggestionContext = { currentLinePrefix: "The fox", lineSuffix: "", followingText: "", mode: "prose" };
        assert.equal(processSuggestion(" jumps over the dog.\nNext paragraph", ctx).text, " jumps over the dog.");
        assert.equal(processSuggestion("   \n", ctx).text, "");
    });
});

describe("suggestion cache", () => {
    const before = "function add(a, b) {\n    return ";
    const after = "\n}\n";

    it("typing through a suggestion shows the rest without asking again", () => {
        const cache = new SuggestionCache();
        cache.put("doc", before + after, before.length, "a + b;");
        for (let typed = 0; typed < "a + b;".length; typed++) {
            const text = before + "a + b;".slice(0, typed) + after;
            const hit = cache.get("doc", text, before.length + typed);
            assert.ok(hit, `hit after typing ${typed} characters`);
            assert.equal(hit.text, "a + b;".slice(typed));
        }
        assert.equal(cache.get("doc", before + "a + b;" + after, before.length + 6), undefined, "fully typed: ask again");
    });

    it("the rest of an accepted part of a multi-line suggestion is instant", () => {
        const cache = new SuggestionCache();
        const suggestion = "a + b;\n    // done";
        cache.put("doc", before + after, before.length, suggestion);
        const acceptedLine = "a + b;\n";
        const hit = cache.get("doc", before + acceptedLine + after, before.length + acceptedLine.length);
        assert.equal(hit?.text, "    // done");
    });

    it("misses when the user typed something else, edited after the cursor or is in another document", () => {
        const cache = new SuggestionCache();
        cache.put("doc", before + after, before.length, "a + b;");
        assert.equal(cache.get("doc", before + "b" + after, before.length + 1), undefined);
        assert.equal(cache.get("doc", before + "a" + "\n};\n", before.length + 1), undefined);
        assert.equal(cache.get("other", before + after, before.length), undefined);
        cache.clear("doc");
        assert.equal(cache.get("doc", before + after, before.length), undefined);
    });

    it("is bounded", () => {
        const cache = new SuggestionCache(4);
        for (let i = 0; i < 10; i++) cache.put("doc", `x${i}`, 2, "y");
        assert.equal(cache.size, 4);
    });
});

describe("latest-only scheduler (cancellation bookkeeping)", () => {
    function deferredRun() {
        const runs: { signal: AbortSignal; resolve(v: string): void; settled: boolean }[] = [];
        const run = (signal: AbortSignal) => new Promise<string>((resolve) => {
            const r = { signal, resolve: (v: string) => { r.settled = true; resolve(v); }, settled: false };
            runs.push(r);
            // A well-behaved engine answers soon after the abort (with what it had).
            signal.addEventListener("abort", () => setTimeout(() => r.resolve("partial"), 5), { once: true });
        });
        return { runs, run };
    }

    async function until(cond: () => boolean, ms = 2000) {
        const end = Date.now() + ms;
        while (!cond()) {
            if (Date.now() > end) throw new Error("condition not met in time");
            await new Promise((r) => setTimeout(r, 2));
        }
    }

    it("requests superseded while debouncing never start", async () => {
        const s = new LatestOnlyScheduler(() => 30);
        const { runs, run } = deferredRun();
        const first = s.schedule(run);
        const second = s.schedule(run);
        const third = s.schedule(run);
        await until(() => runs.length === 1);
        runs[0]!.resolve("answer");
        assert.equal(await first, undefined);
        assert.equal(await second, undefined);
        assert.equal(await third, "answer");
        assert.equal(s.stats.started, 1);
        assert.equal(s.stats.droppedBeforeStart, 2);
    });

    it("a running request is aborted by the next one, which starts only after it settled", async () => {
        const aborts: number[] = [];
        const s = new LatestOnlyScheduler(() => 0, { onAbortRunning: (id) => aborts.push(id) });
        const { runs, run } = deferredRun();
        const first = s.schedule(run);
        await until(() => runs.length === 1);
        const second = s.schedule(run);
        assert.equal(runs[0]!.signal.aborted, true);
        assert.equal(runs.length, 1, "the second waits for the first to settle");
        assert.equal(await first, undefined, "a superseded answer is dropped");
        await until(() => runs.length === 2);
        assert.equal(runs[0]!.settled, true);
        runs[1]!.resolve("fresh");
        assert.equal(await second, "fresh");
        assert.deepEqual(aborts, [1]);
        assert.equal(s.stats.maxInFlight, 1);
        assert.equal(s.stats.abortedWhileRunning, 1);
    });

    it("an external cancellation (VS Code's token) aborts the run", async () => {
        const s = new LatestOnlyScheduler(() => 0);
        const { runs, run } = deferredRun();
        const controller = new AbortController();
        const p = s.schedule(run, controller.signal);
        await until(() => runs.length === 1);
        controller.abort();
        assert.equal(await p, undefined);
        assert.equal(runs[0]!.signal.aborted, true);
        const pre = new AbortController();
        pre.abort();
        assert.equal(await s.schedule(run, pre.signal), undefined);
        assert.equal(runs.length, 1);
    });

    it("failures of the current request propagate; of superseded ones do not", async () => {
        const s = new LatestOnlyScheduler(() => 0);
        await assert.rejects(s.schedule(async () => { throw new Error("engine down"); }), /engine down/);
        assert.equal(s.stats.failed, 1);
    });
});
