// `npm run test:host`: runs the mocha suite in out/test/host/suite/ INSIDE VS Code's extension host with Hearth
// (this repo) as the development extension, through @vscode/test-electron's runTests. On a desktop machine that can
// download VS Code, drop vscodeExecutablePath and the same suite runs in VS Code desktop; here the executable is
// test/host/launcher.mjs, which runs it on the code-server workbench.
//
// Each run gets a fresh copy of test/host/workspace/ and a fresh profile whose user settings point hearth.model at
// the real fixture model with 1 thread on the CPU. Options: --grep <regexp> (only matching tests),
// HEARTH_HOST_TIMEOUT_MS (whole-run limit, default 600000), HEARTH_HOST_VERBOSE=1 (all workbench log lines).
import { runTests } from "@vscode/test-electron";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { assertToolsInstalled, REPO_ROOT } from "../../scripts/workbench.mjs";

const grepIndex = process.argv.indexOf("--grep");
const grep = grepIndex >= 0 ? process.argv[grepIndex + 1] : undefined;

const fixturesDir = process.env.HEARTH_FIXTURES ?? path.resolve(REPO_ROOT, "..", "shared", "fixtures", "models");
const testsIndex = path.join(REPO_ROOT, "out", "test", "host", "suite", "index.js");
const problems = [];
if (!existsSync(fixturesDir)) problems.push(`GGUF fixtures not found at ${fixturesDir} (clone Hearth next to shared/, or set HEARTH_FIXTURES)`);
if (!existsSync(testsIndex)) problems.push(`${path.relative(REPO_ROOT, testsIndex)} is missing: run \`npx tsc -p .\` first`);
if (!existsSync(path.join(REPO_ROOT, "dist", "extension.js"))) problems.push("dist/extension.js is missing: run `npm run build` first");
try {
    assertToolsInstalled();
} catch (err) {
    problems.push(err.message);
}
if (problems.length) {
    console.error(`test:host cannot start:\n - ${problems.join("\n - ")}`);
    process.exit(1);
}

const runRoot = path.join(REPO_ROOT, ".test-workspaces", "host");
const workspace = path.join(runRoot, "workspace");
const userDataDir = path.join(runRoot, "profile");
rmSync(runRoot, { recursive: true, force: true, maxRetries: 3 });
mkdirSync(path.join(userDataDir, "User"), { recursive: true });
cpSync(path.join(REPO_ROOT, "test", "host", "workspace"), workspace, { recursive: true });
writeFileSync(path.join(userDataDir, "User", "settings.json"), JSON.stringify(hostTestSettings(), null, 2));

const started = Date.now();
try {
    await runTests({
        vscodeExecutablePath: path.join(REPO_ROOT, "test", "host", "launcher.mjs"),
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: testsIndex,
        launchArgs: [workspace, `--user-data-dir=${userDataDir}`, `--extensions-dir=${path.join(userDataDir, "extensions")}`],
        extensionTestsEnv: {
            HEARTH_FIXTURES: fixturesDir,
            HEARTH_TEST_WORKSPACE: workspace,
            ...(grep ? { HEARTH_HOST_GREP: grep } : {}),
        },
    });
    console.log(`\ntest:host passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
    console.error(`\ntest:host FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
}

/** User settings for the run: the fixture model, small and on one CPU thread (see ../shared/fixtures/README.md). */
function hostTestSettings() {
    return {
        "hearth.model": path.join(fixturesDir, "stories260K-chat-fim.derived.gguf"),
        "hearth.modelFolders": [fixturesDir],
        "hearth.threads": 1,
        "hearth.contextSize": 1024,
        "hearth.gpu": "cpu",
        "hearth.chat.maxTokens": 48,
        "hearth.completions.maxTokens": 16,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "update.mode": "none",
        "security.workspace.trust.enabled": false,
    };
}
