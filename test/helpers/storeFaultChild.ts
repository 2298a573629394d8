/**
 * Child process for test/unit/historyDiskFaults.test.ts: runs a real chat turn (src/chat/chatTurn.ts with the real
 * ConversationStore) where the disk really fails — started inside a private mount namespace on a tiny tmpfs that it
 * fills up (ENOSPC), or as an unprivileged user in a folder it may not write (EACCES). Prints one JSON line: the
 * errors the turn reported, the files left in the folder, and what the chat file held before and after.
 *
 *   node storeFaultChild.js <dir> fill-disk|no-fill
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LlmBackend } from "../../src/backend/llmBackend";
import { runChatTurn } from "../../src/chat/chatTurn";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";

export interface StoreFaultReport {
    saveErrors: { code?: string; message: string }[];
    answerStatus: string;
    answerChars: number;
    filesAfter: string[];
    fileBefore: string;
    fileAfter: string;
    /** fill-disk only: after the filler is removed, the next save writes the whole chat. */
    afterSpaceFreed?: { saved: boolean; messages: number; lastText: string };
}

/** One saved conversation with an earlier turn: what must survive. */
export function savedConversation(): Conversation {
    return {
        id: "diskfault", title: "Earlier chat", createdAt: 1, updatedAt: 1,
        messages: [
            { id: "u0", role: "user", text: "What is a hearth?", status: "complete", createdAt: 1 },
            { id: "a0", role: "assistant", text: "The floor of a fireplace, and by extension the home.", status: "complete", createdAt: 2 },
        ],
    };
}

/** A backend that streams a 24 KB answer in 120 pieces: enough writes to fail many times. */
function streamingBackend(): LlmBackend {
    const model = {
        id: "stub", name: "stub", contextSize: 8192,
        capabilities: { fim: false, toolCalling: false, exactTokenCount: false },
        location: { kind: "server" as const, url: "http://127.0.0.1", host: "127.0.0.1" },
    };
    const piece = "The hearth keeps the house warm. ".repeat(6);
    return {
        kind: "embedded", state: { kind: "ready", model }, model,
        onDidChangeState: () => ({ dispose: () => undefined }),
        ready: async () => model,
        countTokens: async (texts) => ({ counts: texts.map((t) => Math.ceil(t.length / 4)), estimated: true }),
        chat: async (_params, options) => {
            let text = "";
            for (let i = 0; i < 120; i++) {
                text += piece;
                options?.onText?.(piece);
                await new Promise((r) => setTimeout(r, 2));
            }
            return {
                text, tokens: 120, promptTokens: 40, evaluatedPromptTokens: 40, stopReason: "eos",
                timeToFirstTokenMs: 1, totalMs: 300, tokensPerSecond: 400, contextUsed: 160, contextSize: 8192,
            };
        },
        complete: () => Promise.reject(new Error("unused")),
        infill: () => Promise.reject(new Error("unused")),
        listModels: async () => [],
    };
}

/** Writes a filler file until the file system says ENOSPC. */
function fillDisk(dir: string): string {
    const filler = path.join(dir, "filler");
    const fd = fs.openSync(filler, "w");
    const chunk = Buffer.alloc(4096, 1);
    try {
        for (;;) fs.writeSync(fd, chunk);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
    } finally {
        fs.closeSync(fd);
    }
    return filler;
}

async function main(dir: string, mode: string): Promise<void> {
    const store = new ConversationStore(dir);
    const conversation = (await store.load()).conversations.find((c) => c.id === "diskfault") ?? savedConversation();
    if (mode === "fill-disk") await store.save(conversation);
    const file = store.fileOf(conversation.id);
    const fileBefore = fs.readFileSync(file, "utf8");
    const filler = mode === "fill-disk" ? fillDisk(dir) : undefined;

    const answer: ChatMessageRecord = { id: "a1", role: "assistant", text: "", status: "streaming", createdAt: 4 };
    conversation.messages.push({ id: "u1", role: "user", text: "Tell me more.", status: "complete", createdAt: 3 }, answer);
    const saveErrors: StoreFaultReport["saveErrors"] = [];
    await runChatTurn({
        backend: streamingBackend(), store, conversation, answer, memory: {}, systemPrompt: "", maxTokens: 512, temperature: 0,
        signal: new AbortController().signal, persistIntervalMs: 0, onDelta: () => undefined,
        onSaveError: (err) => saveErrors.push({ code: (err as NodeJS.ErrnoException).code, message: String((err as Error).message) }),
    });
    await store.flush().catch(() => undefined);
    const report: StoreFaultReport = {
        saveErrors, answerStatus: answer.status, answerChars: answer.text.length,
        filesAfter: fs.readdirSync(dir).sort(), fileBefore, fileAfter: fs.readFileSync(file, "utf8"),
    };
    if (filler) {
        fs.rmSync(filler);
        const saved = await store.save(conversation).then(() => true, () => false);
        const reloaded = (await new ConversationStore(dir).load()).conversations.find((c) => c.id === conversation.id);
        report.afterSpaceFreed = { saved, messages: reloaded?.messages.length ?? 0, lastText: reloaded?.messages.at(-1)?.text ?? "" };
    }
    process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (require.main === module) {
    const [dir, mode] = process.argv.slice(2);
    main(dir!, mode ?? "no-fill").catch((err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(2);
    });
}
