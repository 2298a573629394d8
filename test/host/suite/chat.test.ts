/**
 * The chat panel in the real extension host: the webview view resolves, a turn streams through the real engine
 * (fixture model) and is persisted, the history is read back by a new store instance (what a window reload
 * does), and "what does this file do" attaches the active file by itself.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ChatMessageRecord } from "../../../src/protocol/conversation";
import { ConversationStore } from "../../../src/core/chat/conversationStore";
import type { ChatApi } from "../../../src/services";
import { hearthApi, waitFor, workspaceFile } from "../helpers";

describe("Chat panel in the extension host", function () {
    this.timeout(120_000);
    let chat: ChatApi;

    before(async () => {
        chat = (await hearthApi()).chat;
        // Long enough answers that streaming can be observed from outside.
        await vscode.workspace.getConfiguration("hearth").update("chat.maxTokens", 300, vscode.ConfigurationTarget.Global);
    });
    after(async () => {
        await vscode.workspace.getConfiguration("hearth").update("chat.maxTokens", undefined, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    const lastAnswer = (): ChatMessageRecord | undefined => chat.conversations()[0]?.messages.filter((m) => m.role === "assistant").at(-1);

    it("Hearth: Open Chat resolves the chat view", async () => {
        await vscode.commands.executeCommand("hearth.openChat");
        await waitFor("the chat webview view to resolve", () => chat.isViewResolved(), 30_000);
    });

    it("a turn streams through the real engine and is persisted", async () => {
        await vscode.commands.executeCommand("hearth.newChat");
        const seenLengths = new Set<number>();
        let watching = true;
        const watch = (async () => {
            while (watching) {
                const a = lastAnswer();
                if (a?.status === "streaming" && a.text.length > 0) seenLengths.add(a.text.length);
                await new Promise((r) => setTimeout(r, 5));
            }
        })();
        await chat.ask({ prompt: "Tell me a story about a dog.", displayText: "Story, please" });
        watching = false;
        await watch;
        const answer = lastAnswer();
        assert.ok(answer, "no answer recorded");
        // "cut": ended at hearth.chat.maxTokens (a finished answer, marked so Continue can go on with it).
        assert.ok(answer.status === "complete" || answer.status === "cut", `${answer.status}: ${answer.error}`);
        assert.ok(answer.text.length > 0);
        assert.ok(answer.stats && answer.stats.tokens > 0 && answer.stats.contextUsed <= answer.stats.contextSize);
        assert.ok(seenLengths.size >= 2, `the answer did not grow while streaming (saw lengths ${[...seenLengths].join(", ")})`);

        const user = chat.conversations()[0]!.messages.at(-2)!;
        assert.equal(user.displayText, "Story, please");
        assert.equal(user.text, "Tell me a story about a dog.");

        // What a window reload does: a new store reads the files from disk.
        const { conversations, problems } = await waitFor("the finished answer on disk", async () => {
            const loaded = await new ConversationStore(chat.historyDir).load();
            const saved = loaded.conversations.find((c) => c.id === chat.conversations()[0]!.id);
            const status = saved?.messages.at(-1)?.status;
            return status === "complete" || status === "cut" ? loaded : undefined;
        });
        assert.deepEqual(problems, []);
        const restored = conversations.find((c) => c.id === chat.conversations()[0]!.id)!;
        assert.equal(restored.messages.at(-1)!.text, answer.text);
        assert.equal(restored.title, "Story, please");
    });

    it("answers 'what does this file do' with the active file attached automatically", async () => {
        const doc = await vscode.workspace.openTextDocument(workspaceFile("sample.py"));
        await vscode.window.showTextDocument(doc, { preview: false });
        await chat.ask({ prompt: "What does this file do?", displayText: "What does this file do?" });
        const user = chat.conversations()[0]!.messages.at(-2)!;
        assert.equal(user.attachments?.length, 1, "the current file was not attached");
        const attachment = user.attachments[0]!;
        assert.equal(attachment.auto, true);
        assert.match(attachment.path, /sample\.py$/);
        assert.equal(attachment.estimated, false, "the request counts attachment tokens with the model's tokenizer");
        assert.ok(attachment.text.length > 0 && doc.getText().startsWith(attachment.text));
        assert.notEqual(lastAnswer()?.status, "error", lastAnswer()?.error);
    });
});
