/**
 * Flow 1: open the Hearth chat panel from the activity bar, type a prompt, see the answer stream in, press Stop,
 * reload the window, see the conversation restored.
 */
import * as assert from "node:assert/strict";
import { openChatPanel, waitForValue } from "./driver";
import { screenshot, useFlowPages, waitForWorkbench } from "./session";
import { slowModelSettings } from "./slowModel";

const PROMPT = "Tell me a story about a little cat who finds a red ball.";

describe("e2e flow 1: chat panel", function () {
    this.timeout(240_000);
    const openFlow = useFlowPages();
    let slowSettings: Record<string, unknown>;

    before(async function () {
        this.timeout(300_000);
        slowSettings = await slowModelSettings();
    });

    it("streams an answer, stops it, and restores the conversation after a reload", async () => {
        const flow = await openFlow("chat", slowSettings);
        const { page } = flow;
        let chat = await openChatPanel(page);

        await chat.locator('[data-testid="prompt"]').fill(PROMPT);
        await chat.locator('[data-testid="prompt"]').press("Enter");

        const answer = chat.locator('[data-testid="message"][data-role="assistant"]').last();
        const answerBody = answer.locator('[data-testid="message-body"]');
        // Streaming: the answer is marked streaming and its text grows between two looks.
        const first = await waitForValue("the answer to start streaming", async () => ({
            status: await answer.getAttribute("data-status"),
            text: await answerBody.innerText(),
        }), (v) => v.status === "streaming" && v.text.trim().length > 0, 120_000);
        await waitForValue("the streamed text to grow", () => answerBody.innerText(), (t) => t.length > first.text.length, 30_000);

        await chat.locator('[data-testid="stop"]').click();
        await waitForValue("the answer to be marked stopped", () => answer.getAttribute("data-status"), (s) => s === "stopped", 30_000);
        const stoppedText = (await answerBody.innerText()).trim();
        assert.ok(stoppedText.length > first.text.trim().length, "the stopped answer is shorter than what had streamed");
        assert.match(await answer.locator('[data-testid="message-footer"]').innerText(), /\S/, "no footer under the stopped answer");

        await page.reload();
        await waitForWorkbench(page);
        chat = await openChatPanel(page);
        const user = chat.locator('[data-testid="message"][data-role="user"]').last();
        await user.waitFor({ timeout: 30_000 });
        assert.equal((await user.locator('[data-testid="message-body"]').innerText()).trim(), PROMPT);
        const restored = chat.locator('[data-testid="message"][data-role="assistant"]').last();
        assert.equal(await restored.getAttribute("data-status"), "stopped");
        assert.equal((await restored.locator('[data-testid="message-body"]').innerText()).trim(), stoppedText);
        await screenshot(page, "chat");
    });
});
