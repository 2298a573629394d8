/** Up-arrow recall in the chat prompt (one press per earlier prompt) and a user-given chat name surviving edits. */
import * as assert from "node:assert/strict";
import { titleForFirstPrompt } from "../../src/core/chat/chatModel";
import { recallPrompt, type PromptBox } from "../../src/webview/chat/promptHistory";

const PROMPTS = ["third question", "second question\nwith two lines", "first question"];
/** The box as the browser leaves it after its text is set: caret at the end. */
const shown = (value: string): PromptBox => ({ value, caretAtStart: value === "", caretAtEnd: true });

describe("chat prompt recall", () => {
    it("recalls one earlier prompt per Up press, newest first, and stops at the oldest", () => {
        let index = -1;
        const seen: string[] = [];
        let box = shown("");
        for (let press = 0; press < 4; press++) {
            const next = recallPrompt("up", box, index, PROMPTS);
            if (!next) break;
            index = next.index;
            seen.push(next.value);
            box = shown(next.value);
        }
        assert.deepEqual(seen, PROMPTS);
        assert.equal(recallPrompt("up", box, index, PROMPTS), undefined, "nothing older than the oldest");
    });

    it("goes back down one press at a time to an empty box", () => {
        const down1 = recallPrompt("down", shown(PROMPTS[2]!), 2, PROMPTS);
        assert.deepEqual(down1, { index: 1, value: PROMPTS[1] });
        const down2 = recallPrompt("down", shown(PROMPTS[1]!), 1, PROMPTS);
        const down3 = recallPrompt("down", shown(PROMPTS[0]!), down2!.index, PROMPTS);
        assert.deepEqual(down3, { index: -1, value: "" });
        assert.equal(recallPrompt("down", shown(""), -1, PROMPTS), undefined);
    });

    it("never replaces text the user is typing, and lets Up/Down move the caret in an edited prompt", () => {
        assert.equal(recallPrompt("up", { value: "my new question", caretAtStart: true, caretAtEnd: false }, -1, PROMPTS), undefined);
        const edited: PromptBox = { value: "second question\nwith two lines and more", caretAtStart: false, caretAtEnd: false };
        assert.equal(recallPrompt("up", edited, 1, PROMPTS), undefined);
        assert.equal(recallPrompt("down", edited, 1, PROMPTS), undefined);
        assert.deepEqual(recallPrompt("up", { ...edited, caretAtStart: true }, 1, PROMPTS), { index: 2, value: PROMPTS[2] });
    });
});

describe("chat title on a first prompt", () => {
    it("follows the first prompt, also when it is edited and resent", () => {
        assert.equal(titleForFirstPrompt({ title: "New Chat" }, "How do I sort a list?\nin Python"), "How do I sort a list?");
        assert.equal(titleForFirstPrompt({ title: "How do I sort a list?" }, "How do I sort a dict?"), "How do I sort a dict?");
    });

    it("keeps a name the user gave the chat when its first prompt is edited and resent", () => {
        assert.equal(titleForFirstPrompt({ title: "Sorting notes", titleByUser: true }, "How do I sort a dict?"), "Sorting notes");
    });
});
