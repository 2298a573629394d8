/**
 * Flow: ask an @workspace question in the chat panel; the answer comes with a Sources list built from the workspace
 * index; clicking a source opens that file with the cursor on the cited line.
 */
import * as assert from "node:assert/strict";
import { openChatPanel, waitForValue } from "./driver";
import { screenshot, useFlowPages } from "./session";

const QUESTION = "@workspace What colour is the lighthouse door painted?";

describe("e2e flow: @workspace question with sources", function () {
    this.timeout(240_000);
    const openFlow = useFlowPages();

    it("answers from the index with a Sources list, and a source opens the file at the cited line", async () => {
        const { page } = await openFlow("workspace-question");
        const chat = await openChatPanel(page);
        const prompt = chat.locator('[data-testid="prompt"]');
        const answers = chat.locator('[data-testid="message"][data-role="assistant"]');
        // The index is built in the background a few seconds after start-up: until it has the file, Hearth says the
        // index is still being built (or has nothing) instead of answering; ask again then.
        const sources = await waitForValue("an answer with sources", async () => {
            const before = await answers.count();
            await prompt.fill(QUESTION);
            await prompt.press("Enter");
            const answer = answers.nth(before);
            await waitForValue("the answer to finish", () => answer.getAttribute("data-status"), (s) => s !== null && s !== "streaming", 90_000);
            const links = answer.locator('[data-testid="sources"] [data-testid="source-link"]');
            return { links, count: await links.count() };
        }, (r) => r.count > 0, 120_000);

        const first = sources.links.first();
        const label = (await first.innerText()).trim();
        const cited = /^harbour\.md:(\d+)/.exec(label);
        assert.ok(cited, `the first source is the harbour note (${label})`);
        await first.click();

        const tab = page.locator(".tabs-container .tab.active");
        await waitForValue("harbour.md to open", () => tab.innerText(), (t) => /harbour\s*\.md/.test(t), 30_000);
        const cursor = page.locator("#status\\.editor\\.selection");
        const position = await waitForValue("the cursor on the cited line", () => cursor.innerText(), (t) => /Ln \d+/.test(t), 30_000);
        assert.equal(Number(/Ln (\d+)/.exec(position)![1]), Number(cited![1]), `cursor at ${position}, source ${label}`);
        await screenshot(page, "workspace-question");
    });
});
