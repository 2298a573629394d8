/**
 * Flow 2: select a paragraph in a markdown file, right-click → Hearth: Polish Selection → Make Shorter, accept the
 * diff, see the paragraph replaced; Ctrl+Z restores it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { activeEditor, editorText, focusEditor, goToLine, openFile, waitForValue } from "./driver";
import { screenshot, useFlowPages } from "./session";

/**
 * Compares text the way a person reads it: Monaco renders spaces as U+00A0 and wraps long lines into several
 * visual lines, so whitespace runs are collapsed on both sides.
 */
function normalise(text: string): string {
    return text.replace(/[\s\u00a0]+/g, " ").trim();
}

/** The editor-title action of the review diff with this title (shown while the context keys allow it). */
function titleAction(page: Page, title: string) {
    return page.locator(`.editor-group-container.active .editor-actions .action-label[aria-label^="${title}"]`);
}

describe("e2e flow 2: polish a markdown paragraph", function () {
    this.timeout(240_000);
    const openFlow = useFlowPages();

    it("makes a paragraph shorter through the context menu, applies it on Accept, and Ctrl+Z restores it", async () => {
        const flow = await openFlow("polish");
        const { page } = flow;
        const lines = fs.readFileSync(path.join(flow.folder, "notes.md"), "utf8").split("\n");
        const paragraph = normalise(lines[2]!);
        const untouched = normalise(lines[4]!);
        assert.ok(paragraph.length > 80, "notes.md line 3 should be the long first paragraph");

        await openFile(page, "notes.md");
        // The paragraph is line 3 (wrapped on screen): Ctrl+L selects the line with its break, Shift+Left drops the break.
        await goToLine(page, 3, 1);
        await page.keyboard.press("Control+L");
        await page.keyboard.press("Shift+ArrowLeft");
        await page.locator('[id="status.editor.selection"]', { hasText: `(${lines[2]!.length} selected)` }).waitFor({ timeout: 10_000 });

        // Right-click inside the selection → the Hearth submenu → Make Shorter.
        await activeEditor(page).locator(".view-line", { hasText: paragraph.slice(0, 30) }).click({ button: "right", position: { x: 40, y: 5 } });
        await page.getByRole("menuitem", { name: "Hearth: Polish Selection" }).hover();
        // A click right after the submenu renders can be swallowed by the menu, so the item is hovered until the menu
        // marks it focused, then Enter runs it.
        const shorter = page.getByRole("menuitem", { name: "Make Shorter" });
        // The submenu sits inside its parent item, so the innermost match (last) is the Make Shorter item.
        const shorterItem = page.locator(".monaco-menu li.action-item", { has: shorter }).last();
        await waitForValue("Make Shorter to be focused in the submenu", async () => {
            await shorter.hover({ timeout: 5_000 });
            return (await shorterItem.getAttribute("class")) ?? "";
        }, (cls) => cls.split(/\s+/).includes("focused"), 15_000);
        await page.keyboard.press("Enter");
        await shorter.waitFor({ state: "hidden", timeout: 10_000 });

        // The proposal opens as a diff; Accept appears once the model has finished writing.
        const accept = titleAction(page, "Accept Proposed Edit");
        await accept.waitFor({ timeout: 120_000 });
        await page.locator(".editor-group-container.active .monaco-diff-editor").waitFor();
        await screenshot(page, "polish");
        await accept.click();

        // Accept brings notes.md back: the first paragraph is replaced, the second is untouched.
        await page.locator(".tabs-container .tab.active", { hasText: "notes.md" }).waitFor({ timeout: 10_000 });
        const after = normalise(await waitForValue("the paragraph to be replaced", () => editorText(page), (t) => !normalise(t).includes(paragraph), 30_000));
        assert.ok(after.includes(untouched), `the second paragraph changed:\n${after}`);
        assert.ok(after.includes("# Notes"), `the heading changed:\n${after}`);
        await screenshot(page, "polish-applied");

        // One undo step restores the original paragraph.
        await focusEditor(page);
        await page.keyboard.press("Control+Z");
        const restored = normalise(await waitForValue("Ctrl+Z to restore the paragraph", () => editorText(page), (t) => normalise(t).includes(paragraph), 15_000));
        assert.ok(restored.includes(untouched));
    });
});
