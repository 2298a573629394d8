/**
 * The chat panel's text is readable in light themes: every text the panel shows (the "earlier messages were left
 * out" note, the You / Hearth labels, message text, footers, chips, code labels) reaches a contrast of 4.5:1 against
 * what is behind it, measured from the computed colours in the real workbench with Light Modern, Light+, Solarized
 * Light, Light High Contrast and, for comparison, Dark Modern (switched in one window through the user settings).
 * A saved chat provides the note, an attachment chip and a code block.
 */
import * as assert from "node:assert/strict";
import { openChatPanel, waitForValue } from "./driver";
import { seedSavedChat } from "./savedChat";
import { session, useFlowPages } from "./session";

const THEMES = ["Light Modern", "Light+", "Solarized Light", "Default High Contrast Light", "Dark Modern"];
const CHAT_ID = "e2e-contrast";

function seedChat(): () => void {
    return seedSavedChat(CHAT_ID, "Contrast", (now) => [
        {
            id: "m-user", role: "user", text: "What does this do?", status: "complete", createdAt: now,
            attachments: [{ id: "a1", kind: "file", label: "main.ts", path: "src/main.ts", languageId: "typescript", text: "x", tokens: 1200, estimated: false }],
        },
        {
            id: "m-answer", role: "assistant", text: "It prints a value:\n\n```python\nprint(42)\n```", status: "complete", createdAt: now,
            droppedMessages: 4, stats: { tokens: 20, tokensPerSecond: 41.5, contextUsed: 1900, contextSize: 8192, promptTokens: 1880 },
        },
    ]);
}

interface Measured { what: string; text: string; ratio: number; color: string; background: string }

describe("e2e: chat panel contrast in light themes", function () {
    this.timeout(180_000);
    const openFlow = useFlowPages();
    let unseed: (() => void) | undefined;

    after(() => unseed?.());

    it("keeps every text of the panel at 4.5:1 or more", async () => {
        unseed = seedChat();
        const failures: string[] = [];
        const { page } = await openFlow("contrast", { "workbench.colorTheme": THEMES[0] });
        const chat = await openChatPanel(page);
        await chat.locator('[data-testid="chat-note"]').waitFor({ timeout: 30_000 });
        const panelBackground = () => chat.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor);
        for (const [i, theme] of THEMES.entries()) {
            if (i > 0) {
                // The user settings change under the open window: VS Code applies the theme, the panel follows.
                const before = await panelBackground();
                (await session()).setUserSettings({ "workbench.colorTheme": theme });
                await waitForValue(`the panel to take the ${theme} colours`, panelBackground, (bg) => bg !== before, 30_000);
            }
            const measured = await chat.locator("body").evaluate((body): Measured[] => {
                type Rgba = [number, number, number, number];
                const parse = (c: string): Rgba => {
                    const m = /rgba?\(([^)]+)\)/.exec(c);
                    if (!m) return [0, 0, 0, 0];
                    const p = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
                    return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
                };
                const over = (top: Rgba, below: Rgba): Rgba => {
                    const a = top[3] + below[3] * (1 - top[3]);
                    if (a === 0) return [0, 0, 0, 0];
                    return [0, 1, 2].map((i) => (top[i]! * top[3] + below[i]! * below[3] * (1 - top[3])) / a).concat(a) as Rgba;
                };
                /** What is painted behind `el`: its own and its ancestors' backgrounds, blended bottom-up. */
                const backgroundOf = (el: Element): Rgba => {
                    const layers: Rgba[] = [];
                    for (let e: Element | null = el; e; e = e.parentElement) layers.push(parse(getComputedStyle(e).backgroundColor));
                    return layers.reverse().reduce((below, top) => over(top, below), [255, 255, 255, 1] as Rgba);
                };
                const luminance = (c: Rgba) => {
                    const [r, g, b] = [c[0], c[1], c[2]].map((v) => {
                        const s = v / 255;
                        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
                    });
                    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
                };
                const checks: [string, string][] = [
                    ["note (earlier messages left out)", '[data-testid="chat-note"]'],
                    ["role label", ".role"],
                    ["user message", '[data-role="user"] [data-testid="message-body"]'],
                    ["assistant message", '[data-role="assistant"] [data-testid="message-body"] p'],
                    ["answer footer", '[data-testid="message-footer"]'],
                    ["attachment chip", '[data-testid="message-attachment"]'],
                    ["code language label", ".code-lang"],
                    ["panel footer", '[data-testid="footer"]'],
                ];
                const out: Measured[] = [];
                for (const [what, selector] of checks) {
                    for (const el of Array.from(body.querySelectorAll(selector))) {
                        const background = backgroundOf(el);
                        const color = over(parse(getComputedStyle(el).color), background);
                        const [l1, l2] = [luminance(color), luminance(background)].sort((a, b) => b - a);
                        out.push({ what, text: (el.textContent ?? "").trim().slice(0, 40), ratio: (l1! + 0.05) / (l2! + 0.05), color: String(color.map(Math.round)), background: String(background.map(Math.round)) });
                    }
                }
                return out;
            });
            assert.ok(measured.some((m) => m.what.startsWith("note")) && measured.some((m) => m.text === "You"), "the seeded chat is shown");
            console.log(`      ${theme}: lowest ${Math.min(...measured.map((m) => m.ratio)).toFixed(2)}:1 (${measured.length} texts)`);
            for (const m of measured) if (m.ratio < 4.5) failures.push(`${theme}: ${m.what} “${m.text}” ${m.ratio.toFixed(2)}:1 (text ${m.color} on ${m.background})`);
        }
        assert.deepEqual(failures, []);
    });
});
