/**
 * Flow: a chat long enough to be summarised, in the real workbench with the packaged extension. The panel shows the
 * "Earlier messages, summarised" item after the messages it stands in for; it expands, is edited in place, and the
 * edit is kept; it is deleted after a confirmation; a message is pinned (badge, and the room line says what pins and summary cost); the text of every
 * one of these controls keeps a contrast of at least 4.5:1 against what it is drawn on, in dark, light and both high
 * contrast themes (measured from the computed colours in the webview).
 */
import * as assert from "node:assert/strict";
import type { FrameLocator, Locator } from "playwright-core";
import { openChatPanel, waitForValue } from "./driver";
import { screenshot, useFlowPages } from "./session";

const TOPICS = ["a dog", "the sea", "a red ball", "a big tree", "a little bird", "the moon", "a cat", "a fast car"];
const EDITED = "The user asked for stories about animals and places. Their cat is called Zorro.";
const THEMES = ["Dark Modern", "Light Modern", "Default High Contrast", "Default High Contrast Light"];

/** WCAG contrast of an element's text against the colours it is painted on (ancestors' backgrounds composited). */
async function contrast(locator: Locator): Promise<{ ratio: number; color: string; background: string }> {
    // The panel re-renders on every state change: measure again when the element was replaced mid-way.
    for (let attempt = 0; ; attempt++) {
        const measured = await measure(locator);
        if (measured) return measured;
        if (attempt >= 10) throw new Error("the element kept being replaced while it was measured");
        await new Promise((r) => setTimeout(r, 200));
    }
}

function measure(locator: Locator): Promise<{ ratio: number; color: string; background: string } | null> {
    return locator.evaluate((el) => {
        // A webview that is being re-created (theme change) computes no styles yet: "" everywhere. Measure again.
        if (!el.isConnected || getComputedStyle(el).color === "") return null;
        type Rgba = [number, number, number, number];
        const parse = (css: string): Rgba => {
            const m = /rgba?\(([^)]+)\)/.exec(css);
            if (!m) throw new Error(`unexpected colour format: ${css}`);
            const p = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
            return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
        };
        const over = (top: Rgba, below: Rgba): Rgba => [0, 1, 2].map((i) => top[i]! * top[3] + below[i]! * (1 - top[3])).concat(1) as Rgba;
        const layers: Rgba[] = [];
        for (let n: Element | null = el; n; n = n.parentElement) {
            const bg = getComputedStyle(n).backgroundColor;
            if (bg === "") return null;
            layers.push(parse(bg));
        }
        let background: Rgba = [255, 255, 255, 1];
        for (const layer of layers.reverse()) background = over(layer, background);
        const color = over(parse(getComputedStyle(el).color), background);
        const luminance = (c: Rgba) => {
            const [r, g, b] = [c[0], c[1], c[2]].map((v) => {
                const s = v / 255;
                return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
        };
        const [hi, lo] = [luminance(color), luminance(background)].sort((a, b) => b - a);
        const css = (c: Rgba) => `rgb(${c.slice(0, 3).map(Math.round).join(", ")})`;
        return { ratio: (hi! + 0.05) / (lo! + 0.05), color: css(color), background: css(background) };
    });
}

async function assertReadable(chat: FrameLocator, theme: string): Promise<string[]> {
    const report: string[] = [];
    const targets: [string, Locator][] = [
        ["summary title", chat.locator('[data-testid="chat-summary"] .summary-title')],
        ["summary text", chat.locator('[data-testid="summary-text"]')],
        ["summary Edit button", chat.locator('[data-testid="summary-edit"]')],
        ["pinned badge", chat.locator('[data-testid="pinned-badge"]').first()],
        ["room line", chat.locator('[data-testid="memory-room"]')],
    ];
    for (const [what, locator] of targets) {
        await locator.waitFor({ state: "visible", timeout: 10_000 });
        const c = await contrast(locator);
        report.push(`${what} ${c.ratio.toFixed(1)}:1`);
        assert.ok(c.ratio >= 4.5, `${theme}: ${what} has contrast ${c.ratio.toFixed(2)}:1 (${c.color} on ${c.background})`);
    }
    return report;
}

describe("e2e: long chat memory (summary, pin, contrast)", function () {
    this.timeout(300_000);
    const openFlow = useFlowPages();

    it("summarises a long chat, edits the summary in place, pins a message, and stays readable in four themes", async () => {
        const { page } = await openFlow("chat-memory", { "workbench.colorTheme": THEMES[0] });
        const chat = await openChatPanel(page);
        await chat.locator('[data-testid="chat-new"]').click();
        const summary = chat.locator('[data-testid="chat-summary"]');
        const prompt = chat.locator('[data-testid="prompt"]');
        for (let round = 1; round <= 12 && !(await summary.isVisible()); round++) {
            await prompt.fill(`Round ${round}. Tell me a story about ${TOPICS[round % TOPICS.length]}.`);
            await prompt.press("Enter");
            const answer = chat.locator('[data-testid="message"][data-role="assistant"]').last();
            await waitForValue(`answer ${round}`, () => answer.getAttribute("data-status"), (s) => s === "complete" || s === "cut" || s === "error", 60_000);
            // A reader pauses before the next prompt: that is when the summary is written.
            await waitForValue("the summary to settle", async () => ({
                busy: ((await chat.locator('[data-testid="memory-room"]').textContent()) ?? "").includes("…"),
                shown: await summary.isVisible(),
            }), (v) => !v.busy, 30_000);
            await page.waitForTimeout(300);
        }
        await summary.waitFor({ state: "visible", timeout: 30_000 });
        assert.equal(await summary.getAttribute("data-state"), "ready");
        // It sits after the messages it stands in for, which are marked as summarised.
        const before = summary.locator("xpath=preceding-sibling::*[1]");
        assert.match((await before.getAttribute("class")) ?? "", /\bsummarised\b/);

        await summary.locator("summary").click();
        const text = chat.locator('[data-testid="summary-text"]');
        await text.waitFor({ state: "visible" });
        assert.ok(((await text.innerText()).trim()).length > 0, "the summary is empty");
        await chat.locator('[data-testid="summary-edit"]').click();
        await chat.locator('[data-testid="summary-editor"]').fill(EDITED);
        await chat.locator('[data-testid="summary-save"]').click();
        await waitForValue("the edited summary", () => text.innerText().catch(() => ""), (t) => t.trim() === EDITED, 15_000);

        const first = chat.locator('[data-testid="message"][data-role="user"]').first();
        await first.hover();
        await first.locator('[data-testid="message-pin"]').click();
        await first.locator('[data-testid="pinned-badge"]').waitFor({ timeout: 10_000 });
        const room = await chat.locator('[data-testid="memory-room"]').innerText();
        assert.match(room, /Pinned \d+ · summary \d+ · room left for the conversation: [\d.k]+ of [\d.k]+ tokens/);
        await screenshot(page, "chat-memory");
        console.log(`      ${THEMES[0]}: ${(await assertReadable(chat, THEMES[0]!)).join(", ")}`);

        // Delete asks first (a modal dialog of the workbench), then the item says the model forgot those messages.
        await chat.locator('[data-testid="summary-delete"]').click();
        const dialog = page.locator(".monaco-dialog-box");
        await dialog.waitFor({ timeout: 10_000 });
        await dialog.getByRole("button", { name: "Delete", exact: true }).click();
        await waitForValue("the summary to be deleted", () => summary.getAttribute("data-state"), (s) => s === "empty", 15_000);
        assert.match(await chat.locator('[data-testid="summary-text"]').innerText(), /no longer knows/);

        // The same chat in the other themes (it is the current chat of the profile).
        for (const theme of THEMES.slice(1)) {
            const flow = await openFlow(`chat-memory-${theme.replace(/\W+/g, "-").toLowerCase()}`, { "workbench.colorTheme": theme });
            const again = await openChatPanel(flow.page);
            // A new window loads the model on its first request; the room line needs the model's context.
            await again.locator('[data-testid="prompt"]').fill(`And now a story about ${theme}.`);
            await again.locator('[data-testid="prompt"]').press("Enter");
            const answer = again.locator('[data-testid="message"][data-role="assistant"]').last();
            await waitForValue("the answer", () => answer.getAttribute("data-status"), (s) => s === "complete" || s === "cut", 60_000);
            await again.locator('[data-testid="chat-summary"] summary').click();
            console.log(`      ${theme}: ${(await assertReadable(again, theme)).join(", ")}`);
            await flow.close();
        }
    });
});
