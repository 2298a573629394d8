/**
 * The chat history store: atomic writes survive a process killed mid-write (a real SIGKILL of a child process that
 * is rewriting a large chat), leftover temp files are removed, damaged files are set aside and recovered from
 * their backup without touching the other chats, and answers left streaming are marked interrupted.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Conversation } from "../../src/protocol/conversation";
import { ConversationStore, atomicWriteFile } from "../../src/core/chat/conversationStore";

function conversation(id: string, text = "hello", status: "complete" | "streaming" = "complete"): Conversation {
    return {
        id, title: `chat ${id}`, createdAt: 1, updatedAt: Date.now(),
        messages: [
            { id: "m1", role: "user", text: "question", status: "complete", createdAt: 1 },
            { id: "m2", role: "assistant", text, status, createdAt: 2 },
        ],
    };
}

describe("chat conversation store", function () {
    this.timeout(30_000);
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-chat-store-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("saves and loads conversations, newest first, with the open chat", async () => {
        const store = new ConversationStore(dir);
        await store.save({ ...conversation("a"), updatedAt: 1 });
        await store.save({ ...conversation("b"), updatedAt: 2 });
        await store.saveState({ currentId: "a" });
        const loaded = await new ConversationStore(dir).load();
        assert.deepEqual(loaded.conversations.map((c) => c.id), ["b", "a"]);
        assert.equal(loaded.state.currentId, "a");
        assert.deepEqual(loaded.problems, []);
    });

    it("keeps writes of one chat in order", async () => {
        const store = new ConversationStore(dir);
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(conversation("a", `v${i}`))));
        const loaded = await store.load();
        assert.equal(loaded.conversations[0]!.messages[1]!.text, "v19");
    });


    it("saves that pile up behind a running write become one write of the newest version", async () => {
        const store = new ConversationStore(dir);
        await store.save(conversation("a", "v0"));
        // v1…v100 are queued before the first of them starts, so they are one write of v100, which copies v0 to
        // .bak. Written one by one, the .bak would hold v99.
        const saves = Array.from({ length: 100 }, (_, i) => store.save(conversation("a", `v${i + 1}`)));
        await Promise.all(saves);
        const text = (file: string) => (JSON.parse(fs.readFileSync(file, "utf8")) as Conversation).messages[1]!.text;
        assert.equal(text(store.fileOf("a")), "v100");
        assert.equal(text(`${store.fileOf("a")}.bak`), "v0");
    });

    it("the last of a save and a delete decides, however they pile up", async () => {
        const store = new ConversationStore(dir);
        await store.save(conversation("a", "v0"));
        const first = [store.save(conversation("a", "v1")), store.save(conversation("a", "v2")), store.delete("a")];
        await Promise.all(first);
        assert.equal(fs.existsSync(store.fileOf("a")), false);
        const second = [store.delete("a"), store.save(conversation("a", "v3")), store.delete("a"), store.save(conversation("a", "v4"))];
        await Promise.all(second);
        assert.equal((await store.load()).conversations[0]!.messages[1]!.text, "v4");
    });
    it("a process killed mid-write leaves the old or the new file, never a broken one", async () => {
        const file = path.join(dir, "chat-big.json");
        const big = (v: string) => JSON.stringify({ id: "big", title: "t", createdAt: 1, updatedAt: 0, messages: [{ id: "m", role: "assistant", text: v.repeat(2_000_000), status: "complete", createdAt: 1 }] });
        await atomicWriteFile(file, big("a"));
        const storeModule = path.resolve(__dirname, "../../src/core/chat/conversationStore.js");
        const script = `
            const { atomicWriteFile } = require(${JSON.stringify(storeModule)});
            const file = ${JSON.stringify(file)};
            (async () => { for (let i = 0; ; i++) { const v = i % 2 ? "a" : "b";
                const conv = { id: "big", title: "t", createdAt: 1, updatedAt: i, messages: [{ id: "m", role: "assistant", text: v.repeat(2000000), status: "complete", createdAt: 1 }] };
                process.stdout.write("w");
                await atomicWriteFile(file, JSON.stringify(conv)); } })();`;
        let interrupted = 0;
        let rounds = 0;
        // Kill at varying delays after writing started, until some kills landed mid-write (a temp file remains).
        for (; rounds < 30 && interrupted < 3; rounds++) {
            const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
            await new Promise<void>((resolve) => {
                child.stdout.once("data", () => setTimeout(() => { child.kill("SIGKILL"); resolve(); }, 5 + (rounds % 10) * 7));
            });
            await new Promise((r) => child.once("exit", r));
            const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Conversation;
            assert.match(parsed.messages[0]!.text, /^(a+|b+)$/);
            assert.equal(parsed.messages[0]!.text.length, 2_000_000);
            const temps = fs.readdirSync(dir).filter((n) => n.includes(".tmp-"));
            if (temps.length) interrupted++;
            for (const t of temps) fs.rmSync(path.join(dir, t));
        }
        assert.ok(interrupted >= 1, "no kill landed mid-write; the test proved nothing");
        fs.writeFileSync(`${file}.tmp-1-zz`, "{\"partial");
        // Temp files from writes cut short by the kills are cleaned up by the next load; the chat loads whole.
        const loaded = await new ConversationStore(dir).load();
        assert.equal(loaded.conversations.length, 1);
        assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes(".tmp-")), []);
        console.log(`      ${rounds} kills during 2 MB rewrites, ${interrupted} of them mid-write: chat file intact every time`);
    });

    it("removes temp files left by an interrupted write and loads the intact chat", async () => {
        const store = new ConversationStore(dir);
        await store.save(conversation("a", "intact"));
        fs.writeFileSync(path.join(dir, "chat-a.json.tmp-999-abc"), "{\"id\":\"a\",\"tit");
        const loaded = await new ConversationStore(dir).load();
        assert.equal(loaded.conversations[0]!.messages[1]!.text, "intact");
        assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes(".tmp-")), []);
        assert.deepEqual(loaded.problems, []);
    });

    it("restores a damaged chat from its backup and keeps the damaged copy aside", async () => {
        const store = new ConversationStore(dir);
        await store.save(conversation("a", "first"));
        await store.save(conversation("a", "second")); // .bak now holds "first"
        await store.save(conversation("b", "other chat"));
        fs.writeFileSync(path.join(dir, "chat-a.json"), "{ this is not json");
        const loaded = await new ConversationStore(dir).load();
        const a = loaded.conversations.find((c) => c.id === "a");
        assert.equal(a?.messages[1]!.text, "first");
        assert.equal(loaded.conversations.find((c) => c.id === "b")?.messages[1]!.text, "other chat");
        assert.equal(loaded.problems.length, 1);
        assert.match(loaded.problems[0]!, /chat-a\.json was damaged and was restored from its backup/);
        assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith("chat-a.json.corrupt-")).length, 1);
        assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "chat-a.json"), "utf8")).messages[1].text, "first");
    });

    it("sets aside a damaged chat without a backup and still loads the others", async () => {
        const store = new ConversationStore(dir);
        await store.save(conversation("b", "other chat"));
        fs.writeFileSync(path.join(dir, "chat-a.json"), JSON.stringify({ id: "a", not: "a conversation" }));
        const loaded = await new ConversationStore(dir).load();
        assert.deepEqual(loaded.conversations.map((c) => c.id), ["b"]);
        assert.match(loaded.problems[0]!, /chat-a\.json could not be read and was set aside as chat-a\.json\.corrupt-\d+/);
        assert.equal(fs.existsSync(path.join(dir, "chat-a.json")), false);
    });

    it("marks an answer left streaming (window reload, kill -9) as interrupted and keeps its text", async () => {
        const store = new ConversationStore(dir);
        await store.save(conversation("a", "partial ans", "streaming"));
        const loaded = await new ConversationStore(dir).load();
        const m = loaded.conversations[0]!.messages[1]!;
        assert.equal(m.status, "interrupted");
        assert.equal(m.text, "partial ans");
        const again = JSON.parse(fs.readFileSync(path.join(dir, "chat-a.json"), "utf8")) as Conversation;
        assert.equal(again.messages[1]!.status, "interrupted", "the fix is written back");
    });

    it("deletes a chat with its backup, and rejects ids that could escape the folder", async () => {
        const store = new ConversationStore(dir);
        await store.save(conversation("a"));
        await store.save(conversation("a"));
        await store.delete("a");
        assert.deepEqual(fs.readdirSync(dir), []);
        assert.throws(() => store.fileOf("../evil"), /Invalid chat id/);
    });
});
