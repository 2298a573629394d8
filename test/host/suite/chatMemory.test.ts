/**
 * A chat's long-term memory in the real extension host, through the chat's own handler (the messages the webview
 * posts) and the real engine on the fixture model with a 1,024-token context: a pinned message survives 30 rounds,
 * the running summary is written and saved, editing it changes the next prompt, and the chat exports as Markdown.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { ConversationStore } from "../../../src/core/chat/conversationStore";
import type { Conversation } from "../../../src/protocol/conversation";
import type { ChatApi } from "../../../src/services";
import { hearthApi, waitFor } from "../helpers";

const PINNED = "The report must be about the river Zorrowind and stay under two pages.";
const TOPICS = ["a dog", "the sea", "a red ball", "a big tree", "a little bird", "the moon", "a cat", "a fast car", "the park", "a cake"];

describe("Chat memory in the extension host", function () {
    this.timeout(300_000);
    let chat: ChatApi;
    let previousMaxTokens: number | undefined;
    const config = () => vscode.workspace.getConfiguration("hearth");
    const current = (): Conversation => chat.conversations()[0]!;
    /** The chat of the first test (pinned message, summary), for the tests that build on it. */
    let pinnedChat: Conversation;
    const systemMessage = () => chat.lastRequest()?.find((m) => m.role === "system")?.text ?? "";

    before(async () => {
        chat = (await hearthApi()).chat;
        previousMaxTokens = config().inspect<number>("chat.maxTokens")?.globalValue;
        // Short answers on the 1,024-token context of the test profile: the history outgrows it within a few rounds.
        await config().update("chat.maxTokens", 48, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand("hearth.openChat");
        await waitFor("the chat webview view to resolve", () => chat.isViewResolved(), 30_000);
    });
    after(async () => {
        await config().update("chat.maxTokens", previousMaxTokens, vscode.ConfigurationTarget.Global);
    });

    it("keeps a pinned message in every request for 30 rounds while the rest is summarised", async () => {
        await vscode.commands.executeCommand("hearth.newChat");
        await chat.ask({ prompt: PINNED, displayText: PINNED });
        const pinned = current().messages[0]!;
        assert.equal(pinned.text, PINNED);
        await chat.post({ type: "pinMessage", id: pinned.id, pinned: true });
        assert.equal(pinned.pinned, true);
        for (let round = 2; round <= 31; round++) {
            const prompt = `Round ${round}. Tell me a short story about ${TOPICS[round % TOPICS.length]}.`;
            const summary = current().summary?.text;
            await chat.ask({ prompt, displayText: prompt });
            if (summary) assert.ok(systemMessage().endsWith(summary), `round ${round}: the summary was not at the end of the system message`);
            const answer = current().messages.at(-1)!;
            // "cut": ended at hearth.chat.maxTokens (a finished answer, marked so Continue can go on with it).
            assert.ok(answer.status === "complete" || answer.status === "cut", `round ${round}: ${answer.error ?? answer.status}`);
            const sent = chat.lastRequest() ?? [];
            assert.ok(sent.some((m) => m.text.includes(PINNED)), `round ${round}: the pinned message was not in the request`);
            // A user reading the answer before typing the next prompt: the summary is written meanwhile.
            await chat.memoryIdle();
        }
        const c = current();
        pinnedChat = c;
        assert.ok(!pinned.summarised, "a pinned message is never summarised");
        assert.ok(systemMessage().includes(PINNED), "the old pinned message travels in the system message");
        const sent = chat.lastRequest()!;
        assert.ok(!sent.some((m) => m.text.includes("Round 2.")), "the history was not trimmed: the test proves nothing");
        assert.ok(c.summary && c.summary.text.length > 0, "no running summary after 31 rounds");
        assert.ok(c.messages.filter((m) => m.summarised).length >= 20, "the old rounds were not summarised");
        assert.ok(!c.messages.slice(-2).some((m) => m.summarised), "the newest question and answer stay verbatim");
        for (const m of c.messages.filter((x) => x.role === "assistant" && x !== c.messages[1])) {
            assert.ok(!m.droppedMessages, "a message was left out without a summary");
        }
        const saved = await waitFor("the summary on disk", async () => {
            const loaded = await new ConversationStore(chat.historyDir).load();
            const disk = loaded.conversations.find((x) => x.id === c.id);
            return disk?.summary?.text === c.summary!.text ? disk : undefined;
        });
        assert.equal(saved.messages.find((m) => m.id === pinned.id)?.pinned, true);
    });

    it("sends the user's edit of the summary in the next request", async () => {
        const c = pinnedChat;
        await chat.post({ type: "selectChat", id: c.id });
        const before = c.summary!.text;
        const edited = "The user's dog is called Rex and the report is due on Friday.";
        await chat.post({ type: "editSummary", chatId: c.id, text: edited });
        assert.equal(c.summary?.text, edited);
        assert.equal(c.summary?.edited, true);
        await chat.ask({ prompt: "What is my dog called?", displayText: "What is my dog called?" });
        assert.ok(systemMessage().includes(edited), "the edited summary was not sent");
        if (before !== edited) assert.ok(!systemMessage().includes(before), "the old summary was still sent");
        await chat.memoryIdle();
    });

    it("holds the summary back while the user types a prompt, and writes it once they leave the prompt empty", async () => {
        await vscode.commands.executeCommand("hearth.newChat");
        // What the panel posts when the prompt box stops being empty.
        await chat.post({ type: "composing", active: true });
        let round = 0;
        // Until the history outgrows the context: from then on every answer would start a summary.
        while (!current().messages.some((m) => m.droppedMessages) && round < 30) {
            round++;
            await chat.ask({ prompt: `Typing round ${round}. Tell me a story.`, displayText: `Typing round ${round}` });
            await chat.memoryIdle();
        }
        const c = current();
        assert.ok(c.messages.some((m) => m.droppedMessages), "the chat never outgrew the context");
        assert.equal(c.summary, undefined, "a summary was written while the user was typing");
        assert.ok(!c.messages.some((m) => m.summarised));
        // The user clears the prompt and leaves it: after a short idle time the summary is written.
        await chat.post({ type: "composing", active: false });
        await waitFor("the put-off summary", () => c.summary?.text && c.messages.some((m) => m.summarised), 30_000);
        await chat.memoryIdle();
    });

    it("exports the chat as Markdown with the summary marked as such", async () => {
        const c = pinnedChat;
        const target = vscode.Uri.file(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hearth-export-")), "chat.md"));
        await vscode.commands.executeCommand("hearth.exportChat", c.id, target);
        const md = fs.readFileSync(target.fsPath, "utf8");
        assert.match(md, /\*\*Earlier messages, summarised\*\*/);
        assert.ok(md.includes(`> ${c.summary!.text.split("\n")[0]}`), "the summary is quoted");
        assert.ok(md.includes(PINNED) && /📌 Pinned/.test(md), "the pinned message is marked");
        assert.ok(md.includes("Round 2. Tell me a short story"), "summarised messages are exported in full");
    });
});
