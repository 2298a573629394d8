/**
 * First contact: a user with no model configured asks the chat a question. Instead of an error they get one message
 * with Select Model and Download Model; one click on Select Model, one on a model, and the question they asked is
 * answered. The session's user settings (which name a model for every other flow) lose `hearth.model` for this flow
 * (openFlow's user settings; undefined removes a key) and get it back afterwards.
 */
import * as assert from "node:assert/strict";
import { openChatPanel, quickPickRows, runCommand, waitForValue } from "./driver";
import { screenshot, useFlowPages } from "./session";

const QUESTION = "Tell me a story about a dog.";

describe("e2e: first contact without a model", function () {
    this.timeout(240_000);
    const openFlow = useFlowPages();

    it("answers the first question after one click on Select Model and one on a model, with no error on the way", async () => {
        const { page } = await openFlow("first-contact", { "hearth.model": undefined });
        // Without a model the Get Started walkthrough opens too; its webview would be a second one on the page.
        await page.locator(".tab", { hasText: "Welcome" }).waitFor({ timeout: 30_000 }).catch(() => undefined);
        await runCommand(page, "View: Close All Editors");
        const chat = await openChatPanel(page);
        // The panel says there is no model and offers both ways out.
        await chat.locator('[data-testid="model-status"] [data-testid="select-model"]').waitFor({ timeout: 30_000 });

        await chat.locator('[data-testid="prompt"]').fill(QUESTION);
        await chat.locator('[data-testid="prompt"]').press("Enter");

        const offer = page.locator(".notification-toast", { hasText: "Hearth needs a model to answer" });
        await offer.waitFor({ timeout: 30_000 });
        assert.ok(await offer.getByRole("button", { name: "Download Model" }).isVisible(), "the offer has Download Model too");
        await screenshot(page, "first-contact");
        await offer.getByRole("button", { name: "Select Model" }).click();

        // The rows settle once the engine has read every file (until then they are re-rendered under the pointer).
        await waitForValue("the model list to settle", () => quickPickRows(page).evaluateAll((els) => els.map((e) => e.textContent ?? "")),
            (rows) => rows.some((r) => r.includes("stories260K-chat-fim")) && !rows.some((r) => r.includes("Reading model details")), 60_000);
        await quickPickRows(page).filter({ hasText: "stories260K-chat-fim" }).first().click();

        const answer = chat.locator('[data-testid="message"][data-role="assistant"]').last();
        const final = await waitForValue("the question to be answered", async () => ({
            status: await answer.getAttribute("data-status"),
            text: (await answer.locator('[data-testid="message-body"]').innerText()).trim(),
        }), (v) => v.status === "complete" || v.status === "cut" || v.status === "error", 120_000);
        // "cut": ended at hearth.chat.maxTokens (a finished answer, marked so Continue can go on with it).
        assert.ok(final.status === "complete" || final.status === "cut", `the answer failed: ${final.text}`);
        assert.ok(final.text.length > 0);
        assert.equal((await chat.locator('[data-testid="message"][data-role="user"]').last().innerText()).includes(QUESTION), true);
        assert.equal(await chat.locator('[data-testid="message"][data-status="error"]').count(), 0, "an error was shown on the way");
    });
});
