/**
 * History survives the engine being killed mid-answer and the host going away mid-answer: one real chat turn
 * (src/chat/chatTurn.ts) against the real engine process, with the chat store on disk.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import { runChatTurn } from "../../src/chat/chatTurn";
import type { EmbeddedBackend } from "../../src/engineClient/embeddedBackend";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import { embeddedBackend, newEngineProcess, overrideBackend, testLoadParams } from "../helpers/embedded";
import { fixture } from "../helpers/fixtures";

describe("chat turn: stop, engine kill -9, host gone", function () {
    this.timeout(120_000);
    let engine: EngineProcess;
    let backend: EmbeddedBackend;
    let dir: string;
    beforeEach(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-chat-crash-"));
        engine = newEngineProcess();
        backend = embeddedBackend(engine, testLoadParams(fixture("stories260K-chat-fim.derived.gguf")));
        await backend.ready();
    });
    afterEach(() => {
        backend.dispose();
        engine.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    function newTurn(): { conversation: Conversation; answer: ChatMessageRecord } {
        const answer: ChatMessageRecord = { id: "a1", role: "assistant", text: "", status: "streaming", createdAt: 2 };
        const conversation: Conversation = {
            id: "c1", title: "story", createdAt: 1, updatedAt: 1,
            messages: [{ id: "u1", role: "user", text: "Tell me a very long story about a girl and her dog.", status: "complete", createdAt: 1 }, answer],
        };
        return { conversation, answer };
    }

    /** Runs a turn and calls `interrupt` once the answer has text and that text has reached the disk. */
    async function turnInterruptedAfterPersist(store: ConversationStore, interrupt: (controller: AbortController) => void, seed: number) {
        const { conversation, answer } = newTurn();
        await store.save(conversation);
        const controller = new AbortController();
        let interrupted = false;
        let snapshot: string | undefined;
        const file = store.fileOf(conversation.id);
        const outcome = runChatTurn({
            backend: overrideBackend(backend, { chat: (p, o) => backend.chat({ ...p, sampling: { temperature: 0.9, seed } }, o) }),
            store, conversation, answer, memory: {},
            systemPrompt: "", maxTokens: 1500, temperature: 0.9, signal: controller.signal, persistIntervalMs: 20,
            onDelta: () => {
                if (interrupted || answer.text.length < 80) return;
                const onDisk = JSON.parse(fs.readFileSync(file, "utf8")) as Conversation;
                if (!onDisk.messages[1]?.text) return;
                interrupted = true;
                snapshot = fs.readFileSync(file, "utf8");
                interrupt(controller);
            },
        });
        await outcome;
        return { conversation, answer, interrupted, snapshot };
    }

    it("kill -9 of the engine mid-answer keeps the partial answer, marked interrupted, on disk", async () => {
        const store = new ConversationStore(dir);
        let run: Awaited<ReturnType<typeof turnInterruptedAfterPersist>> | undefined;
        // The tiny model sometimes ends its story early; try a few seeds until one is killed mid-answer.
        for (let seed = 1; seed <= 5 && !run?.interrupted; seed++) {
            run = await turnInterruptedAfterPersist(store, () => process.kill(engine.pid!, "SIGKILL"), seed);
            if (!run.interrupted) await store.delete("c1");
        }
        assert.ok(run?.interrupted, "every answer finished before it could be interrupted");
        assert.equal(run.answer.status, "interrupted");
        assert.ok(run.answer.text.length >= 80);
        assert.match(run.answer.error ?? "", /killed|exited/);
        await store.flush();
        const loaded = await new ConversationStore(dir).load();
        const saved = loaded.conversations[0]!.messages[1]!;
        assert.equal(saved.status, "interrupted");
        assert.equal(saved.text, run.answer.text);

        // The host dying at that same moment (window reload, VS Code killed) leaves the periodic snapshot:
        // it loads with the partial text, marked interrupted.
        const hostDir = path.join(dir, "host-gone");
        fs.mkdirSync(hostDir);
        fs.writeFileSync(path.join(hostDir, "chat-c1.json"), run.snapshot!);
        const afterReload = await new ConversationStore(hostDir).load();
        const m = afterReload.conversations[0]!.messages[1]!;
        assert.equal(m.status, "interrupted");
        assert.ok(m.text.length > 0 && run.answer.text.startsWith(m.text), "the snapshot holds a prefix of the answer");
        console.log(`      killed after ${run.answer.text.length} chars; a reload at that moment keeps ${m.text.length} chars`);

        // The engine restarts on the next request, and the backend loads the model again.
        assert.equal(backend.model, undefined, "the crash made the backend forget the model");
        const again = await backend.ready();
        assert.equal(again.id, fixture("stories260K-chat-fim.derived.gguf"));
        assert.notEqual(engine.pid, undefined);
    });

    it("Stop ends the answer at once and keeps the partial text, marked stopped", async () => {
        const store = new ConversationStore(dir);
        let run: Awaited<ReturnType<typeof turnInterruptedAfterPersist>> | undefined;
        let stoppedAt = 0;
        for (let seed = 1; seed <= 5 && !run?.interrupted; seed++) {
            run = await turnInterruptedAfterPersist(store, (c) => { stoppedAt = performance.now(); c.abort(); }, seed);
        }
        const stopMs = performance.now() - stoppedAt;
        assert.ok(run?.interrupted);
        assert.equal(run.answer.status, "stopped");
        assert.ok(run.answer.text.length >= 80);
        assert.ok(stopMs < 1000, `stop took ${stopMs.toFixed(0)} ms`);
        const loaded = await new ConversationStore(dir).load();
        assert.equal(loaded.conversations[0]!.messages[1]!.status, "stopped");
        assert.equal(loaded.conversations[0]!.messages[1]!.text, run.answer.text);
    });
});
