/**
 * @workspace on the real engine through the product's own chat turn (runChatTurn + groundTurn) and a real knowledge
 * index (src/core/knowledge) over a small folder: the prompt holds the chunk that answers the question within the
 * budget and the answer carries its sources (file:line); a question the index knows nothing about is answered with
 * the "nothing found" text and the model is never asked; an attached file larger than the budget is replaced by its
 * relevant parts. stories260K's answers are nonsense; the budget, the prompt and the sources are what is tested.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runChatTurn } from "../../src/chat/chatTurn";
import type { GroundingDeps } from "../../src/chat/groundedTurn";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import type { KnowledgeIndex } from "../../src/core/knowledge/knowledgeIndex";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import type { Attachment, ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import type { ChatParams } from "../../src/protocol/generation";
import { embeddedBackend, newEngineProcess, overrideBackend, testLoadParams } from "../helpers/embedded";
import { assertFinished } from "../helpers/answerStatus";
import { fixture } from "../helpers/fixtures";
import { indexConfig, openIndex, tempDir, writeTree } from "../helpers/knowledgeFiles";

const NOTES: Record<string, string> = {
    "notes/tides.md": "# Harbour\n\nThe tide table is computed by the harbour master every Sunday from the moon phases.\n\nBoats leave at high tide.\n",
    "notes/garden.md": "# Garden\n\nTomatoes need sun. The compost is turned in April.\n",
    "src/lighthouse.ts": "export function lampHours(season: string): number {\n    return season === \"winter\" ? 16 : 9;\n}\n",
};

describe("@workspace answers on the real engine", function () {
    this.timeout(300_000);
    let engine: EngineProcess;
    let root: string;
    let index: KnowledgeIndex;
    let store: ConversationStore;
    let deps: GroundingDeps["search"];

    before(async () => {
        engine = newEngineProcess();
        const dir = await tempDir("grounding");
        root = path.join(dir, "workspace");
        await writeTree(root, { ...NOTES, "docs/manual.md": manual() });
        index = await openIndex(indexConfig(path.join(dir, "index"), root));
        await index.sync();
        store = new ConversationStore(path.join(dir, "chats"));
        // What KnowledgeService does in the host, without the worker thread: hits with file: URIs; a { file } scope
        // searches that one file.
        deps = async (query, scope, limit) => {
            const only = typeof scope === "object" ? fileURLToPath(scope.file) : undefined;
            const hits = await index.search(query, limit, only ? (p) => p === only : undefined);
            return hits.map((h) => ({ ...h, uri: pathToFileURL(h.fsPath).toString() }));
        };
    });
    after(async () => {
        await index.close();
        engine.dispose();
    });

    function turn(text: string, scope?: "workspace", attachments?: Attachment[]): { conversation: Conversation; answer: ChatMessageRecord } {
        const answer: ChatMessageRecord = { id: `a${Math.random()}`, role: "assistant", text: "", status: "streaming", createdAt: 2 };
        const user: ChatMessageRecord = { id: `u${Math.random()}`, role: "user", text, status: "complete", createdAt: 1, scope, attachments };
        return { conversation: { id: `c${Math.random().toString(36).slice(2)}`, title: "t", createdAt: 1, updatedAt: 1, messages: [user, answer] }, answer };
    }

    async function ask(text: string, question: string, scope?: "workspace", attachments?: Attachment[], context = 1024) {
        const backend = embeddedBackend(engine, testLoadParams(fixture("stories260K-chat-fim.derived.gguf"), context));
        const requests: ChatParams[] = [];
        const watched = overrideBackend(backend, { chat: (p, o) => { requests.push(p); return backend.chat(p, o); } });
        const { conversation, answer } = turn(text, scope, attachments);
        await runChatTurn({
            backend: watched, store, conversation, answer, memory: {}, systemPrompt: "You are Hearth.", maxTokens: 64, temperature: 0,
            signal: new AbortController().signal, onDelta: () => undefined,
            grounding: { question, scope, deps: { search: deps }, nothingFoundText: "NOTHING FOUND" },
        });
        return { conversation, answer, requests, user: conversation.messages[0]! };
    }

    it("holds the chunk that answers the question, within the budget, and the answer carries its sources", async () => {
        const { answer, requests, user } = await ask("@workspace who computes the tide table?", "who computes the tide table?", "workspace");
        assert.equal(requests.length, 1);
        assertFinished(answer, requests[0]!.maxTokens);
        const prompt = requests[0]!.messages.map((m) => m.text).join("\n");
        assert.match(prompt, /\[1\] notes\/tides\.md:\d+/, "the first source is the tides note");
        assert.match(prompt, /computed by the harbour master every Sunday/);
        assert.match(requests[0]!.messages[0]!.text, /cite the source it comes from/);
        assert.equal(user.attachments?.[0]?.kind, "sources");
        assert.ok(answer.sources?.length, "the answer has sources");
        assert.match(answer.sources![0]!.label, /^notes\/tides\.md:\d+/);
        assert.equal(answer.sources![0]!.uri, pathToFileURL(path.join(root, "notes", "tides.md")).toString());
        assert.ok(answer.stats && answer.stats.contextUsed <= answer.stats.contextSize, "within the context");
        assert.ok(answer.stats!.promptTokens + 64 <= 1024, `prompt ${answer.stats!.promptTokens} tokens + answer room fit 1,024`);
    });

    it("says so, without asking the model, when the index has nothing relevant", async () => {
        const { answer, requests } = await ask("@workspace what is the airspeed of a swallow?", "what is the airspeed of a swallow?", "workspace");
        assert.equal(requests.length, 0, "the model was not asked");
        assert.equal(answer.text, "NOTHING FOUND");
        assert.equal(answer.status, "complete");
    });

    it("an attached file larger than the budget is replaced by the parts that answer the question", async () => {
        const file = path.join(root, "docs", "manual.md");
        const text = fs.readFileSync(file, "utf8");
        const big: Attachment = {
            id: "big", kind: "file", label: "manual.md", path: "docs/manual.md", languageId: "markdown", text,
            tokens: 20_000, estimated: true, uri: pathToFileURL(file).toString(),
        };
        // stories260K's 512-token vocabulary spends ~1 token per 3 characters: a 2,048-token context holds a chunk whole.
        const { requests, user, answer } = await ask("What colour is the emergency valve?", "What colour is the emergency valve?", undefined, [big], 2048);
        assert.equal(user.attachments?.[0]?.kind, "document");
        const prompt = requests[0]!.messages.map((m) => m.text).join("\n");
        assert.match(prompt, /emergency valve is painted bright orange/, "the relevant part, not the first part");
        assert.doesNotMatch(prompt, /Chapter 1 introduction line 1\b/, "not the beginning of the file");
        assert.match(answer.sources![0]!.label, /^docs\/manual\.md:\d+/);
    });
});

/** A long manual whose answer is deep inside, far past what the first part of a cut attachment would hold. */
function manual(): string {
    const lines: string[] = [];
    for (let chapter = 1; chapter <= 60; chapter++) {
        lines.push(`## Chapter ${chapter}`, "");
        for (let i = 1; i <= 12; i++) lines.push(`Chapter ${chapter} introduction line ${i} about pumps, pipes and gauges in general.`);
        if (chapter === 47) lines.push("", "The emergency valve is painted bright orange and sits left of the main pump.");
        lines.push("");
    }
    return lines.join("\n");
}
