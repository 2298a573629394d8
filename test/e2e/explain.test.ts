/**
 * Flow 3: open a file with an error diagnostic, open the lightbulb, choose Explain with Hearth, see the answer stream
 * into the chat panel.
 */
import * as assert from "node:assert/strict";
import { activeEditor, goToLine, openFile, waitForValue, webviewFrame } from "./driver";
import { screenshot, useFlowPages } from "./session";
import { slowModelSettings } from "./slowModel";

describe("e2e flow 3: explain an error from the lightbulb", function () {
    this.timeout(240_000);
    const openFlow = useFlowPages();
    let slowSettings: Record<string, unknown>;

    before(async function () {
        this.timeout(300_000);
        slowSettings = await slowModelSettings();
    });

    it("streams the explanation of a JSON syntax error into the chat panel", async () => {
        // The slow model: the fixture model would finish its answer before the chat panel has even rendered.
        const flow = await openFlow("explain", slowSettings);
        const { page } = flow;
        await openFile(page, "config.json");
        // config.json misses a comma before line 4: VS Code's JSON language service reports an error there.
        await activeEditor(page).locator(".squiggly-error").first().waitFor({ timeout: 60_000 });
        await goToLine(page, 4, 5);

        const lightbulb = page.locator(".editor-group-container.active .lightBulbWidget").first();
        await lightbulb.waitFor({ state: "visible", timeout: 30_000 });
        await lightbulb.click();
        const explain = page.locator(".action-widget .monaco-list-row", { hasText: "Explain with Hearth" }).first();
        await explain.waitFor({ timeout: 15_000 });
        await explain.click();

        const chat = webviewFrame(page);
        const user = chat.locator('[data-testid="message"][data-role="user"]').last();
        await user.waitFor({ timeout: 30_000 });
        assert.match(await user.innerText(), /config\.json/, "the chat turn does not name the file");
        const answer = chat.locator('[data-testid="message"][data-role="assistant"]').last();
        const body = answer.locator('[data-testid="message-body"]');
        const streaming = await waitForValue("the explanation to stream", async () => ({
            status: await answer.getAttribute("data-status"),
            text: await body.innerText(),
        }), (v) => v.status === "streaming" && v.text.trim().length > 0, 120_000);
        await waitForValue("the explanation to grow while streaming", () => body.innerText(), (t) => t.trim().length > streaming.text.trim().length, 30_000);
        await screenshot(page, "explain");
        // The slow model would write up to hearth.chat.maxTokens of gibberish; Stop ends the flow once streaming is seen.
        await chat.locator('[data-testid="stop"]').click();
        await waitForValue("the explanation to end", () => answer.getAttribute("data-status"), (s) => s === "stopped" || s === "complete" || s === "cut", 30_000);
    });
});
