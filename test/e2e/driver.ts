/**
 * Drives the VS Code workbench as a person would: command palette, quick open, editor typing, context menus,
 * webviews. No fixed sleeps: every step waits for what it needs to see. The only retried step is the palette, which
 * is known to race with contributions registering just after first paint (../shared/vscode-here.md).
 */
import type { FrameLocator, Locator, Page } from "playwright-core";

const QUICK_INPUT = ".quick-input-widget";
const QUICK_INPUT_BOX = ".quick-input-widget .quick-input-box input";
const QUICK_ROWS = ".quick-input-widget .quick-input-list .monaco-list-row";

/** Rows of the open quick pick (command palette, Quick Open, a QuickPick from the extension). */
export function quickPickRows(page: Page): Locator {
    return page.locator(QUICK_ROWS);
}

/** Opens the palette with F1 and runs the command whose title is `title` ("Hearth: Select Model"). */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
        try {
            await page.keyboard.press("F1");
            const input = page.locator(QUICK_INPUT_BOX);
            await input.waitFor({ state: "visible", timeout: 5_000 });
            await input.fill(`>${title}`, { timeout: 5_000 });
            // The row of exactly this command: a fuzzy neighbour ("Hearth: Select Embedding Model" for "Hearth: Select
            // Model") may rank first, e.g. when it was used recently, so Enter could run the wrong command.
            const row = page.locator(QUICK_ROWS, { hasText: title }).first();
            await row.waitFor({ state: "visible", timeout: 3_000 });
            const label = (await row.getAttribute("aria-label")) ?? (await row.innerText());
            if (!label.includes(title)) throw new Error(`palette row is "${label}"`);
            await row.click({ timeout: 3_000 });
            return;
        } catch (err) {
            lastError = err;
            await page.keyboard.press("Escape").catch(() => undefined);
            await page.locator(QUICK_INPUT).waitFor({ state: "hidden", timeout: 2_000 }).catch(() => undefined);
        }
    }
    throw new Error(`could not run "${title}" from the command palette within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor tab to be active. */
export async function openFile(page: Page, relativePath: string): Promise<Locator> {
    const name = relativePath.split("/").pop() ?? relativePath;
    const deadline = Date.now() + 30_000;
    let lastError: unknown;
    while (Date.now() < deadline) {
        try {
            await page.keyboard.press("Control+P");
            const input = page.locator(QUICK_INPUT_BOX);
            await input.waitFor({ state: "visible", timeout: 5_000 });
            await input.fill(relativePath, { timeout: 5_000 });
            await page.locator(QUICK_ROWS, { hasText: name }).first().waitFor({ state: "visible", timeout: 5_000 });
            await input.press("Enter");
            await page.locator(".tabs-container .tab.active", { hasText: name }).waitFor({ timeout: 10_000 });
            return activeEditor(page);
        } catch (err) {
            lastError = err;
            await page.keyboard.press("Escape").catch(() => undefined);
        }
    }
    throw new Error(`could not open ${relativePath} with Quick Open: ${String(lastError)}`);
}

/**
 * The active text editor's Monaco element: the visible one in the active group (a diff editor left open in the same
 * group keeps hidden Monaco editors in the DOM).
 */
export function activeEditor(page: Page): Locator {
    return page.locator(".editor-group-container.active .monaco-editor").filter({ visible: true }).first();
}

/**
 * Gives keyboard focus to the active editor without moving its cursor (a click would), and waits until Monaco says it
 * has focus. VS Code 1.139 takes input through an EditContext element (.native-edit-context); older builds through
 * a textarea (.inputarea).
 */
export async function focusEditor(page: Page): Promise<void> {
    const editor = activeEditor(page);
    await waitForValue("the editor to take keyboard focus", async () => {
        await editor.locator(".native-edit-context, textarea.inputarea").first().focus({ timeout: 5_000 });
        return ((await editor.getAttribute("class")) ?? "").split(/\s+/).includes("focused");
    }, (focused) => focused, 15_000);
}

/** Goes to `line` (1-based) and column with the workbench's Go to Line (Ctrl+G). */
export async function goToLine(page: Page, line: number, column = 1): Promise<void> {
    await focusEditor(page);
    await page.keyboard.press("Control+G");
    const input = page.locator(QUICK_INPUT_BOX);
    await input.waitFor({ state: "visible" });
    await input.fill(`:${line}:${column}`);
    await input.press("Enter");
    await page.locator(QUICK_INPUT).waitFor({ state: "hidden" });
}

/** The text of the active editor's visible lines, in order (Monaco renders only the viewport). */
export async function editorText(page: Page): Promise<string> {
    return activeEditor(page).locator(".view-lines").innerText();
}

/** The content frame of a webview: two iframes deep. `title` narrows it to one webview when several exist. */
export function webviewFrame(page: Page, title?: string): FrameLocator {
    const outer = title ? `iframe.webview.ready[title="${title}"]` : "iframe.webview.ready";
    return page.frameLocator(outer).frameLocator("#active-frame");
}

/** Waits until `read()` satisfies `accept`, polling; returns the last value. */
export async function waitForValue<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    let lastError: unknown;
    while (Date.now() < deadline) {
        try {
            last = await read();
            if (accept(last)) return last;
        } catch (err) {
            lastError = err;
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ""}`);
}

/**
 * Shows the Hearth chat view from the activity bar. Clicking the icon of the container that is already active
 * closes the side bar, so the icon is clicked only while it is not the active ("checked") one.
 */
export async function openChatPanel(page: Page): Promise<FrameLocator> {
    const chat = webviewFrame(page);
    const prompt = chat.locator('[data-testid="prompt"]');
    const item = page.locator(".activitybar .action-item", { has: page.locator('.action-label[aria-label^="Hearth"]') });
    const deadline = Date.now() + 30_000;
    while (!(await prompt.isVisible().catch(() => false))) {
        if (Date.now() > deadline) throw new Error("the Hearth chat view did not show its prompt within 30 s");
        const active = ((await item.getAttribute("class")) ?? "").split(/\s+/).includes("checked");
        if (!active) await item.locator(".action-label").click();
        await prompt.waitFor({ state: "visible", timeout: 5_000 }).catch(() => undefined);
    }
    return chat;
}
