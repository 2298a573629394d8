/**
 * The README's promise: on a fresh clone `npm start`, `npm test` and `npm run bench` do the set-up themselves.
 * Each case copies this working tree (tracked and new files, nothing git ignores: no node_modules, no .tools) into
 * a temporary folder and runs the real npm scripts there. The fresh-clone cases give npm an empty cache and
 * --offline, so the `npm ci` that scripts/bootstrap.mjs starts fails within a second or two instead of installing
 * 1 GB: the test proves the bootstrap path starts, says so, and stops cleanly before the command's own work, while
 * the populated case proves nothing is reinstalled when node_modules matches package-lock.json.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/fixtures";

interface Run { status: number | null; output: string; seconds: number }

function copyWorkingTree(target: string): void {
    const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(listed.status, 0, `git ls-files failed: ${listed.stderr}`);
    for (const file of listed.stdout.split("\0").filter(Boolean)) {
        const source = path.join(REPO_ROOT, file);
        // A worktree's .tools link to a shared tools folder is not part of a clone; deleted-but-tracked files neither.
        if (file === ".tools" || !fs.existsSync(source) || fs.lstatSync(source).isSymbolicLink()) continue;
        fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
        fs.copyFileSync(source, path.join(target, file));
    }
}

function npm(clone: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
    const started = Date.now();
    const r = spawnSync("npm", args, { cwd: clone, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
    return { status: r.status, output: `${r.stdout}\n${r.stderr}`, seconds: (Date.now() - started) / 1000 };
}

describe("fresh clone bootstrap (npm start / npm test / npm run bench)", function () {
    this.timeout(120_000);
    let clone: string;
    let emptyCache: string;
    // npm ci from an empty cache with no network: the real npm ci, failing fast.
    let offline: NodeJS.ProcessEnv;

    beforeEach(() => {
        clone = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-clone-"));
        emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-npm-cache-"));
        offline = { npm_config_offline: "true", npm_config_cache: emptyCache, npm_config_prefer_offline: "" };
        copyWorkingTree(clone);
        assert.ok(!fs.existsSync(path.join(clone, "node_modules")), "the copy must start without node_modules");
    });

    afterEach(() => {
        fs.rmSync(clone, { recursive: true, force: true });
        fs.rmSync(emptyCache, { recursive: true, force: true });
    });

    for (const [command, args, ownWork] of [
        ["npm start", ["start", "--", "--no-such-option"], /Unknown argument --no-such-option/],
        ["npm test", ["test", "--", "lint"], /=== lint/],
        ["npm run bench", ["run", "bench", "--", "--quick"], undefined],
    ] as const) {
        it(`${command} with nothing installed says so and runs npm ci first`, () => {
            const r = npm(clone, [...args], offline);
            assert.match(r.output, /\[bootstrap\] node_modules is missing: running npm ci/, r.output);
            // npm ci really ran in the clone: it wanted a package from the (here unreachable) registry.
            assert.match(r.output, /ENOTCACHED/, r.output);
            assert.match(r.output, /\[bootstrap\] npm ci failed .*npm registry/, r.output);
            assert.notEqual(r.status, 0);
            // It stopped before the command's own work instead of failing there with ERR_MODULE_NOT_FOUND.
            assert.doesNotMatch(r.output, /ERR_MODULE_NOT_FOUND/);
            if (ownWork) assert.doesNotMatch(r.output, ownWork);
        });
    }

    it("reinstalls nothing when node_modules matches package-lock.json, and goes straight on", () => {
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
        const r = npm(clone, ["start", "--", "--no-such-option"], offline);
        assert.doesNotMatch(r.output, /\[bootstrap\]/, r.output);
        assert.match(r.output, /Unknown argument --no-such-option/, r.output);
        console.log(`      npm start up to its own argument check: ${r.seconds.toFixed(1)} s`);
    });

    it("names the package whose installed version differs from package-lock.json, and runs npm ci", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(clone, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
        const locked = lock.packages["node_modules/esbuild"]?.version;
        assert.ok(locked, "esbuild is in package-lock.json");
        const fakeEsbuild = (nodeModules: string) => {
            fs.mkdirSync(path.join(nodeModules, "esbuild"), { recursive: true });
            fs.writeFileSync(path.join(nodeModules, "esbuild", "package.json"), JSON.stringify({ name: "esbuild", version: "0.0.1" }));
        };
        // Every other package linked from the real node_modules, esbuild at a wrong version: --check (reads only).
        const nodeModules = path.join(clone, "node_modules");
        fs.mkdirSync(nodeModules);
        for (const entry of fs.readdirSync(path.join(REPO_ROOT, "node_modules"))) {
            if (entry !== "esbuild" && !entry.startsWith(".")) fs.symlinkSync(path.join(REPO_ROOT, "node_modules", entry), path.join(nodeModules, entry));
        }
        fakeEsbuild(nodeModules);
        const check = spawnSync(process.execPath, ["scripts/bootstrap.mjs", "--check"], { cwd: clone, encoding: "utf8" });
        assert.equal(check.status, 1, check.stderr);
        assert.match(check.stderr, new RegExp(`esbuild 0\\.0\\.1 is installed, ${locked.replace(/\./g, "\\.")} is locked`));
        // npm ci empties node_modules first, so the real run gets a node_modules of its own (no links to ours).
        fs.rmSync(nodeModules, { recursive: true });
        fakeEsbuild(nodeModules);
        const r = npm(clone, ["test", "--", "lint"], offline);
        assert.match(r.output, /\[bootstrap\] node_modules does not match package-lock\.json \(.*\): running npm ci/, r.output);
        assert.match(r.output, /ENOTCACHED/, r.output);
        assert.doesNotMatch(r.output, /=== lint/);
    });
});
