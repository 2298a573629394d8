#!/usr/bin/env node
// `npm run package`: builds one platform VSIX per target with @vscode/vsce. Each VSIX holds the production bundles
// and ONLY that platform's node-llama-cpp prebuilt binaries (see scripts/package-targets.mjs).
//
//   npm run package                               every target (first run fetches other platforms' binaries)
//   npm run package -- --target linux-x64         one target (also: npm run package:linux); repeatable / comma list
//   npm run package -- --out <dir>                output folder (default dist-vsix/)
//
// Output: dist-vsix/hearth-<target>-<version>.vsix (git-ignored) and dist-vsix/sizes.json.
//
// How: the repo's node_modules holds only this machine's binaries, and vsce packs a folder's node_modules as a
// whole, so each target is staged in .cache/package/stage-<target>/: the production bundles, the runtime closure of
// node-llama-cpp copied from node_modules (minus build-only parts), and the target's @node-llama-cpp/* packages —
// from node_modules when installed at the pinned version, else `npm pack`ed once into .cache/node-llama-cpp-binaries/
// (never added to package.json: `npm ci` stays lean). vsce then applies .vscodeignore, an allow-list.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
    ALL_TARGETS,
    NODE_LLAMA_CPP_VERSION,
    REPO_ROOT,
    TARGET_BINARY_PACKAGES,
    VSIX_DIR,
    vsixFileName,
} from "./package-targets.mjs";

const CACHE_DIR = path.join(REPO_ROOT, ".cache");
const STAGE_ROOT = path.join(CACHE_DIR, "package");
const BINARY_CACHE = path.join(CACHE_DIR, "node-llama-cpp-binaries");

function log(message) {
    console.log(`[package] ${message}`);
}

function run(cmd, args, options = {}) {
    const r = spawnSync(cmd, args, { stdio: "inherit", ...options });
    if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${r.status}`);
    return r;
}

function parseArgs(argv) {
    const targets = [];
    let out = VSIX_DIR;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const v = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
            if (!v) throw new Error(`${arg} needs a value`);
            return v;
        };
        if (arg === "--target" || arg.startsWith("--target=")) targets.push(...value().split(","));
        else if (arg === "--out" || arg.startsWith("--out=")) out = path.resolve(value());
        else throw new Error(`Unknown argument ${arg}. Usage: node scripts/package.mjs [--target ${ALL_TARGETS.join("|")}] [--out dir]`);
    }
    for (const t of targets) {
        if (!TARGET_BINARY_PACKAGES[t]) throw new Error(`Unknown target "${t}". Targets: ${ALL_TARGETS.join(", ")}`);
    }
    return { targets: targets.length ? [...new Set(targets)] : ALL_TARGETS, out };
}

/** Production bundles built into a private folder, so the dev build in dist/ that others test against is untouched. */
function buildProductionBundles() {
    const buildDir = path.join(STAGE_ROOT, "build");
    rmSync(buildDir, { recursive: true, force: true });
    mkdirSync(buildDir, { recursive: true });
    // esbuild.mjs resolves its entry points and output folders from the working directory.
    symlinkSync(path.join(REPO_ROOT, "src"), path.join(buildDir, "src"), "dir");
    run(process.execPath, [path.join(REPO_ROOT, "esbuild.mjs"), "--production"], { cwd: buildDir });
    return buildDir;
}

/** node-llama-cpp and its runtime dependencies as installed here (folders relative to node_modules/). */
function runtimeClosure() {
    const r = spawnSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: REPO_ROOT, encoding: "utf8" });
    if (r.status !== 0 && !r.stdout) throw new Error(`npm ls failed: ${r.stderr}`);
    const nodeModules = path.join(REPO_ROOT, "node_modules") + path.sep;
    return r.stdout.split("\n").filter((p) => p.startsWith(nodeModules)).map((p) => p.slice(nodeModules.length))
        // Platform binaries are staged per target; typescript is an optional peer; @reflink's native addon is
        // platform-specific and only used (inside a try/catch) to clone local files.
        .filter((rel) => !/^(@node-llama-cpp\/|typescript$|@reflink\/)/.test(rel));
}

// Build-only or documentation parts of dependencies. The .vscodeignore allow-list then keeps only runtime file types.
const PRUNED_DIRS = new Set(["test", "tests", "__tests__", ".github", "example", "examples"]);
const NODE_LLAMA_CPP_DROPPED = [
    "templates", // `node-llama-cpp init` project templates
    "bins", // only *.moved.txt notes: binaries live in @node-llama-cpp/* packages
    "llama/gitRelease.bundle", // llama.cpp source (34 MB) for building from source; Hearth never builds
    "llama/addon", "llama/cmake", "llama/toolchains", "llama/xpack", "llama/profiles", "llama/patches",
    "llama/CMakeLists.txt",
];

function copyDependency(rel, stageModules) {
    const from = path.join(REPO_ROOT, "node_modules", rel);
    const dropped = rel === "node-llama-cpp" ? NODE_LLAMA_CPP_DROPPED.map((d) => path.join(from, d)) : [];
    cpSync(from, path.join(stageModules, rel), {
        recursive: true,
        filter: (src) => {
            if (src === from) return true;
            const name = path.basename(src);
            // Nested node_modules are separate entries of the closure.
            if (name === "node_modules" || dropped.includes(src)) return false;
            return !(PRUNED_DIRS.has(name) && statSync(src).isDirectory());
        },
    });
}

function packageVersion(dir) {
    try {
        return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).version;
    } catch {
        return undefined;
    }
}

/** Folder of @node-llama-cpp/<name> at the pinned version: installed, cached, or fetched now with `npm pack`. */
function binaryPackageDir(name) {
    const installed = path.join(REPO_ROOT, "node_modules", "@node-llama-cpp", name);
    if (packageVersion(installed) === NODE_LLAMA_CPP_VERSION) return installed;
    const cached = path.join(BINARY_CACHE, `${name}-${NODE_LLAMA_CPP_VERSION}`, "package");
    if (packageVersion(cached) === NODE_LLAMA_CPP_VERSION) return cached;
    const spec = `@node-llama-cpp/${name}@${NODE_LLAMA_CPP_VERSION}`;
    log(`fetching ${spec} from the npm registry (once; cached in ${path.relative(REPO_ROOT, BINARY_CACHE)}/)`);
    const extractDir = path.dirname(cached);
    rmSync(extractDir, { recursive: true, force: true });
    mkdirSync(extractDir, { recursive: true });
    const r = spawnSync("npm", ["pack", spec, "--pack-destination", extractDir, "--json"], { encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(`Could not fetch ${spec} (${r.stderr.trim().split("\n").pop()}). ` +
            "Packaging other platforms needs the npm registry once; package only this platform with --target linux-x64.");
    }
    const tarball = path.join(extractDir, JSON.parse(r.stdout)[0].filename.replace(/^.*\//, ""));
    run("tar", ["-xzf", tarball, "-C", extractDir]);
    rmSync(tarball);
    if (packageVersion(cached) !== NODE_LLAMA_CPP_VERSION) throw new Error(`${spec}: unexpected package contents in ${extractDir}`);
    return cached;
}

/** The manifest vsce packs: the repo's, without what only development needs. */
function stagedManifest() {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    delete manifest.scripts;
    delete manifest.devDependencies;
    manifest.dependencies = { "node-llama-cpp": NODE_LLAMA_CPP_VERSION };
    return manifest;
}

function stageTarget(target, buildDir, closure) {
    const stage = path.join(STAGE_ROOT, `stage-${target}`);
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage, { recursive: true });
    writeFileSync(path.join(stage, "package.json"), JSON.stringify(stagedManifest(), null, 2));
    for (const file of [".vscodeignore", "package.nls.json", "package.nls.zh-cn.json", "README.md", "CHANGELOG.md", "LICENSE"]) {
        if (existsSync(path.join(REPO_ROOT, file))) cpSync(path.join(REPO_ROOT, file), path.join(stage, file));
    }
    cpSync(path.join(REPO_ROOT, "l10n"), path.join(stage, "l10n"), { recursive: true });
    cpSync(path.join(REPO_ROOT, "media"), path.join(stage, "media"), {
        recursive: true,
        filter: (src) => src !== path.join(REPO_ROOT, "media", "dist"), // the dev webview build; production one below
    });
    cpSync(path.join(buildDir, "dist"), path.join(stage, "dist"), { recursive: true });
    // The engine names this target when llama.cpp's binary is missing (a VSIX installed on another platform).
    writeFileSync(path.join(stage, "dist", "target.json"), JSON.stringify({ target, version: stagedManifest().version }));
    if (existsSync(path.join(buildDir, "media", "dist"))) {
        cpSync(path.join(buildDir, "media", "dist"), path.join(stage, "media", "dist"), { recursive: true });
    }
    const stageModules = path.join(stage, "node_modules");
    for (const rel of closure) copyDependency(rel, stageModules);
    for (const name of TARGET_BINARY_PACKAGES[target]) {
        cpSync(binaryPackageDir(name), path.join(stageModules, "@node-llama-cpp", name), { recursive: true });
    }
    return stage;
}

function packTarget(target, stage, outDir, version) {
    const out = path.join(outDir, vsixFileName(target, version));
    rmSync(out, { force: true });
    const vsce = path.join(REPO_ROOT, "node_modules", "@vscode", "vsce", "vsce");
    const args = [vsce, "package", "--target", target, "--out", out];
    if (!existsSync(path.join(stage, "LICENSE"))) args.push("--skip-license");
    run(process.execPath, args, { cwd: stage });
    return out;
}

function main() {
    const { targets, out } = parseArgs(process.argv.slice(2));
    const version = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;
    const started = Date.now();
    mkdirSync(out, { recursive: true });
    log(`targets: ${targets.join(", ")} (node-llama-cpp ${NODE_LLAMA_CPP_VERSION})`);
    const buildDir = buildProductionBundles();
    const closure = runtimeClosure();
    const sizesFile = path.join(out, "sizes.json");
    const sizes = existsSync(sizesFile) ? JSON.parse(readFileSync(sizesFile, "utf8")) : {};
    for (const target of targets) {
        const t0 = Date.now();
        const stage = stageTarget(target, buildDir, closure);
        const vsix = packTarget(target, stage, out, version);
        const bytes = statSync(vsix).size;
        sizes[target] = { file: path.basename(vsix), bytes, binaries: TARGET_BINARY_PACKAGES[target] };
        log(`${target}: ${path.relative(REPO_ROOT, vsix)} ${(bytes / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    writeFileSync(sizesFile, JSON.stringify(sizes, null, 2));
    log("sizes:");
    for (const target of targets) log(`  ${target.padEnd(13)} ${(sizes[target].bytes / 1e6).toFixed(1).padStart(6)} MB  ${sizes[target].binaries.join(" + ")}`);
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Stages are kept until the next run for inspection; they are in the git-ignored .cache/.
}

/** One packaging run at a time in this working tree (the e2e tests and the package tests both package). */
function runUnderLock() {
    if (process.env.HEARTH_PACKAGE_LOCKED === "1") return false;
    mkdirSync(STAGE_ROOT, { recursive: true });
    const r = spawnSync("flock", [path.join(STAGE_ROOT, ".lock"), process.execPath, ...process.argv.slice(1)], {
        stdio: "inherit", env: { ...process.env, HEARTH_PACKAGE_LOCKED: "1" },
    });
    if (r.error) return false; // no flock on this system: run unlocked
    process.exit(r.status ?? 1);
}

try {
    if (!runUnderLock()) main();
} catch (err) {
    console.error(`[package] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
}
