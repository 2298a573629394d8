/** Root hooks for the end-to-end run (loaded first through .mocharc.e2e.json's "file"): one session, stopped once. */
import { stopSession } from "./session";

after(async function () {
    this.timeout(30_000);
    await stopSession();
});
