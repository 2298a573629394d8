#!/usr/bin/env node
// A stand-in for the VS Code executable that @vscode/test-electron's runTests({ vscodeExecutablePath }) spawns.
// VS Code desktop cannot be downloaded here, so this script runs the same in-host mocha suite on the real VS Code
// workbench that code-server serves (../shared/vscode-here.md): it starts a private code-server with the smoke-test
// driver, opens the test payload in headless Chromium, forwards the workbench and extension-host console (mocha's
// reporter included) to stdout and exits with the code the workbench hands to codeAutomationExit (0 = all passed).
//
// Reads the arguments runTests passes: --extensionDevelopmentPath=, --extensionTestsPath=, --user-data-dir=,
// --extensions-dir= and a positional folder (from launchArgs). HEARTH_* environment variables are forwarded to the
// extension host. HEARTH_HOST_TIMEOUT_MS (default 600000) bounds the whole run so it can never hang forever.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { format } from "node:util";
import { launchChromium, REPO_ROOT, startWorkbench } from "../../scripts/workbench.mjs";

function parseArgs(argv) {
    const named = {};
    const positional = [];
    for (const arg of argv) {
        const m = /^--([^=]+)=(.*)$/.exec(arg);
        if (m) named[m[1]] = m[2];
        else if (!arg.startsWith("--")) positional.push(arg);
    }
    return { named, positional };
}

const { named, positional } = parseArgs(process.argv.slice(2));
const developmentPath = named.extensionDevelopmentPath;
const testsPath = named.extensionTestsPath;
if (!developmentPath || !testsPath) {
    console.error("launcher: --extensionDevelopmentPath= and --extensionTestsPath= are required (run through runTests).");
    process.exit(2);
}
const folder = positional.length ? path.resolve(positional[positional.length - 1]) : undefined;
const timeoutMs = Number(process.env.HEARTH_HOST_TIMEOUT_MS ?? 600_000);
const resultsDir = path.join(REPO_ROOT, "test-results");
/** Set once the suite prints its first line; see forwardLog. */
let suiteStarted = false;

const workbench = await startWorkbench({
    folder,
    userDataDir: named["user-data-dir"],
    extensionsDir: named["extensions-dir"],
    smokeTestDriver: true,
    // Set by runHostTests.mjs for its Restricted Mode run.
    workspaceTrust: process.env.HEARTH_WORKBENCH_TRUST === "1",
});
const browser = await launchChromium().catch(async (err) => {
    await workbench.stop();
    throw err;
});
let exitCode = 1;
let finished = false;
const stopAll = async () => {
    await browser.close().catch(() => undefined);
    await workbench.stop();
};
process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));
process.once("SIGTERM", () => void stopAll().then(() => process.exit(143)));

try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let resolveDone;
    const done = new Promise((resolve) => (resolveDone = resolve));
    await page.exposeFunction("codeAutomationExit", (code) => {
        finished = true;
        resolveDone(Number(code));
    });
    await page.exposeFunction("codeAutomationLog", (type, args) => forwardLog(type, args));
    page.on("pageerror", (err) => console.error(`[workbench page error] ${err.message}`));

    const remote = (p) => `vscode-remote://127.0.0.1:${workbench.port}${path.resolve(p)}`;
    const payload = [
        ["extensionDevelopmentPath", remote(developmentPath)],
        ["extensionTestsPath", remote(testsPath)],
        ["extensionEnvironment", JSON.stringify(hearthEnvironment())],
    ];
    const query = new URLSearchParams();
    if (folder) query.set("folder", folder);
    query.set("payload", JSON.stringify(payload));
    await page.goto(`${workbench.baseUrl}/?${query}`);

    let timer;
    const timedOut = new Promise((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const serverExit = workbench.exited.then(() => "serverExited");
    const pageClosed = new Promise((resolve) => page.once("crash", () => resolve("pageCrashed")));
    const outcome = await Promise.race([done, timedOut, serverExit, pageClosed]);
    clearTimeout(timer);
    if (typeof outcome === "number") {
        exitCode = outcome;
    } else {
        mkdirSync(resultsDir, { recursive: true });
        const shot = path.join(resultsDir, `host-${outcome}.png`);
        await page.screenshot({ path: shot }).catch(() => undefined);
        const why = {
            timeout: `In-host tests did not finish within ${Math.round(timeoutMs / 1000)} s (HEARTH_HOST_TIMEOUT_MS); a test or the extension host hangs`,
            serverExited: "code-server exited during the run",
            pageCrashed: "the workbench page crashed",
        }[outcome];
        console.error(`\nlauncher: FAILED — ${why}. Screenshot: ${shot}; code-server log: ${workbench.logFile}`);
        exitCode = 1;
    }
} catch (err) {
    console.error(`launcher: ${err instanceof Error ? err.stack : String(err)}`);
    exitCode = 1;
} finally {
    if (!finished && exitCode === 0) exitCode = 1;
    await stopAll();
}
process.exit(exitCode);

/** Environment variables the tests may read inside the extension host. */
function hearthEnvironment() {
    return Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("HEARTH_")));
}

function forwardLog(type, args) {
    // The workbench hands over console.log's raw arguments (mocha's reporter uses printf-style "%s" formats).
    const text = format(...(Array.isArray(args) ? args : [args]));
    if (process.env.HEARTH_HOST_RAW) console.log(JSON.stringify([type, args]));
    // The suite's index prints this marker first; before it only errors matter (e.g. Hearth failing to activate).
    if (text.startsWith("[hearth host tests]")) suiteStarted = true;
    if (!process.env.HEARTH_HOST_VERBOSE) {
        if (isWorkbenchNoise(text)) return;
        if (!suiteStarted && type !== "error") return;
    }
    (type === "error" ? process.stderr : process.stdout).write(text.endsWith("\n") ? text : text + "\n");
}

/** Known harmless workbench chatter on an offline code-server (vscode-here.md); HEARTH_HOST_VERBOSE=1 shows it. */
function isWorkbenchNoise(text) {
    return /ENOTFOUND|open-vsx\.org|vsda|telemetry|Failed to load resource|marketplace|^\[(AgentHost|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection-grace-time)\]|^Creation of workbench contribution|^Creating a socket|connection token/i.test(text);
}
