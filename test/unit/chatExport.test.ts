/**
 * Export as Markdown (src/core/chat/exportMarkdown.ts) and the summary on disk: the summary is marked as the
 * model's and sits after the messages it stands in for; chats saved before summaries existed still load; a
 * damaged summary is detected like any damaged chat.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isConversation } from "../../src/core/chat/chatModel";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import { exportFileName, exportMarkdown, type ExportLabels } from "../../src/core/chat/exportMarkdown";
import type { Conversation } from "../../src/protocol/conversation";

const LABELS: ExportLabels = {
    exported: "Exported from Hearth on {0}", you: "You", assistant: "Hearth", pinned: "Pinned", attached: "Attached: {0}",
    stopped: "Stopped", interrupted: "Interrupted", failed: "Failed: {0}", summaryTitle: "Earlier messages, summarised",
    summaryNote: "The model's running summary of the {0} messages above.", summaryEdited: "edited by the user",
    summaryDeleted: "The summary was deleted.",
};

function chat(): Conversation {
    return {
        id: "c1", title: "Report: rivers / lakes", createdAt: 0, updatedAt: 0,
        messages: [
            { id: "m1", role: "user", text: "My hero is called Lin.", status: "complete", createdAt: 0, summarised: true },
            { id: "m2", role: "assistant", text: "Noted: **Lin**.", status: "complete", createdAt: 0, summarised: true },
            { id: "m3", role: "user", text: "The brief: 2 pages, formal.", status: "complete", createdAt: 0, pinned: true,
                attachments: [{ id: "a", kind: "file", label: "brief.md", path: "docs/brief.md", languageId: "markdown", text: "x", tokens: 1, estimated: false }] },
            { id: "m4", role: "assistant", text: "Understood.\n\n```md\n# Rivers\n```", status: "stopped", createdAt: 0 },
        ],
        summary: { text: "- hero: Lin\n\n- tone: formal", coveredMessages: 2, tokens: 9, language: "en", updatedAt: 0 },
    };
}

describe("chat export as Markdown", () => {
    it("writes every message, marks pins, and quotes the summary after the messages it stands in for", () => {
        const md = exportMarkdown(chat(), LABELS, Date.UTC(2024, 4, 1, 12));
        assert.match(md, /^# Report: rivers \/ lakes\n\n_Exported from Hearth on 2024-05-01 \d\d:\d\d_\n/);
        const order = ["My hero is called Lin.", "Noted: **Lin**.", "> **Earlier messages, summarised**", "> - hero: Lin", "The brief: 2 pages", "```md\n# Rivers\n```"];
        let at = -1;
        for (const piece of order) {
            const next = md.indexOf(piece);
            assert.ok(next > at, `“${piece}” is missing or out of order`);
            at = next;
        }
        assert.match(md, /> _The model's running summary of the 2 messages above\._/);
        assert.match(md, /> - hero: Lin\n>\n> - tone: formal\n/, "every summary line is quoted, blank ones too");
        assert.match(md, /## You · 📌 Pinned · /);
        assert.match(md, /_Attached: `docs\/brief.md`_/);
        assert.match(md, /_Stopped_/);
    });

    it("says so when the summary was edited or deleted, and has no summary block without one", () => {
        const edited = chat();
        edited.summary!.edited = true;
        assert.match(exportMarkdown(edited, LABELS), /\*\*Earlier messages, summarised\*\* \(edited by the user\)/);
        const deleted = chat();
        deleted.summary!.text = "";
        assert.match(exportMarkdown(deleted, LABELS), /> _The summary was deleted\._/);
        const none = chat();
        delete none.summary;
        none.messages.forEach((m) => delete m.summarised);
        assert.ok(!exportMarkdown(none, LABELS).includes("summarised"));
    });

    it("makes a safe file name from the title", () => {
        assert.equal(exportFileName("Report: rivers / lakes"), "Report rivers lakes.md");
        assert.equal(exportFileName("  ...  "), "chat.md");
        assert.equal(exportFileName("中文 标题"), "中文 标题.md");
    });
});

describe("chat summary on disk", function () {
    this.timeout(20_000);
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-chat-memory-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("saves and loads the summary, pins and summarised marks with the conversation", async () => {
        await new ConversationStore(dir).save(chat());
        const loaded = await new ConversationStore(dir).load();
        assert.deepEqual(loaded.problems, []);
        assert.deepEqual(loaded.conversations[0], chat());
    });

    it("loads a chat file written before summaries existed", async () => {
        const old = { id: "old", title: "old", createdAt: 1, updatedAt: 1, messages: [
            { id: "m1", role: "user", text: "q", status: "complete", createdAt: 1 },
            { id: "m2", role: "assistant", text: "a", status: "complete", createdAt: 1, droppedMessages: 4 },
        ] };
        fs.writeFileSync(path.join(dir, "chat-old.json"), JSON.stringify(old));
        const loaded = await new ConversationStore(dir).load();
        assert.deepEqual(loaded.problems, []);
        assert.equal(loaded.conversations[0]?.summary, undefined);
        assert.equal(loaded.conversations[0]?.messages.length, 2);
    });

    it("treats a malformed summary as a damaged file", () => {
        assert.ok(isConversation(chat()));
        for (const bad of [{ text: 3 }, { text: "x", coveredMessages: 1, tokens: 1, language: "fr", updatedAt: 0 }, null]) {
            assert.ok(!isConversation({ ...chat(), summary: bad }), JSON.stringify(bad));
        }
    });
});
