/**
 * Chinese end to end: select a Chinese paragraph, run Hearth: Translate to English, and the review diff shows the
 * Chinese source (with the CJK font .ci/run installs) next to the proposal; Accept replaces it. The chat
 * shows a Chinese prompt as typed and answers it. The fixture models write nonsense, so the checks are that the
 * Chinese text is shown and the flows complete, not the translation.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { editorText, goToLine, openChatPanel, openFile, runCommand, waitForValue } from "./driver";
import { screenshot, useFlowPages } from "./session";

const PARAGRAPH = "Hearth 是一个在这台电脑上运行语言模型的私人助手，所以在这里输入的内容从不离开本机，断网时也能得到回答。";
const UNTOUCHED = "第二段不会被测试改动。";

function normalise(text: string): string {
    return text.replace(/[\s\u00a0]+/g, " ").trim();
}

describe("e2e: polish a Chinese paragraph (Translate to English)", function () {
    this.timeout(240_000);
    const openFlow = useFlowPages();

    it("shows the Chinese source in the review diff, applies the translation on Accept, and the chat shows Chinese", async () => {
        const flow = await openFlow("polish-chinese");
        const { page } = flow;
        fs.writeFileSync(path.join(flow.folder, "chinese.md"), `# 笔记\n\n${PARAGRAPH}\n\n${UNTOUCHED}\n`);

        await openFile(page, "chinese.md");
        await waitForValue("the Chinese file to show", () => editorText(page), (t) => normalise(t).includes(PARAGRAPH), 15_000);
        await goToLine(page, 3, 1);
        await page.keyboard.press("Control+L");
        await page.keyboard.press("Shift+ArrowLeft");
        await page.locator('[id="status.editor.selection"]', { hasText: `(${PARAGRAPH.length} selected)` }).waitFor({ timeout: 10_000 });
        await runCommand(page, "Hearth: Translate to English");

        // The proposal opens as a diff: its original side shows the Chinese paragraph as text.
        const accept = page.locator('.editor-group-container.active .editor-actions .action-label[aria-label^="Accept Proposed Edit"]');
        await accept.waitFor({ timeout: 120_000 });
        const diff = page.locator(".editor-group-container.active .monaco-diff-editor");
        const original = normalise(await diff.locator(".editor.original .view-lines").innerText());
        assert.ok(original.includes(PARAGRAPH.slice(0, 20)), `the diff's original side does not show the Chinese text:\n${original}`);
        // The Chinese glyphs are laid out as text (docs/screenshots/polish-chinese.png shows them drawn with the CJK font).
        const glyph = await diff.locator(".editor.original .view-line", { hasText: "私人助手" }).first().evaluate((line) => {
            const range = document.createRange();
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const i = (n.textContent ?? "").indexOf("私");
                if (i >= 0) {
                    range.setStart(n, i);
                    range.setEnd(n, i + 1);
                    const r = range.getBoundingClientRect();
                    return { width: r.width, height: r.height };
                }
            }
            return undefined;
        });
        assert.ok(glyph && glyph.width > 0, "no Chinese glyph was laid out");
        await screenshot(page, "polish-chinese");
        await accept.click();

        await page.locator(".tabs-container .tab.active", { hasText: "chinese.md" }).waitFor({ timeout: 10_000 });
        const after = normalise(await waitForValue("the paragraph to be replaced", () => editorText(page), (t) => !normalise(t).includes(PARAGRAPH), 30_000));
        assert.ok(after.includes(UNTOUCHED), `the second paragraph changed:\n${after}`);
        assert.ok(after.includes("# 笔记"), `the heading changed:\n${after}`);

        // The chat shows a Chinese prompt as typed and answers it.
        const chat = await openChatPanel(page);
        const prompt = `把这段翻译成英文：${PARAGRAPH}`;
        await chat.locator('[data-testid="prompt"]').fill(prompt);
        await chat.locator('[data-testid="prompt"]').press("Enter");
        // The panel may still show an earlier flow's conversation (chat history is per user, not per folder) until
        // the webview renders the new message: wait for it instead of reading the last message at once.
        const question = chat.locator('[data-testid="message"][data-role="user"]').last();
        const shown = await waitForValue("the Chinese prompt to show as the last question",
            async () => normalise(await question.locator('[data-testid="message-body"]').innerText()), (t) => t === prompt, 15_000);
        assert.equal(shown, prompt);
        const answer = chat.locator('[data-testid="message"][data-role="assistant"]').last();
        const status = await waitForValue("the answer to end", () => answer.getAttribute("data-status"),
            (s) => s === "complete" || s === "cut" || s === "error", 120_000);
        assert.ok(status === "complete" || status === "cut", `the answer failed: ${await answer.innerText()}`);
        await screenshot(page, "chat-chinese");
    });
});
