/**
 * Load (issue 15): 1,000 inline-completion requests through the product's CompletionSession (latest-wins, as the
 * inline provider uses it), typed a keystroke at a time with random cancellation, while a chat answer streams on the
 * other sequence of the same engine. No request is left pending, neither process warns about leaking listeners
 * (MaxListenersExceededWarning, AbortSignal/EventTarget listeners), and the engine's RSS after a full GC at request
 * 1,000 is within 10% of its RSS at request 100.
 */
import * as assert from "node:assert/strict";
import { CompletionSession } from "../../src/completion/completionEngine";
import type { EmbeddedBackend } from "../../src/engineClient/embeddedBackend";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { embeddedBackend, testLoadParams } from "../helpers/embedded";
import { ENGINE_PATH, fixture } from "../helpers/fixtures";
import { seededRandom } from "../helpers/ggufMutate";

const REQUESTS = 1000;
/** A request that has not settled this long after it was started is stuck. */
const STUCK_MS = 30_000;
const LEAK_WARNING = /MaxListenersExceeded|memory leak|listeners added/i;

describe("load: 1,000 cancelled and superseded completions while a chat streams", function () {
    this.timeout(600_000);
    let engine: EngineProcess;
    let backend: EmbeddedBackend;
    const engineWarnings: string[] = [];
    const hostWarnings: string[] = [];
    const onWarning = (w: Error) => hostWarnings.push(`${w.name}: ${w.message}`);

    before(async () => {
        process.on("warning", onWarning);
        engine = new EngineProcess({
            enginePath: ENGINE_PATH, execPath: process.execPath,
            // Node prints its warnings on the engine's stderr, which arrives here as "warn" lines.
            log: (level, message) => { if (level === "warn" || level === "error") engineWarnings.push(message); },
        });
        backend = embeddedBackend(engine, testLoadParams(fixture("stories260K-chat-fim.derived.gguf"), 1024));
        const model = await backend.ready();
        assert.equal(model.capabilities.fim, true);
    });
    after(() => {
        process.off("warning", onWarning);
        backend.dispose();
        engine.dispose();
    });

    it("the leak detector works: 11 listeners on one AbortSignal raise the warning it looks for", async () => {
        const canary = new AbortController();
        for (let i = 0; i < 11; i++) canary.signal.addEventListener("abort", () => undefined);
        await new Promise((r) => setTimeout(r, 10));
        const seen = hostWarnings.filter((w) => LEAK_WARNING.test(w));
        assert.equal(seen.length, 1, `warnings: ${hostWarnings.join("; ")}`);
        hostWarnings.length = 0;
    });

    it("no stuck request, no listener-leak warning, engine RSS flat between request 100 and 1,000", async () => {
        const rng = seededRandom(1000);
        const model = await backend.ready();
        const session = new CompletionSession(backend, { debounceMs: () => 0 });

        // The chat keeps streaming on its own sequence for the whole run.
        let chatting = true;
        let chatTurns = 0;
        let chatChars = 0;
        const chatController = new AbortController();
        const chat = (async () => {
            while (chatting) {
                const r = await backend.chat({ messages: [{ role: "user", text: "Tell me a long story." }], maxTokens: 300, sampling: { temperature: 0.8, seed: chatTurns } },
                    { signal: chatController.signal, onText: (t) => (chatChars += t.length) });
                chatTurns++;
                if (r.stopReason === "cancelled") break;
            }
        })();

        const prefix = "Once upon a time there was a little girl named Lily. She liked to";
        const pending = new Map<number, { started: number }>();
        const outcomes = { shown: 0, superseded: 0, cancelled: 0, failed: 0 };
        const settled: Promise<void>[] = [];
        const rss: Record<number, number> = {};
        let stuck: number[] = [];
        const started = performance.now();
        for (let i = 1; i <= REQUESTS; i++) {
            const typed = prefix + " play".repeat(1 + (i % 40)) + "abcdefghij".slice(0, i % 10);
            const doc = { text: `${typed}\n\nThe end.\n`, offset: typed.length, languageId: "markdown", fileName: "story.md" };
            const controller = new AbortController();
            pending.set(i, { started: performance.now() });
            const cancelAfter = rng() < 0.4 ? rng() * 30 : undefined;
            if (cancelAfter !== undefined) setTimeout(() => controller.abort(), cancelAfter);
            settled.push(session.suggest("story.md", model, doc, { maxTokens: 8, timeBudgetMs: 2000, charsPerToken: 3, signal: controller.signal, skipCache: true })
                .then((r) => {
                    if (r === undefined) outcomes[controller.signal.aborted ? "cancelled" : "superseded"]++;
                    else outcomes.shown++;
                }, () => { outcomes.failed++; })
                .finally(() => pending.delete(i)));
            // The next keystroke comes 0-25 ms later; every 5th request the user pauses until the answer is in.
            if (i % 5 === 0) await settled[settled.length - 1];
            else await new Promise((r) => setTimeout(r, rng() * 25));
            stuck = [...pending].filter(([, p]) => performance.now() - p.started > STUCK_MS).map(([id]) => id);
            assert.deepEqual(stuck, [], `requests ${stuck.join(", ")} have been pending for more than ${STUCK_MS / 1000} s`);
            if (i === 100 || i === REQUESTS) {
                await Promise.all(settled);
                rss[i] = (await engine.request("stats", { collectGarbage: true })).rssBytes;
            }
        }
        await Promise.all(settled);
        const seconds = (performance.now() - started) / 1000;
        chatting = false;
        chatController.abort();
        await chat;

        const drift = (rss[REQUESTS]! - rss[100]!) / rss[100]!;
        const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
        console.log(`      ${REQUESTS} requests in ${seconds.toFixed(1)} s (${JSON.stringify(outcomes)}), chat streamed ${chatChars} chars in ${chatTurns} turn(s); `
            + `engine RSS after GC: request 100 ${mib(rss[100]!)} MiB, request ${REQUESTS} ${mib(rss[REQUESTS]!)} MiB (${(drift * 100).toFixed(1)}%)`);
        assert.equal(pending.size, 0, `${pending.size} requests never settled`);
        assert.equal(outcomes.failed, 0, "a completion request failed");
        assert.equal(outcomes.shown + outcomes.superseded + outcomes.cancelled, REQUESTS);
        assert.ok(chatTurns >= 1 && chatChars > 0, "the chat did not stream during the run");
        assert.ok(outcomes.shown >= REQUESTS / 10 && outcomes.cancelled > 0 && outcomes.superseded > 0, JSON.stringify(outcomes));
        assert.deepEqual(session.scheduler.stats.maxInFlight, 1);
        assert.deepEqual(hostWarnings.filter((w) => LEAK_WARNING.test(w)), [], "listener-leak warning in the host");
        assert.deepEqual(engineWarnings.filter((w) => LEAK_WARNING.test(w)), [], "listener-leak warning in the engine");
        assert.ok(Math.abs(drift) <= 0.10, `engine RSS drifted ${(drift * 100).toFixed(1)}% between request 100 and ${REQUESTS}`);
    });
});
