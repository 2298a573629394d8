/** The host's runtime guard for messages from the chat webview: only well-formed, known messages pass. */
import * as assert from "node:assert/strict";
import { isWebviewToHostMessage } from "../../src/protocol/webviewProtocol";

describe("chat webview protocol guard", () => {
    it("accepts the known messages", () => {
        for (const m of [
            { type: "ready" }, { type: "send", text: "hi" }, { type: "send", text: "hi", editOf: "m1" }, { type: "stop" },
            { type: "selectChat", id: "c1" }, { type: "attach", kind: "workspaceFile" },
            { type: "code", action: "apply", code: "x", language: "ts" }, { type: "command", command: "selectModel" },
            { type: "openLink", href: "https://example.com/" },
            { type: "send", text: "hi", scope: "workspace" }, { type: "send", text: "hi", scope: "library" },
            { type: "openSource", messageId: "m2", n: 1 },
            { type: "composing", active: true }, { type: "pinMessage", id: "m1", pinned: false },
            { type: "editSummary", chatId: "c1", text: "" }, { type: "deleteSummary", chatId: "c1" }, { type: "exportChat", id: "c1" },
        ]) assert.ok(isWebviewToHostMessage(m), JSON.stringify(m));
    });

    it("rejects malformed or unknown ones", () => {
        for (const m of [
            null, "send", 42, {}, { type: "eval", code: "1" }, { type: "send" }, { type: "send", text: 1 },
            { type: "send", text: "x", editOf: 3 }, { type: "attach", kind: "/etc/passwd" }, { type: "deleteChat" },
            { type: "code", action: "run", code: "rm -rf /", language: "sh" }, { type: "command", command: "workbench.action.terminal.new" },
            { type: "openLink" }, { type: "openLink", href: 1 }, { type: "openLink", href: "x".repeat(8193) },
            { type: "send", text: "hi", scope: "/etc" }, { type: "openSource", messageId: "m2", n: 0 },
            { type: "openSource", messageId: "m2", n: 1.5 }, { type: "openSource", messageId: "m2", n: "file:///etc/passwd" },
            { type: "openSource", n: 1 },
            { type: "composing", active: "yes" }, { type: "pinMessage", id: "m1" }, { type: "editSummary", chatId: "c1" },
            { type: "editSummary", text: "x" }, { type: "deleteSummary" }, { type: "exportChat", id: 7 },
        ]) assert.ok(!isWebviewToHostMessage(m), JSON.stringify(m));
    });
});
