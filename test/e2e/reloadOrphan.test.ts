/**
 * Reloading the window while an answer streams leaves no orphan engine process (issue 15): the engine process of
 * this window (found by pid: a process running the installed VSIX's dist/engine.mjs that appeared when this flow
 * started its chat) is gone within the limit after the reload, and the reloaded window can chat again.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { openChatPanel, waitForValue } from "./driver";
import { RUN_ROOT, useFlowPages, waitForWorkbench } from "./session";
import { slowModelSettings } from "./slowModel";

/** How long after the reload the old engine may take to go (it gets the host's disconnect, then exits). */
const GONE_WITHIN_MS = 20_000;

/** Pids of Hearth engine processes started from the e2e run's installed extension. */
function enginePids(): Set<number> {
    const pids = new Set<number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        let cmdline: string;
        try {
            cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
        } catch {
            continue;
        }
        const args = cmdline.split("\0");
        if (args.some((a) => a.startsWith(RUN_ROOT) && a.endsWith("/dist/engine.mjs"))) pids.add(Number(entry));
    }
    return pids;
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return !fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2]?.startsWith("Z");
    } catch {
        return false;
    }
}

describe("e2e: reloading the window mid-generation", function () {
    this.timeout(240_000);
    const openFlow = useFlowPages();
    let slowSettings: Record<string, unknown>;

    before(async function () {
        this.timeout(300_000);
        slowSettings = await slowModelSettings();
    });

    it("leaves no orphan engine process, and the reloaded window chats again", async () => {
        const before = enginePids();
        const { page } = await openFlow("reload-orphan", slowSettings);
        let chat = await openChatPanel(page);
        await chat.locator('[data-testid="prompt"]').fill("Tell me a very long story about a lighthouse.");
        await chat.locator('[data-testid="prompt"]').press("Enter");
        const answer = chat.locator('[data-testid="message"][data-role="assistant"]').last();
        await waitForValue("the answer to start streaming", async () => ({
            status: await answer.getAttribute("data-status"),
            text: await answer.locator('[data-testid="message-body"]').innerText(),
        }), (v) => v.status === "streaming" && v.text.trim().length > 0, 120_000);
        const mine = [...enginePids()].filter((pid) => !before.has(pid));
        assert.equal(mine.length, 1, `expected this window's one engine process, found ${mine.join(", ") || "none"}`);
        const pid = mine[0]!;

        const reloadedAt = Date.now();
        await page.reload();
        const gone = await waitForValue(`engine pid ${pid} to exit after the reload`, async () => !alive(pid), (g) => g, GONE_WITHIN_MS);
        assert.ok(gone);
        console.log(`      engine pid ${pid} was gone ${Date.now() - reloadedAt} ms after the reload`);

        await waitForWorkbench(page);
        chat = await openChatPanel(page);
        const restored = chat.locator('[data-testid="message"][data-role="assistant"]').last();
        // The answer cut by the reload is kept and marked as interrupted.
        await waitForValue("the interrupted answer to be restored", () => restored.getAttribute("data-status"), (s) => s === "interrupted", 30_000);
        await chat.locator('[data-testid="prompt"]').fill("And then?");
        await chat.locator('[data-testid="prompt"]').press("Enter");
        const next = chat.locator('[data-testid="message"][data-role="assistant"]').last();
        await waitForValue("the reloaded window to stream a new answer", () => next.getAttribute("data-status"), (s) => s === "streaming", 120_000);
        const engines = [...enginePids()].filter((p) => !before.has(p) && alive(p));
        assert.equal(engines.length, 1, `engine processes of this window after the reload: ${engines.join(", ")}`);
        assert.notEqual(engines[0], pid);
        await chat.locator('[data-testid="stop"]').click();
    });
});
