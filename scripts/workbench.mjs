// Starts a private code-server (the real VS Code 1.139 workbench, see ../shared/vscode-here.md) on a free loopback
// port with a fresh user-data dir, for the in-host tests, the end-to-end tests and `npm start`.
//
//   import { startWorkbench } from "./workbench.mjs";
//   const wb = await startWorkbench({ folder: "/abs/workspace", settings: { "hearth.threads": 1 } });
//   console.log(wb.url);          // http://127.0.0.1:PORT/?folder=/abs/workspace
//   await wb.stop();              // kills code-server and everything it started; removes the fresh profile
//
// The tools come from scripts/install-tools.mjs (.tools/); this module throws a clear message when they are missing.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { toolPaths } from "./workbench-paths.mjs";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const TOOLS = toolPaths(REPO_ROOT);

/** Chromium flags that make headless Debian Chromium quiet, offline and deterministic. */
export const CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

export function assertToolsInstalled() {
    const missing = [];
    if (!existsSync(TOOLS.node24Bin)) missing.push("Node 24");
    if (!existsSync(TOOLS.codeServerEntry)) missing.push("code-server");
    if (!existsSync(TOOLS.chromium)) missing.push(`Chromium (${TOOLS.chromium})`);
    if (missing.length) {
        throw new Error(`Workbench tools missing: ${missing.join(", ")}. Run \`node scripts/install-tools.mjs\` first.`);
    }
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the tiny race until code-server binds is acceptable). */
export function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
        });
    });
}

/** Environment for running code-server: Node 24 first on PATH (else the workbench page answers 500). */
function serverEnv(userDataDir, extra) {
    return {
        ...process.env,
        PATH: `${TOOLS.node24BinDir}${path.delimiter}${process.env.PATH ?? ""}`,
        // Keep code-server out of ~/.config and ~/.local/share.
        XDG_CONFIG_HOME: path.join(userDataDir, "xdg-config"),
        XDG_DATA_HOME: path.join(userDataDir, "xdg-data"),
        ...extra,
    };
}

/** Installs a .vsix (or an extension id) into a profile with `code-server --install-extension`. */
export function installExtension(vsixPath, { userDataDir, extensionsDir }) {
    assertToolsInstalled();
    const r = spawnSync(TOOLS.node24Bin, [
        TOOLS.codeServerEntry,
        "--user-data-dir", userDataDir,
        "--extensions-dir", extensionsDir,
        "--install-extension", vsixPath,
        "--force",
    ], { env: serverEnv(userDataDir, {}), encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(`code-server --install-extension ${vsixPath} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    return r.stdout;
}

async function waitForHealthz(baseUrl, child, logFile, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`code-server exited with code ${child.exitCode} before it was ready. Log: ${logFile}\n${tail(logFile)}`);
        }
        try {
            const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
            if (res.ok) return;
        } catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms. Log: ${logFile}\n${tail(logFile)}`);
}

function tail(file, lines = 30) {
    try {
        return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
        return "";
    }
}

/**
 * Writes a profile's user settings. code-server's workbench is a remote window: machine-scoped settings (hearth.model,
 * hearth.modelFolders) are read only from the remote machine's settings, `<user-data-dir>/Machine/settings.json`, and
 * ignored in `User/settings.json` (VS Code's LOCAL_MACHINE_SCOPES exclude MACHINE). The same settings go into both.
 */
export function writeUserSettings(userDataDir, settings) {
    for (const dir of ["User", "Machine"]) {
        mkdirSync(path.join(userDataDir, dir), { recursive: true });
        writeFileSync(path.join(userDataDir, dir, "settings.json"), JSON.stringify(settings, null, 2));
    }
}

/**
 * Starts code-server. Options (all optional):
 *   folder: workspace folder to open (absolute); settings: user settings.json content;
 *   userDataDir / extensionsDir: reuse a profile (default: a fresh one, removed by stop());
 *   smokeTestDriver: start with `--vscode-option enable-smoke-test-driver` (needed for test payloads);
 *   workspaceTrust: leave Workspace Trust on (default: --disable-workspace-trust);
 *   env: extra environment for the server and so the extension host; logFile: where the server log goes;
 *   startTimeoutMs (default 60 s).
 * Returns { url, baseUrl, port, userDataDir, extensionsDir, logFile, pid, stop(), exited }.
 */
export async function startWorkbench(options = {}) {
    assertToolsInstalled();
    const ownsProfile = !options.userDataDir;
    const userDataDir = options.userDataDir ?? mkdtempSync(path.join(os.tmpdir(), "hearth-workbench-"));
    const extensionsDir = options.extensionsDir ?? path.join(userDataDir, "extensions");
    mkdirSync(extensionsDir, { recursive: true });
    if (options.settings) writeUserSettings(userDataDir, options.settings);
    const port = await freePort();
    const logFile = options.logFile ?? path.join(userDataDir, "code-server.log");
    const args = [
        TOOLS.codeServerEntry,
        "--auth", "none",
        "--bind-addr", `127.0.0.1:${port}`,
        "--user-data-dir", userDataDir,
        "--extensions-dir", extensionsDir,
        "--disable-telemetry",
        "--disable-update-check",
        // Workspace Trust stays off unless a test needs Restricted Mode (test/host/runHostTests.mjs).
        ...(options.workspaceTrust ? [] : ["--disable-workspace-trust"]),
        "--disable-getting-started-override",
        ...(options.smokeTestDriver ? ["--vscode-option", "enable-smoke-test-driver"] : []),
        ...(options.folder ? [options.folder] : []),
    ];
    const log = createWriteStream(logFile);
    // detached: code-server leads its own process group, so stop() also ends the extension host and Hearth's engine.
    const child = spawn(TOOLS.node24Bin, args, { env: serverEnv(userDataDir, options.env), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const killGroup = (signal) => {
        try {
            process.kill(-child.pid, signal);
        } catch {
            // already gone
        }
    };
    const onParentExit = () => killGroup("SIGKILL");
    process.once("exit", onParentExit);

    let stopped;
    const stop = () => {
        stopped ??= (async () => {
            process.removeListener("exit", onParentExit);
            if (child.exitCode === null && child.signalCode === null) {
                killGroup("SIGTERM");
                const timer = setTimeout(() => killGroup("SIGKILL"), 5000);
                await exited;
                clearTimeout(timer);
            }
            // Children of the group that outlived code-server (an engine in the middle of a load).
            killGroup("SIGKILL");
            log.end();
            if (ownsProfile && !options.keepProfile) rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
        })();
        return stopped;
    };

    const baseUrl = `http://127.0.0.1:${port}`;
    try {
        await waitForHealthz(baseUrl, child, logFile, options.startTimeoutMs ?? 60_000);
    } catch (err) {
        await stop();
        throw err;
    }
    const url = options.folder ? `${baseUrl}/?folder=${encodeURIComponent(options.folder)}` : `${baseUrl}/`;
    return { url, baseUrl, port, userDataDir, extensionsDir, logFile, pid: child.pid, stop, exited };
}

/** Launches headless Debian Chromium through playwright-core with a fresh profile. */
export async function launchChromium(options = {}) {
    assertToolsInstalled();
    const { chromium } = await import("playwright-core");
    return chromium.launch({
        executablePath: TOOLS.chromium,
        headless: options.headless ?? true,
        args: CHROMIUM_ARGS,
    });
}
