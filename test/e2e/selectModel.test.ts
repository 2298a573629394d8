/** Flow 5: "Hearth: Select Model" lists the fixture models with size and fit; the status bar shows the engine state. */
import * as assert from "node:assert/strict";
import { quickPickRows, runCommand, waitForValue } from "./driver";
import { ENGINE_STATUS, screenshot, useFlowPages } from "./session";

describe("e2e flow 5: Select Model and the engine status bar", function () {
    this.timeout(180_000);
    const openFlow = useFlowPages();

    it("lists the fixture models with size and fit, loads the picked one, and the status bar shows it", async () => {
        const flow = await openFlow("select-model");
        const { page } = flow;
        const status = page.locator(ENGINE_STATUS);
        assert.match(await status.innerText(), /Hearth/, "the status bar item shows Hearth before any model is loaded");

        await runCommand(page, "Hearth: Select Model");
        const fixtures = ["stories260K-chat-fim.derived", "stories260K", "llama-2-tiny-random"];
        // Each fixture gets a row with its size (e.g. "1.1 MB") and, once the engine has read it, its fit.
        const rows = await waitForValue(
            "a row with size and fit for each fixture model",
            async () => quickPickRows(page).evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? e.textContent ?? "")),
            (labels) =>
                fixtures.every((name) => labels.some((l) => l.includes(name) && /\d(\.\d)? ?(KB|MB)/.test(l) && /Fits this machine/.test(l))) &&
                // The list is complete once the engine has read every file.
                !labels.some((l) => l.includes("Reading model details")),
            60_000,
        );
        console.log(`      model rows:\n        ${rows.join("\n        ")}`);
        await screenshot(page, "select-model");

        const current = quickPickRows(page).filter({ hasText: "stories260K-chat-fim" }).first();
        await current.click();
        const text = await waitForValue("the status bar to show the loaded model on the CPU", () => status.innerText(), (t) => /CPU/.test(t), 60_000);
        assert.match(text, /stories260K/i);
        await status.hover();
        await page.locator(".monaco-hover", { hasText: "threads" }).first().waitFor({ timeout: 10_000 });
        await screenshot(page, "status-bar");
    });
});
