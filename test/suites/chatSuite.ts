/**
 * Chat turns (src/chat/chatTurn.ts) on each backend with the chat store on disk: Stop, the model's process killed
 * mid-answer (the engine process, or llama-server), the host going away mid-answer, and Explain Error's prompt
 * streaming into a turn. Run by test/engine/chatCrash.test.ts (embedded engine) and test/server/backends.test.ts
 * (llama-server). The backend's model must have a chat template.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { LlmBackend } from "../../src/backend/llmBackend";
import { runChatTurn } from "../../src/chat/chatTurn";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import { buildExplainErrorPrompt } from "../../src/core/explain/explainPrompts";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import { assertFinished } from "../helpers/answerStatus";
import { overrideBackend } from "../helpers/embedded";

export interface ChatTurnSetup {
    backend: LlmBackend;
    /** An empty folder for this test's chat store. */
    dir: string;
    /** Kills the process that runs the model (SIGKILL). */
    kill(): void;
    /** What the interrupted answer's error says after the kill. */
    killedError: RegExp;
    /** Checks what the backend does after the kill (the engine restarts; a server is forgotten). */
    afterKill(): Promise<void>;
}

export function chatTurnTests(setup: () => ChatTurnSetup): void {
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
            backend: overrideBackend(setup().backend, { chat: (p, o) => setup().backend.chat({ ...p, sampling: { temperature: 0.9, seed } }, o) }),
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

    it("kill -9 of the model's process mid-answer keeps the partial answer, marked interrupted, on disk", async () => {
        const { dir } = setup();
        const store = new ConversationStore(dir);
        let run: Awaited<ReturnType<typeof turnInterruptedAfterPersist>> | undefined;
        // The tiny model sometimes ends its story early; try a few seeds until one is killed mid-answer.
        for (let seed = 1; seed <= 5 && !run?.interrupted; seed++) {
            run = await turnInterruptedAfterPersist(store, () => setup().kill(), seed);
            if (!run.interrupted) await store.delete("c1");
        }
        assert.ok(run?.interrupted, "every answer finished before it could be interrupted");
        assert.equal(run.answer.status, "interrupted");
        assert.ok(run.answer.text.length >= 80);
        assert.match(run.answer.error ?? "", setup().killedError);
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

        await setup().afterKill();
    });

    it("Stop ends the answer at once and keeps the partial text, marked stopped", async () => {
        const store = new ConversationStore(setup().dir);
        let run: Awaited<ReturnType<typeof turnInterruptedAfterPersist>> | undefined;
        let stoppedAt = 0;
        for (let seed = 1; seed <= 5 && !run?.interrupted; seed++) {
            run = await turnInterruptedAfterPersist(store, (c) => { stoppedAt = performance.now(); c.abort(); }, seed);
        }
        const stopMs = performance.now() - stoppedAt;
        console.log(`      the answer ended and was saved ${stopMs.toFixed(0)} ms after Stop`);
        assert.ok(run?.interrupted);
        assert.equal(run.answer.status, "stopped");
        assert.ok(run.answer.text.length >= 80);
        assert.ok(stopMs < 1000, `stop took ${stopMs.toFixed(0)} ms`);
        const loaded = await new ConversationStore(setup().dir).load();
        assert.equal(loaded.conversations[0]!.messages[1]!.status, "stopped");
        assert.equal(loaded.conversations[0]!.messages[1]!.text, run.answer.text);
    });

    it("Explain Error's prompt streams an answer into a chat turn, saved finished (complete, or cut at its allowance)", async () => {
        const store = new ConversationStore(setup().dir);
        const error = "TypeError: Cannot read properties of undefined (reading 'length')\n    at count (src/count.ts:3:17)";
        const prompt = buildExplainErrorPrompt(error, [{ fileName: "src/count.ts", languageId: "typescript", startLine: 1, code: "export function count(xs) {\n    // xs may be undefined\n    return xs.length;\n}", line: 3 }]);
        const { conversation, answer } = newTurn();
        conversation.messages[0]!.text = prompt;
        let streamed = "";
        let answerTokens = 0;
        const watched = overrideBackend(setup().backend, { chat: (p, o) => { answerTokens = p.maxTokens; return setup().backend.chat(p, o); } });
        await runChatTurn({
            backend: watched, store, conversation, answer, memory: {}, systemPrompt: "", maxTokens: 96, temperature: 0.2,
            signal: new AbortController().signal, onDelta: (t) => (streamed += t),
        });
        assertFinished(answer, answerTokens, "the explanation");
        assert.ok(answer.text.trim().length > 0 && answer.text.startsWith(streamed.slice(0, 20)), "the answer streamed");
        assert.ok(answer.stats!.promptTokens > 40, `the whole prompt went in (${answer.stats!.promptTokens} tokens)`);
        const saved = (await new ConversationStore(setup().dir).load()).conversations[0]!.messages;
        assert.equal(saved[0]!.text, prompt);
        assert.equal(saved[1]!.status, answer.status, "saved as it ended");
    });
}
