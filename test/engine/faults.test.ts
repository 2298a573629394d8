/**
 * Fault injection (issue 15): SIGKILL of the real engine process while it loads a model, streams a chat answer,
 * polishes a selection and completes code. Each time every request pending at that moment settles within 2 s with
 * the message that says what happened, nothing already saved is lost, and the next request restarts the engine.
 * Requests go through the product's own layers (EmbeddedBackend, runChatTurn + ConversationStore, the rewrite
 * pipeline, the completion session), not through raw engine calls.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runChatTurn } from "../../src/chat/chatTurn";
import { CompletionSession } from "../../src/completion/completionEngine";
import { EngineEmbedder } from "../../src/engineClient/engineEmbedder";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import { rewriteText } from "../../src/core/polish/rewritePipeline";
import type { EmbeddedBackend } from "../../src/engineClient/embeddedBackend";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import { EngineError } from "../../src/protocol/engineProtocol";
import { rewriteBackend } from "../../src/review/rewriteBackend";
import { embeddedBackend, newEngineProcess, testLoadParams } from "../helpers/embedded";
import { KILLED_MESSAGE, killAndSettle, type Settled } from "../helpers/faults";
import { fixture, REPO_ROOT } from "../helpers/fixtures";
import { ensureRandomGguf, type RandomGgufSpec } from "../helpers/ggufWriter";
import { assertFinished } from "../helpers/answerStatus";
import { ensureRandomBert } from "../helpers/randomBert";

const CACHE_DIR = path.join(REPO_ROOT, ".cache", "test-models");

/** A FIM model that never emits end-of-generation: a long request is still running when the kill lands. */
const ENDLESS_FIM: RandomGgufSpec = {
    name: "faults-fim", layers: 2, embedding: 64, heads: 4, headsKv: 2, feedForward: 128, contextLength: 2048,
    vocab: { kind: "synthetic" }, fim: "append", neverGenerate: "eog", tensorType: "Q8_0", seed: 15,
};

/** Every pending request was rejected with the engine-killed error, within the limit (checked by killAndSettle). */
function assertAllLostToKill(settled: Settled[]): void {
    for (const s of settled) {
        assert.equal(s.outcome, "rejected", `${s.name} resolved after the kill`);
        assert.ok(s.error instanceof EngineError, `${s.name}: ${String(s.error)}`);
        assert.equal(s.error.code, "engineCrashed", `${s.name}: ${s.error.message}`);
        assert.match(s.error.message, KILLED_MESSAGE, s.name);
    }
}

function report(what: string, settled: Settled[]): void {
    console.log(`      ${what}: ${settled.map((s) => `${s.name} settled in ${s.ms.toFixed(0)} ms`).join(", ")}`);
}

describe("faults: SIGKILL of the engine with requests pending", function () {
    this.timeout(120_000);
    let engine: EngineProcess;
    let backend: EmbeddedBackend;
    let modelPath: string;
    let dir: string;

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-faults-"));
        modelPath = fixture("stories260K-chat-fim.derived.gguf");
        engine = newEngineProcess();
        backend = embeddedBackend(engine, () => testLoadParams(modelPath, 1024));
    });
    afterEach(() => {
        backend.dispose();
        engine.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The next request after a kill starts a new engine process and answers. */
    async function assertRestartsOnNextRequest(killedPid: number): Promise<void> {
        assert.equal(backend.model, undefined, "the backend still claims a loaded model after the kill");
        const r = await backend.complete({ sequence: "completion", prompt: "Once upon a time", maxTokens: 8, sampling: { temperature: 0 } });
        assert.ok(r.tokens > 0, "the request after the kill generated nothing");
        assert.ok(engine.pid && engine.pid !== killedPid, `no new engine process (was ${killedPid}, now ${engine.pid})`);
    }

    it("while the engine starts: ready() and the chat waiting on it settle", async () => {
        const starting = backend.ready();
        const chat = backend.chat({ messages: [{ role: "user", text: "Hi" }], maxTokens: 8 });
        assert.equal(engine.state.kind, "starting");
        const { pid, settled } = await killAndSettle(engine, { ready: starting, chat });
        for (const s of settled) {
            assert.equal(s.outcome, "rejected", s.name);
            assert.ok(s.error instanceof EngineError && s.error.code === "engineCrashed", `${s.name}: ${String(s.error)}`);
            assert.match(s.error.message, /killed \(SIGKILL\) while starting/);
        }
        report("kill while starting", settled);
        await assertRestartsOnNextRequest(pid);
    });

    it("while loading the model: the load, a chat and a completion waiting for it settle", async () => {
        await engine.start();
        // The first progress event is sent before the engine creates its llama.cpp backend (0.5-1 s here).
        let sawProgress = false;
        const sub = backend.onDidChangeState((s) => { if (s.kind === "loading") sawProgress = true; });
        const ready = backend.ready();
        const chat = backend.chat({ messages: [{ role: "user", text: "Hi" }], maxTokens: 8 });
        const complete = backend.complete({ sequence: "completion", prompt: "Once", maxTokens: 8 });
        while (!sawProgress) await new Promise((r) => setTimeout(r, 1));
        sub.dispose();
        const { pid, settled } = await killAndSettle(engine, { ready, chat, complete });
        assertAllLostToKill(settled);
        assert.equal(backend.state.kind, "error");
        report("kill while loading", settled);
        await assertRestartsOnNextRequest(pid);
    });

    it("while a chat answer streams: the turn ends interrupted with its partial text, earlier turns intact on disk", async () => {
        const store = new ConversationStore(dir);
        const earlier: ChatMessageRecord[] = [
            { id: "u0", role: "user", text: "Who is Lily?", status: "complete", createdAt: 1 },
            { id: "a0", role: "assistant", text: "Lily is a little girl who loves her dog.", status: "complete", createdAt: 2 },
        ];
        const answer: ChatMessageRecord = { id: "a1", role: "assistant", text: "", status: "streaming", createdAt: 4 };
        const conversation: Conversation = {
            id: "faults", title: "Lily", createdAt: 1, updatedAt: 1,
            messages: [...earlier, { id: "u1", role: "user", text: "Tell me a long story about her dog.", status: "complete", createdAt: 3 }, answer],
        };
        await backend.ready();
        let killNow!: () => void;
        const streaming = new Promise<void>((resolve) => (killNow = resolve));
        const turn = runChatTurn({
            backend, store, conversation, answer, memory: {}, systemPrompt: "", maxTokens: 900, temperature: 0,
            signal: new AbortController().signal, persistIntervalMs: 20,
            onDelta: () => { if (answer.text.length >= 40) killNow(); },
        });
        // A completion and a token count in flight at the same moment, on the other sequence.
        await streaming;
        const completion = backend.infill({ extraContext: "", prefix: "def add(a, b):\n    ", suffix: "\n", currentLinePrefix: "    ", maxTokens: 900 });
        const { pid, settled } = await killAndSettle(engine, { "chat turn": turn, completion });
        report("kill while a chat streams", settled);
        assert.equal(settled[0]!.outcome, "resolved", "the chat turn records the failure in the answer instead of throwing");
        assertAllLostToKill(settled.slice(1));
        assert.equal(answer.status, "interrupted");
        assert.match(answer.error ?? "", KILLED_MESSAGE);
        assert.ok(answer.text.length >= 40, "the partial answer was dropped");

        const loaded = await new ConversationStore(dir).load();
        assert.deepEqual(loaded.problems, []);
        const saved = loaded.conversations.find((c) => c.id === "faults");
        assert.ok(saved, "the conversation is missing on disk");
        assert.deepEqual(saved.messages.slice(0, 2), earlier, "earlier turns changed on disk");
        assert.equal(saved.messages[3]!.status, "interrupted");
        assert.equal(saved.messages[3]!.text, answer.text, "the partial answer on disk differs from the one shown");

        // The next turn restarts the engine and answers.
        const next: ChatMessageRecord = { id: "a2", role: "assistant", text: "", status: "streaming", createdAt: 6 };
        conversation.messages.push({ id: "u2", role: "user", text: "And then?", status: "complete", createdAt: 5 }, next);
        await runChatTurn({
            backend, store, conversation, answer: next, memory: {}, systemPrompt: "", maxTokens: 16, temperature: 0,
            signal: new AbortController().signal, onDelta: () => undefined,
        });
        assertFinished(next, 16, "the next turn");
        assert.ok(engine.pid && engine.pid !== pid, "the next turn did not run on a new engine process");
    });

    it("while polishing: the rewrite rejects with the message, the next polish runs on a new engine", async () => {
        const text = Array.from({ length: 6 }, (_, i) => `Paragraph ${i + 1}: the cat sat on teh mat and it was very very happy.`).join("\n\n");
        const rewrite = (onProgress?: () => void) => rewriteBackend(backend).then((rb) => rewriteText({
            request: { kind: "improve", languageId: "markdown" }, text, backend: rb, onProgress,
        }));
        let previews = 0;
        let killNow!: () => void;
        const streaming = new Promise<void>((resolve) => (killNow = resolve));
        const polishing = rewrite(() => { if (++previews === 3) killNow(); });
        await streaming;
        const { pid, settled } = await killAndSettle(engine, { polish: polishing });
        assertAllLostToKill(settled);
        report("kill while polishing", settled);

        const again = await rewrite();
        assert.equal(again.cancelled, false);
        assert.ok(again.text.trim().length > 0);
        assert.ok(engine.pid && engine.pid !== pid);
    });

    it("while completing: the suggestion request settles, the next one restarts the engine", async () => {
        modelPath = (await ensureRandomGguf(CACHE_DIR, ENDLESS_FIM)).path;
        const model = await backend.ready();
        assert.equal(model.capabilities.fim, true);
        const session = new CompletionSession(backend, { debounceMs: () => 0 });
        const doc = { text: "function add(a, b) {\n    \n}\n", offset: "function add(a, b) {\n    ".length, languageId: "typescript", fileName: "add.ts" };
        let killNow!: () => void;
        const streaming = new Promise<void>((resolve) => (killNow = resolve));
        const suggestion = session.suggest("add.ts", model, doc, { maxTokens: 1500, timeBudgetMs: 60_000, charsPerToken: 3, onPartial: () => killNow() });
        await streaming;
        const { pid, settled } = await killAndSettle(engine, { suggestion });
        assertAllLostToKill(settled);
        report("kill while completing", settled);

        const facts = await backend.ready();
        const next = await session.suggest("add.ts", facts, doc, { maxTokens: 4, timeBudgetMs: 10_000, charsPerToken: 3, skipCache: true });
        assert.ok(next?.result && next.result.tokens > 0, "the suggestion after the kill generated nothing");
        assert.ok(engine.pid && engine.pid !== pid);
    });

    it("while embedding (what the knowledge index asks the engine for): the batch settles, the next one restarts the engine", async () => {
        // The index builds its lexical part in its own worker thread without the engine; vectors come from here.
        const bert = await ensureRandomBert(CACHE_DIR);
        const embedder = new EngineEmbedder(engine, () => ({ modelPath: bert.path, threads: 1, gpu: "cpu" }));
        await embedder.embed(["warm up: the embedding model is loaded"]);
        const texts = Array.from({ length: 400 }, (_, i) => `Paragraph ${i} of a long document about lighthouses and their keepers, written for the index.`);
        const batch = embedder.embed(texts);
        await new Promise((r) => setTimeout(r, 50));
        const { pid, settled } = await killAndSettle(engine, { "embedding batch": batch });
        assertAllLostToKill(settled);
        report("kill while embedding", settled);
        const again = await embedder.embed(["after the restart"]);
        assert.equal(again.vectors.length, 1);
        assert.ok(engine.pid && engine.pid !== pid);
    });
});
