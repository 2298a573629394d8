/**
 * An answer cut at hearth.chat.maxTokens is marked as cut (not complete), and Continue goes on with the same
 * answer, in the same message, through the real engine.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { hearthApi } from "../helpers";

const config = () => vscode.workspace.getConfiguration("hearth");

describe("Continue an answer cut at the token limit", function () {
    this.timeout(180_000);
    let saved: unknown;

    before(async () => {
        saved = config().inspect("chat.maxTokens")?.globalValue;
        await config().update("chat.maxTokens", 12, vscode.ConfigurationTarget.Global);
        await (await hearthApi()).backend.ready();
    });
    after(async () => {
        await config().update("chat.maxTokens", saved, vscode.ConfigurationTarget.Global);
    });

    it("marks the cut answer and continues it in the same message", async () => {
        const { chat } = await hearthApi();
        await vscode.commands.executeCommand("hearth.newChat");
        await chat.ask({ prompt: "Tell me a long story about a dog and a cat.", displayText: "Long story" });
        const conversation = chat.conversations()[0]!;
        const cut = conversation.messages.at(-1)!;
        assert.equal(cut.role, "assistant");
        assert.equal(cut.status, "cut", `status ${cut.status}: ${cut.error ?? cut.text}`);
        const partial = cut.text;
        const firstTokens = cut.stats!.tokens;
        assert.ok(partial.length > 0 && firstTokens >= 12, `${firstTokens} tokens: ${partial}`);
        const count = conversation.messages.length;

        await chat.post({ type: "continue" });
        const after = chat.conversations()[0]!;
        assert.equal(after.id, conversation.id);
        assert.equal(after.messages.length, count, "Continue added a message instead of continuing the answer");
        const continued = after.messages.at(-1)!;
        assert.equal(continued.id, cut.id);
        assert.ok(continued.text.startsWith(partial), `the answer was replaced: ${JSON.stringify(continued.text)}`);
        assert.ok(continued.text.length > partial.length, "Continue added nothing");
        assert.ok(continued.stats!.tokens > firstTokens, `tokens ${continued.stats!.tokens} after ${firstTokens}`);
        assert.ok(continued.status === "cut" || continued.status === "complete", continued.status);
        // What the model saw: the prompt, then its own unfinished answer to go on with.
        const sent = chat.lastRequest()!;
        assert.equal(sent.at(-1)!.role, "assistant");
        assert.equal(sent.at(-1)!.text, partial);
    });
});
