/**
 * A team sharing one server: 8 simulated editors (each its own ServerBackend, as 8 VS Code windows would have),
 * each typing (an inline completion through /infill on every pause) and now and then asking the chat, all against
 * one llama-server. Run once with 8 parallel slots and once with 1 (requests queue): reports requests per second and
 * latency percentiles per kind, the sizing hint in the README's team-server section. Every request must succeed.
 *
 * The figures depend on the model and the machine: here a tiny fixture model on a shared 2-core CPU, so they
 * show the server's scheduling, not what a GPU serving a 32B model does. HEARTH_LOAD_SECONDS sets the duration.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CompletionSession, type CompletionDocument } from "../../src/completion/completionEngine";
import { ServerBackend } from "../../src/serverClient/serverBackend";
import { fixture, REPO_ROOT } from "../helpers/fixtures";
import { startLlamaServer } from "../helpers/llamaServer";

const CLIENTS = 8;
const SECONDS = Number(process.env.HEARTH_LOAD_SECONDS ?? 15);
const MODEL = fixture("stories260K-chat-fim.derived.gguf");

function percentile(values: number[], p: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

interface LoadResult {
    slots: number;
    seconds: number;
    requests: number;
    errors: string[];
    completionMs: number[];
    chatMs: number[];
    chatFirstTokenMs: number[];
    /** Answers each editor got: completions and chat replies. */
    answered: { completions: number; chats: number }[];
}

/**
 * One editor: types through a source file, a completion per pause (through the provider's CompletionSession, which
 * measures the model's characters per token first), a chat question after its first completion and every 4th one after.
 * The first question is asked even when the time is up, so every editor asks the chat at least once, however slow
 * the machine (with a question after the 4th completion, a CI run with 1 slot served 3.2 s completions and some
 * editors never reached their 4th).
 */
async function editor(url: string, id: number, until: number, out: LoadResult): Promise<void> {
    const backend = new ServerBackend({ config: () => ({ url, model: "", contextSize: 0 }) });
    try {
        const model = await backend.ready();
        const session = new CompletionSession(backend, { debounceMs: () => 0 });
        const text = fs.readFileSync(path.join(REPO_ROOT, "src", "core", "completion", "promptLayout.ts"), "utf8");
        let offset = 800 + id * 300;
        for (let n = 0; performance.now() < until; n++) {
            offset += 7;
            const doc: CompletionDocument = { text, offset, languageId: "typescript", fileName: "src/core/completion/promptLayout.ts" };
            const started = performance.now();
            try {
                const s = await session.suggest(`editor-${id}`, model, doc, { maxTokens: 16, timeBudgetMs: 10_000, skipCache: true });
                assert.ok(s?.result && s.result.stopReason !== "cancelled");
                out.completionMs.push(performance.now() - started);
                out.answered[id]!.completions++;
            } catch (err) {
                out.errors.push(`completion: ${String(err)}`);
            }
            out.requests++;
            if (n % 4 === 0 && (n === 0 || performance.now() < until)) {
                const chatStarted = performance.now();
                let first = 0;
                try {
                    const r = await backend.chat({ messages: [{ role: "user", text: `Editor ${id}, question ${n}: tell me a short story.` }], maxTokens: 64, sampling: { temperature: 0.8, seed: id * 100 + n } }, {
                        onText: () => { first ||= performance.now(); },
                    });
                    assert.ok(r.tokens > 0);
                    out.chatMs.push(performance.now() - chatStarted);
                    out.chatFirstTokenMs.push((first || performance.now()) - chatStarted);
                    out.answered[id]!.chats++;
                } catch (err) {
                    out.errors.push(`chat: ${String(err)}`);
                }
                out.requests++;
            }
        }
    } finally {
        backend.dispose();
    }
}

async function run(slots: number): Promise<LoadResult> {
    // Each slot gets 1024 tokens of context; two threads (this machine's cores) for the whole server.
    const server = await startLlamaServer({ model: MODEL, contextSize: 1024 * slots, parallel: slots, threads: 2 });
    const out: LoadResult = { slots, seconds: 0, requests: 0, errors: [], completionMs: [], chatMs: [], chatFirstTokenMs: [],
        answered: Array.from({ length: CLIENTS }, () => ({ completions: 0, chats: 0 })) };
    try {
        const started = performance.now();
        const until = started + SECONDS * 1000;
        await Promise.all(Array.from({ length: CLIENTS }, (_, i) => editor(server.url, i, until, out)));
        out.seconds = (performance.now() - started) / 1000;
    } finally {
        await server.stop();
    }
    return out;
}

describe("8 editors sharing one llama-server", function () {
    this.timeout(SECONDS * 2 * 1000 + 120_000);

    it("parallel slots serve every request; requests/s and latency percentiles with 8 slots and with 1", async () => {
        const results = [await run(8), await run(1)];
        const f = (n: number) => n.toFixed(0).padStart(6);
        console.log(`      ${CLIENTS} editors, ${SECONDS} s each run, model ${path.basename(MODEL)}, llama-server 2 threads`);
        console.log("      slots  req/s  completions p50/p95 ms   chat p50/p95 ms   chat first token p95 ms");
        for (const r of results) {
            console.log(`      ${String(r.slots).padStart(5)} ${(r.requests / r.seconds).toFixed(1).padStart(6)}   `
                + `${f(percentile(r.completionMs, 50))} ${f(percentile(r.completionMs, 95))}          `
                + `${f(percentile(r.chatMs, 50))} ${f(percentile(r.chatMs, 95))}   ${f(percentile(r.chatFirstTokenMs, 95))}`);
        }
        fs.mkdirSync(path.join(REPO_ROOT, ".cache"), { recursive: true });
        fs.writeFileSync(path.join(REPO_ROOT, ".cache", "server-load.json"), JSON.stringify(results.map((r) => ({
            slots: r.slots, clients: CLIENTS, seconds: r.seconds, requestsPerSecond: r.requests / r.seconds, errors: r.errors.length,
            completionP50: percentile(r.completionMs, 50), completionP95: percentile(r.completionMs, 95),
            chatP50: percentile(r.chatMs, 50), chatP95: percentile(r.chatMs, 95), chatFirstTokenP95: percentile(r.chatFirstTokenMs, 95),
        })), null, 2));
        for (const r of results) {
            assert.deepEqual(r.errors, [], `${r.slots} slot(s): every request succeeds`);
            assert.ok(r.answered.every((a) => a.completions >= 1 && a.chats >= 1), `${r.slots} slot(s): every editor got completions and a chat answer: ${JSON.stringify(r.answered)}`);
        }
    });
});
