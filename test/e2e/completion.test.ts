/** Flow 4: type in a source file, see ghost text, press Tab, see it inserted. */
import * as assert from "node:assert/strict";
import { activeEditor, editorText, focusEditor, goToLine, openFile, waitForValue } from "./driver";
import { screenshot, useFlowPages } from "./session";

/** Monaco renders spaces as U+00A0 and may split ghost text over several elements. */
function plain(text: string): string {
    return text.replace(/\u00a0/g, " ");
}

describe("e2e flow 4: inline suggestions", function () {
    this.timeout(240_000);
    const openFlow = useFlowPages();

    it("shows ghost text while typing and Tab inserts it", async () => {
        const flow = await openFlow("completion");
        const { page } = flow;
        await openFile(page, "sample.py");
        // sample.py has 7 lines; type a new comment line at its end, as a person would.
        await goToLine(page, 7, 100);
        await focusEditor(page);
        await page.keyboard.press("End");
        await page.keyboard.press("Enter");
        await page.keyboard.press("Enter");
        await page.keyboard.type("# Once upon a time, there was a little", { delay: 30 });

        const ghost = activeEditor(page).locator(".ghost-text-decoration, .ghost-text").filter({ visible: true });
        const suggestion = plain(await waitForValue("ghost text to appear", async () => (await ghost.allInnerTexts()).join(""), (t) => t.trim().length > 0, 60_000));
        console.log(`      ghost text: ${JSON.stringify(suggestion)}`);
        await screenshot(page, "completion");

        await page.keyboard.press("Tab");
        await ghost.first().waitFor({ state: "hidden", timeout: 10_000 });
        // The first line of the suggestion is now real text on the typed line.
        const firstLine = suggestion.split("\n")[0]!.trimEnd();
        const text = plain(await waitForValue("the suggestion to be inserted", () => editorText(page), (t) => plain(t).includes(`there was a little${firstLine}`), 10_000));
        assert.ok(text.includes("def add(a, b):"), "the rest of the file changed");
    });
});
