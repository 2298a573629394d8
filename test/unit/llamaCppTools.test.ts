/**
 * scripts/llama-cpp-tools.mjs: what counts as a finished build in the shared cache. Only a published bin/ (renamed
 * into place with its manifest, for this recipe and platform, every tool present) is used; a build folder, a
 * staging folder from a killed build or an older recipe is not. The build itself (minutes) runs in npm test's
 * "llama.cpp tools" suite; here the cache is a temporary folder.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type * as ToolsModule from "../../scripts/llama-cpp-tools.mjs" with { "resolution-mode": "import" };
import { REPO_ROOT } from "../helpers/fixtures";

const SCRIPT = path.join(REPO_ROOT, "scripts", "llama-cpp-tools.mjs");

describe("llama.cpp tools cache (scripts/llama-cpp-tools.mjs)", () => {
    let tools: typeof ToolsModule;
    let cache: string;
    let commitDir: string;
    const saved = process.env.HEARTH_LLAMA_CPP_CACHE;

    before(async () => {
        tools = (await import(pathToFileURL(SCRIPT).href)) as typeof ToolsModule;
    });
    beforeEach(() => {
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-lcpp-"));
        process.env.HEARTH_LLAMA_CPP_CACHE = cache;
        commitDir = path.join(cache, tools.llamaCppCommit());
    });
    afterEach(() => {
        if (saved === undefined) delete process.env.HEARTH_LLAMA_CPP_CACHE;
        else process.env.HEARTH_LLAMA_CPP_CACHE = saved;
        fs.rmSync(cache, { recursive: true, force: true });
    });

    function publish(dir: string, manifest: Record<string, unknown> = {}, tools_ = tools.TOOLS): void {
        fs.mkdirSync(dir, { recursive: true });
        for (const t of tools_) fs.writeFileSync(path.join(dir, t), "#!/bin/sh\n", { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({
            commit: path.basename(commitDir), recipe: tools.RECIPE, platform: `${process.platform}-${process.arch}`,
            buildSeconds: 1, builtAt: "2026-01-01T00:00:00Z", cmakeFlags: [], ...manifest,
        }));
    }

    it("keys the cache by the commit node-llama-cpp's llama.cpp bundle checks out", () => {
        assert.match(tools.llamaCppCommit(), /^[0-9a-f]{40}$/);
        assert.equal(tools.cacheRoot(), cache);
    });

    it("uses a published build and returns its executables", async () => {
        publish(path.join(commitDir, "bin"));
        const found = await tools.llamaCppTools({ build: false });
        assert.ok(found);
        assert.equal(found.llamaServer, path.join(commitDir, "bin", "llama-server"));
        assert.equal(found.llamaBench, path.join(commitDir, "bin", "llama-bench"));
        assert.equal(found.built, false);
    });

    it("never takes an unfinished build for a finished one", async () => {
        // A killed build leaves its cmake folder and a staging folder, never bin/.
        fs.mkdirSync(path.join(commitDir, "build", "bin"), { recursive: true });
        fs.writeFileSync(path.join(commitDir, "build", "bin", "llama-server"), "");
        publish(path.join(commitDir, "bin.tmp-12345"));
        assert.equal(await tools.llamaCppTools({ build: false }), undefined);
        // bin/ without one of the tools, or from another recipe or platform, is not finished either.
        publish(path.join(commitDir, "bin"), {}, ["llama-server"]);
        assert.equal(await tools.llamaCppTools({ build: false }), undefined);
        fs.rmSync(path.join(commitDir, "bin"), { recursive: true });
        publish(path.join(commitDir, "bin"), { recipe: tools.RECIPE - 1 });
        assert.equal(await tools.llamaCppTools({ build: false }), undefined);
        fs.rmSync(path.join(commitDir, "bin"), { recursive: true });
        publish(path.join(commitDir, "bin"), { platform: "plan9-mips" });
        assert.equal(await tools.llamaCppTools({ build: false }), undefined);
    });

    it("--if-cached exits 3 without building when nothing is cached, and prints the paths when it is", function () {
        this.timeout(30_000); // two Node processes (git bundle read included) on a busy machine
        const env = { ...process.env, HEARTH_LLAMA_CPP_CACHE: cache };
        const missing = spawnSync(process.execPath, [SCRIPT, "--if-cached"], { env, encoding: "utf8" });
        assert.equal(missing.status, 3, missing.stderr);
        assert.match(missing.stderr, /not built/);
        assert.equal(fs.existsSync(path.join(commitDir, "build")), false, "--if-cached started a build");
        publish(path.join(commitDir, "bin"));
        const found = spawnSync(process.execPath, [SCRIPT, "--if-cached", "--json"], { env, encoding: "utf8" });
        assert.equal(found.status, 0, found.stderr);
        assert.equal((JSON.parse(found.stdout) as { llamaServer: string }).llamaServer, path.join(commitDir, "bin", "llama-server"));
    });

    it("patches ggml's AMX tile configuration in the real source once, and leaves AMX out when the code is not as expected", function () {
        this.timeout(30_000); // git reads the bundle (~2 s while a build runs)
        // The file as node-llama-cpp's llama.cpp bundle holds it (read from the bundle, no checkout needed).
        const src = path.join(cache, "src");
        const file = path.join(src, tools.AMX_SOURCE);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const shown = spawnSync("git", ["--git-dir", path.join(cache, "bundle.git"), "init", "-q", "--bare"], { encoding: "utf8" });
        assert.equal(shown.status, 0, shown.stderr);
        const fetched = spawnSync("git", ["--git-dir", path.join(cache, "bundle.git"), "fetch", "-q", tools.llamaCppBundle(), "HEAD"], { encoding: "utf8" });
        assert.equal(fetched.status, 0, fetched.stderr);
        const original = spawnSync("git", ["--git-dir", path.join(cache, "bundle.git"), "show", `FETCH_HEAD:${tools.AMX_SOURCE.split(path.sep).join("/")}`],
            { encoding: "utf8", maxBuffer: 1 << 26 });
        assert.equal(original.status, 0, original.stderr);
        fs.writeFileSync(file, original.stdout);

        assert.equal(tools.fixAmxTileConfig(src), true);
        const patched = fs.readFileSync(file, "utf8");
        const fixLine = /^ {4}__asm__ __volatile__\(""[^\n]*"r"\(&tc\)[^\n]*\n {4}_tile_loadconfig\(&tc\);$/m;
        assert.match(patched, fixLine, "the escape is not right before _tile_loadconfig(&tc)");
        assert.equal(patched.length - original.stdout.length, patched.split("\n").find((l) => l.includes("__asm__"))!.length + 1, "more than one line changed");
        // Idempotent: a resumed build finds the file patched already.
        assert.equal(tools.fixAmxTileConfig(src), true);
        assert.equal(fs.readFileSync(file, "utf8"), patched);
        assert.deepEqual(tools.amxFlags(true), ["-DCMAKE_C_FLAGS=", "-DCMAKE_CXX_FLAGS="]);

        // Another llama.cpp whose kernel no longer fills tc this way: not patched, and x86-64 builds leave AMX out.
        fs.writeFileSync(file, original.stdout.replace("alignas(64) tile_config_t tc = {};", "static const tile_config_t tc = make_config();"));
        assert.equal(tools.fixAmxTileConfig(src), false);
        assert.doesNotMatch(fs.readFileSync(file, "utf8"), /__asm__ __volatile__\(""/);
        const noAmx = tools.amxFlags(false);
        assert.deepEqual(noAmx, process.arch === "x64"
            ? ["-DCMAKE_C_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16", "-DCMAKE_CXX_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"]
            : ["-DCMAKE_C_FLAGS=", "-DCMAKE_CXX_FLAGS="]);
        fs.rmSync(file);
        assert.equal(tools.fixAmxTileConfig(src), false);
    });
});
