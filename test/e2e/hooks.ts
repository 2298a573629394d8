/** Root hooks for the end-to-end run (loaded first through .mocharc.e2e.json's "file"): one session, stopped once. */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/fixtures";
import { openPages, stopSession } from "./session";

const RESULTS_DIR = path.join(REPO_ROOT, "test-results");

afterEach(async function () {
    // A failing flow leaves a screenshot of what the workbench showed, to say why.
    if (this.currentTest?.state !== "failed") return;
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    let i = 0;
    for (const page of openPages) {
        const file = path.join(RESULTS_DIR, `e2e-${this.currentTest.title.replace(/[^\w]+/g, "-").slice(0, 60)}-${i++}.png`);
        await page.screenshot({ path: file }).then(() => console.log(`      failure screenshot: ${path.relative(REPO_ROOT, file)}`), () => undefined);
    }
});

after(async function () {
    this.timeout(30_000);
    await stopSession();
});
