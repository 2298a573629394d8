#!/usr/bin/env node
// `npm start`: builds Hearth, then opens a real VS Code with Hearth loaded from this working tree on samples/.
//   - VS Code desktop when `code` is on PATH: `code --extensionDevelopmentPath=<repo> samples` (waits for the window);
//   - otherwise the code-server workbench (VS Code 1.139, ../shared/vscode-here.md) on a private loopback port with a
//     fresh profile; prints the URL and keeps running until Ctrl+C.
// If no model is configured, the user settings of the window it opens get `hearth.model` = a fixture model from
// ../shared/fixtures so chat, polish and completions work out of the box. (Not the folder's .vscode/settings.json:
// hearth.model is a machine setting, and VS Code ignores a workspace's value, as it must.)
//
//   npm start                      desktop if available, else the workbench
//   npm start -- --workbench       force the workbench (also HEARTH_START_WORKBENCH=1)
//   npm start -- --folder <dir>    open another folder instead of samples/
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURE_MODEL = path.resolve(REPO_ROOT, "..", "shared", "fixtures", "models", "stories260K-chat-fim.derived.gguf");

function log(message) {
    console.log(`[start] ${message}`);
}

function parseArgs(argv) {
    const options = { workbench: process.env.HEARTH_START_WORKBENCH === "1", folder: path.join(REPO_ROOT, "samples") };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--workbench") options.workbench = true;
        else if (arg === "--folder") options.folder = path.resolve(argv[++i] ?? "");
        else throw new Error(`Unknown argument ${arg}. Usage: npm start -- [--workbench] [--folder DIR]`);
    }
    return options;
}

function onPath(command) {
    const r = spawnSync(process.platform === "win32" ? "where" : "which", [command], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.split(/\r?\n/)[0].trim() : undefined;
}

/** Settings files are JSON with comments; a regex is enough to see whether hearth.model is set to something. */
function configuredModel(settingsFile) {
    try {
        return /"hearth\.model"\s*:\s*"([^"]+)"/.exec(readFileSync(settingsFile, "utf8"))?.[1];
    } catch {
        return undefined;
    }
}

function desktopUserSettings() {
    const home = os.homedir();
    if (process.platform === "darwin") return path.join(home, "Library", "Application Support", "Code", "User", "settings.json");
    if (process.platform === "win32") return path.join(process.env.APPDATA ?? home, "Code", "User", "settings.json");
    return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, ".config"), "Code", "User", "settings.json");
}

/** The model to start with: one already in `settingsFiles`, else the fixture (undefined when neither exists). */
function startModel(settingsFiles) {
    for (const file of settingsFiles) {
        const existing = configuredModel(file);
        if (existing) {
            log(`model: ${existing}`);
            return { path: existing, configured: true };
        }
    }
    if (!existsSync(FIXTURE_MODEL)) {
        log(`no model configured and the fixture ${FIXTURE_MODEL} is missing: run "Hearth: Select Model" in VS Code.`);
        return undefined;
    }
    log(`no model configured: hearth.model = the fixture ${path.basename(FIXTURE_MODEL)} (user settings of this window)`);
    return { path: FIXTURE_MODEL, configured: false };
}

function build() {
    log("building (node esbuild.mjs)");
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "esbuild.mjs")], { cwd: REPO_ROOT, stdio: "inherit" });
    if (r.status !== 0) throw new Error("The build failed; fix the errors above and run npm start again.");
}

function startDesktop(code, folder) {
    const model = startModel([desktopUserSettings()]);
    // Without a model of the user's own, a private profile (its own user settings; extensions stay shared) holds the
    // fixture, so the user's real settings are never edited.
    const profileArgs = [];
    if (model && !model.configured) {
        const profile = path.join(REPO_ROOT, ".cache", "start-desktop-profile");
        mkdirSync(path.join(profile, "User"), { recursive: true });
        const settingsFile = path.join(profile, "User", "settings.json");
        let settings = {};
        try {
            settings = JSON.parse(readFileSync(settingsFile, "utf8"));
        } catch {
            // first start, or not plain JSON: start from scratch
        }
        writeFileSync(settingsFile, JSON.stringify({ ...settings, "hearth.model": model.path }, null, 4) + "\n");
        profileArgs.push(`--user-data-dir=${profile}`);
        log(`using the private profile ${path.relative(REPO_ROOT, profile)}/ (set hearth.model in your own settings to use yours)`);
    }
    log(`opening VS Code desktop (${code}) with Hearth as a development extension on ${folder}; close the window to stop`);
    const child = spawn(code, ["--new-window", "--wait", ...profileArgs, `--extensionDevelopmentPath=${REPO_ROOT}`, folder], { stdio: "inherit" });
    child.on("exit", (status) => process.exit(status ?? 0));
}

/**
 * code-server loads extensions listed in its extensions dir's extensions.json; an entry whose location is this
 * working tree makes Hearth run straight from dist/ here (reload the window after `npm run build` or `npm run
 * watch`). The payload route for --extensionDevelopmentPath needs code-server's smoke-test driver flag, which also
 * hides notifications, and Hearth talks to the user through them.
 */
function linkWorkingTree(extensionsDir) {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const id = `${manifest.publisher}.${manifest.name}`;
    const relative = `${id}-${manifest.version}`;
    // A link in the extensions dir as well, for VS Code versions that resolve relativeLocation only.
    if (!existsSync(path.join(extensionsDir, relative))) symlinkSync(REPO_ROOT, path.join(extensionsDir, relative), "dir");
    const location = { $mid: 1, fsPath: REPO_ROOT, external: `file://${REPO_ROOT}`, path: REPO_ROOT, scheme: "file" };
    writeFileSync(path.join(extensionsDir, "extensions.json"), JSON.stringify([{
        identifier: { id },
        version: manifest.version,
        location,
        relativeLocation: relative,
        metadata: { installedTimestamp: Date.now(), source: "vsix" },
    }]));
    return id;
}

async function startWorkbenchFlow(options) {
    const tools = await import("./workbench.mjs");
    try {
        tools.assertToolsInstalled();
    } catch {
        log("installing the workbench tools once (Node 24, code-server, Chromium) into .tools/");
        const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "install-tools.mjs")], { cwd: REPO_ROOT, stdio: "inherit" });
        if (r.status !== 0) throw new Error("Installing the workbench tools failed (see above). Install VS Code and put `code` on PATH, or fix the tools install.");
    }
    const profile = path.join(REPO_ROOT, ".cache", "start-profile");
    // Machine/ first: code-server keeps machine settings (hearth.model chosen with Select Model) there.
    const model = startModel([path.join(profile, "Machine", "settings.json"), path.join(profile, "User", "settings.json")]);
    const extensionsDir = path.join(profile, "extensions");
    mkdirSync(extensionsDir, { recursive: true });
    const id = linkWorkingTree(extensionsDir);
    const workbench = await tools.startWorkbench({
        folder: options.folder,
        userDataDir: profile,
        extensionsDir,
        logFile: path.join(profile, "code-server.log"),
        settings: {
            "workbench.startupEditor": "none",
            "security.workspace.trust.enabled": false,
            "telemetry.telemetryLevel": "off",
            "extensions.autoCheckUpdates": false,
            "extensions.autoUpdate": false,
            "git.openRepositoryInParentFolders": "never",
            "workbench.secondarySideBar.defaultVisibility": "hidden",
            ...(model ? { "hearth.model": model.path } : {}),
        },
    });
    log(`VS Code workbench (code-server) with ${id} loaded from ${REPO_ROOT}`);
    log(`open ${workbench.url}`);
    log(`server log: ${path.relative(REPO_ROOT, workbench.logFile)}; profile kept in ${path.relative(REPO_ROOT, profile)}/`);
    log("press Ctrl+C to stop");
    let stopping = false;
    const stop = async (signal) => {
        if (stopping) return;
        stopping = true;
        log(`${signal}: stopping the workbench`);
        await workbench.stop();
        process.exit(0);
    };
    process.on("SIGINT", () => void stop("SIGINT"));
    process.on("SIGTERM", () => void stop("SIGTERM"));
    const { code, signal } = await workbench.exited;
    if (!stopping) {
        console.error(`[start] code-server exited (${signal ?? code}); see ${workbench.logFile}`);
        process.exit(1);
    }
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    if (!existsSync(options.folder)) throw new Error(`Folder ${options.folder} does not exist.`);
    build();
    const code = options.workbench ? undefined : onPath("code");
    if (code) startDesktop(code, options.folder);
    else await startWorkbenchFlow(options);
}

main().catch((err) => {
    console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
