/**
 * The shipped artefact: builds the linux-x64 VSIX with `scripts/package.mjs` (or uses HEARTH_VSIX), unpacks it
 * outside the repository, checks what is inside, and starts the engine FROM the unpacked extension folder on the
 * real fixture model — so only the VSIX's own node_modules can satisfy node-llama-cpp and its binaries.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import type { LoadModelParams } from "../../src/protocol/engineProtocol";
import { fixture, REPO_ROOT } from "../helpers/fixtures";
import { listFiles, readPackagingTable, unzip } from "./vsixTools";

const TARGET = "linux-x64";
const BUDGET_BYTES = 60 * 1000 * 1000;

describe(`${TARGET} VSIX`, function () {
    this.timeout(180_000);
    const table = readPackagingTable();
    const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
    let vsix: string;
    let unpacked: string;
    let extensionDir: string;
    let files: string[];
    /** What `vsce package` printed (undefined when HEARTH_VSIX names a VSIX built elsewhere). */
    let packageOutput: string | undefined;

    before(function () {
        if (process.platform !== "linux" || process.arch !== "x64") this.skip();
        vsix = process.env.HEARTH_VSIX ?? path.join(REPO_ROOT, "dist-vsix", `hearth-${TARGET}-${version}.vsix`);
        if (!process.env.HEARTH_VSIX) {
            const started = Date.now();
            const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "package.mjs"), "--target", TARGET], {
                cwd: REPO_ROOT, encoding: "utf8",
            });
            assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
            packageOutput = `${r.stdout}\n${r.stderr}`;
            console.log(`      built ${path.basename(vsix)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        }
        // Outside the repo: module resolution from there cannot fall back to the repo's node_modules.
        unpacked = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-vsix-"));
        assert.ok(!path.relative(REPO_ROOT, unpacked).match(/^[^.]/), "unpack folder must be outside the repository");
        unzip(vsix, unpacked);
        extensionDir = path.join(unpacked, "extension");
        files = listFiles(extensionDir);
    });

    after(() => {
        if (unpacked) fs.rmSync(unpacked, { recursive: true, force: true });
    });

    it(`is at most ${BUDGET_BYTES / 1e6} MB and declares its target platform`, () => {
        const bytes = fs.statSync(vsix).size;
        console.log(`      ${path.basename(vsix)}: ${(bytes / 1e6).toFixed(1)} MB, ${files.length} files`);
        assert.ok(bytes <= BUDGET_BYTES, `${(bytes / 1e6).toFixed(1)} MB is over the budget`);
        const manifest = fs.readFileSync(path.join(unpacked, "extension.vsixmanifest"), "utf8");
        assert.match(manifest, new RegExp(`TargetPlatform="${TARGET}"`));
    });

    it("holds the production bundles, manifest and translations", () => {
        for (const f of ["package.json", "package.nls.json", "package.nls.zh-cn.json", "dist/extension.js", "dist/hearth.js", "dist/engine.mjs", "dist/knowledgeWorker.js", "dist/chatTemplateWorker.mjs"]) {
            assert.ok(files.includes(f), `missing ${f}`);
        }
        if (fs.existsSync(path.join(REPO_ROOT, "src", "webview", "chat", "main.ts"))) {
            assert.ok(files.includes("media/dist/chat.js"), "missing the chat webview bundle");
            // Only the common highlight.js languages are in the bundle (it was 306 KB minified with highlight.js's
            // "common" set); every other language ships as its own script, loaded on demand.
            const chatBytes = fs.statSync(path.join(extensionDir, "media", "dist", "chat.js")).size;
            assert.ok(chatBytes < 260_000, `media/dist/chat.js is ${chatBytes} bytes`);
            for (const language of ["haskell", "elixir", "kotlin", "1c"]) {
                assert.ok(files.includes(`media/dist/hljs/${language}.js`), `missing media/dist/hljs/${language}.js`);
            }
        }
        // Every asset under media/ (icons, walkthrough pages), except the development webview build.
        const media = listFiles(path.join(REPO_ROOT, "media")).filter((f) => !f.startsWith("dist/")).map((f) => `media/${f}`);
        assert.deepEqual(media.filter((f) => !files.includes(f)), [], "media files missing from the VSIX");
        const l10n = fs.readdirSync(path.join(REPO_ROOT, "l10n")).filter((f) => f.endsWith(".json"));
        for (const f of l10n) assert.ok(files.includes(`l10n/${f}`), `missing l10n/${f}`);
        const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, "package.json"), "utf8")) as Record<string, unknown>;
        assert.equal(manifest.main, "./dist/extension.js");
        assert.equal(manifest.devDependencies, undefined, "development-only manifest fields are stripped");
        // Production bundles are minified and carry no source map reference.
        const engine = fs.readFileSync(path.join(extensionDir, "dist", "engine.mjs"), "utf8");
        assert.doesNotMatch(engine, /sourceMappingURL/);
    });

    it("ships no test-only commands and no test API (src/core/testHooks.ts)", () => {
        const testOnly = ["hearth.completions.provideAt", "hearth.completions.idle", "hearth.completions.contextLabels", "hearth.review.state"];
        // The ids are real: each is registered somewhere in src/ (a rename must update this list).
        const sources = listFiles(path.join(REPO_ROOT, "src")).filter((f) => f.endsWith(".ts"))
            .map((f) => fs.readFileSync(path.join(REPO_ROOT, "src", f), "utf8")).join("\n");
        for (const id of testOnly) assert.ok(sources.includes(`registerCommand("${id}"`), `${id} is no longer registered in src/`);
        const bundle = ["extension.js", "hearth.js"].map((f) => fs.readFileSync(path.join(extensionDir, "dist", f), "utf8")).join("\n");
        const shipped = [...testOnly, "HEARTH_TEST_COMMANDS", "HEARTH_BUILD"].filter((s) => bundle.includes(s));
        assert.deepEqual(shipped, [], "the production bundle still holds test-only code");
        const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, "package.json"), "utf8")) as { contributes: { commands: { command: string }[] } };
        const declared = manifest.contributes.commands.map((c) => c.command).filter((c) => testOnly.includes(c));
        assert.deepEqual(declared, []);
    });

    it("copies the vscode API once when the bundle loads, not once per importing module (esbuild.mjs)", () => {
        // Each `require("vscode")` in the bundle is wrapped in a copy of the API's several hundred properties; the
        // bundle once held 46 of them, about half of its load time in the extension host. dist/extension.js, what
        // the host loads, imports only types from vscode and loads dist/hearth.js through V8's code cache.
        const count = (f: string) => fs.readFileSync(path.join(extensionDir, "dist", f), "utf8").match(/require\("vscode"\)/g)?.length ?? 0;
        assert.equal(count("hearth.js"), 1);
        assert.equal(count("extension.js"), 0);
    });

    it("is ready for the Marketplace and Open VSX: icon, links, changelog, extension kind, no vsce warning but one", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, "package.json"), "utf8")) as Record<string, unknown>;
        assert.equal(manifest.icon, "media/icon.png");
        // The Marketplace refuses SVG icons: a 128×128 PNG (width and height are bytes 16-23 of the IHDR chunk).
        const png = fs.readFileSync(path.join(extensionDir, "media", "icon.png"));
        assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
        assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
        assert.match((manifest.repository as { url: string }).url, /^https:\/\/github\.com\/.+\.git$/);
        assert.match((manifest.bugs as { url: string }).url, /^https:\/\/.+\/issues$/);
        assert.match(String(manifest.homepage), /^https:\/\//);
        assert.deepEqual(manifest.extensionKind, ["workspace"]);
        assert.ok(files.includes("changelog.md") || files.includes("CHANGELOG.md"), "the VSIX carries the changelog");
        const vsixManifest = fs.readFileSync(path.join(unpacked, "extension.vsixmanifest"), "utf8");
        assert.match(vsixManifest, /Microsoft\.VisualStudio\.Services\.Icons\.Default" Path="extension\/media\/icon\.png"/);
        assert.match(vsixManifest, /Microsoft\.VisualStudio\.Services\.Content\.Changelog/);
        // README images point at the repository (vsce rewrites relative links), so the Marketplace page shows them.
        assert.doesNotMatch(fs.readFileSync(path.join(extensionDir, "readme.md"), "utf8"), /\]\(docs\//);
        if (packageOutput !== undefined) {
            // The one warning left: node-llama-cpp and its dependencies (~1,000 .js files) cannot be bundled (it finds
            // its binaries and forks its own files by path), and they load only in the engine process, never at
            // activation. Any other vsce warning fails here.
            const warnings = packageOutput.split("\n").filter((l) => /WARNING/.test(l));
            assert.deepEqual(warnings.filter((w) => !/consists of \d+ files, out of which \d+ are JavaScript files/.test(w)), []);
        }
    });

    it("has no sources, tests, source maps, type declarations or build-only files", () => {
        const offending = files.filter((f) =>
            /\.(ts|mts|cts|map|tsbuildinfo|h|hpp|c|cc|cpp|gyp|gypi|cmake|vsix)$/.test(f) ||
            /^(src|test|out|bench|scripts|samples|docs|\.tools|\.cache|\.ci)\//.test(f) ||
            /(^|\/)(test|tests|__tests__)\//.test(f) ||
            /(^|\/)(tsconfig|esbuild|eslint\.config)\.(json|mjs)$/.test(f) && !f.startsWith("node_modules/") ||
            f.endsWith("gitRelease.bundle") || f.includes("node-llama-cpp/templates/") || f.includes("node-llama-cpp/llama/addon/"));
        assert.deepEqual(offending, []);
    });

    it("ships only this platform's node-llama-cpp binaries", () => {
        const expected = table.targets[TARGET]!;
        const shipped = fs.readdirSync(path.join(extensionDir, "node_modules", "@node-llama-cpp")).sort();
        assert.deepEqual(shipped, [...expected].sort());
        const others = table.allPackages.filter((p) => !expected.includes(p));
        const foreign = files.filter((f) => others.some((p) => f.includes(`/${p}/`)) || /\.(dll|dylib|metal|exe)$/.test(f) || /cuda/i.test(f));
        assert.deepEqual(foreign, []);
        for (const pkg of expected) {
            assert.ok(files.includes(`node_modules/@node-llama-cpp/${pkg}/bins/${pkg}/llama-addon.node`), `${pkg}: llama-addon.node`);
        }
    });

    function params(extra: Partial<LoadModelParams> = {}): LoadModelParams {
        return { modelPath: fixture("stories260K.gguf"), contextSize: 2048, threads: 1, gpuLayers: 0, sequences: 2, gpu: "cpu", ...extra };
    }

    for (const gpu of ["cpu", "auto"] as const) {
        it(`starts the engine from the unpacked extension and generates tokens (gpu: ${gpu})`, async () => {
            const logLines: string[] = [];
            const engine = new EngineProcess({
                enginePath: path.join(extensionDir, "dist", "engine.mjs"),
                execPath: process.execPath,
                log: (level, message) => logLines.push(`${level} ${message}`),
            });
            try {
                const started = performance.now();
                const info = await engine.request("loadModel", params({ gpu }));
                const loadMs = performance.now() - started;
                if (gpu === "cpu") assert.equal(info.backend, "cpu");
                assert.equal(info.threads, 1);
                const r = await engine.request("complete", {
                    sequence: "chat", prompt: "Once upon a time", maxTokens: 60, sampling: { temperature: 0 },
                });
                assert.ok(r.tokens >= 50, `only ${r.tokens} tokens`);
                assert.match(r.text, /\b(Lily|girl|play|day)\b/, "greedy output of stories260K is a children's story");
                console.log(`      backend ${info.backend}: engine start + load ${loadMs.toFixed(0)} ms, ${r.tokensPerSecond.toFixed(0)} tok/s`);
            } catch (err) {
                throw new Error(`${String(err)}\nengine log:\n${logLines.join("\n")}`);
            } finally {
                engine.dispose();
            }
        });
    }

    it("says in words which package to install when llama.cpp's binary is missing (a VSIX for another platform)", async () => {
        const target = JSON.parse(fs.readFileSync(path.join(extensionDir, "dist", "target.json"), "utf8")) as { target: string; version: string };
        assert.deepEqual(target, { target: TARGET, version });
        // As if this VSIX were another platform's: none of this machine's binaries, and target.json naming that platform.
        const binaries = path.join(extensionDir, "node_modules", "@node-llama-cpp");
        const hidden = path.join(unpacked, "hidden-binaries");
        fs.renameSync(binaries, hidden);
        fs.writeFileSync(path.join(extensionDir, "dist", "target.json"), JSON.stringify({ target: "win32-arm64", version }));
        const engine = new EngineProcess({ enginePath: path.join(extensionDir, "dist", "engine.mjs"), execPath: process.execPath, log: () => undefined });
        try {
            await assert.rejects(engine.request("loadModel", params({ gpu: "auto" })), (err: Error & { code?: string }) => {
                assert.equal(err.code, "noBinary");
                assert.equal(err.message, `This Hearth package is for win32-arm64; this machine is ${TARGET}. Install the ${TARGET} one ` +
                    `(hearth-${TARGET}-${version}.vsix; the Marketplace and Open VSX pick it by themselves).`);
                return true;
            });
            // The right package with its binaries gone says so too.
            fs.writeFileSync(path.join(extensionDir, "dist", "target.json"), JSON.stringify(target));
            await assert.rejects(engine.request("loadModel", params()), /The llama\.cpp binary for linux-x64 is missing from this Hearth installation/);
        } finally {
            engine.dispose();
            fs.writeFileSync(path.join(extensionDir, "dist", "target.json"), JSON.stringify(target));
            fs.renameSync(hidden, binaries);
        }
    });

    /** A global-storage-like folder whose CUDA packages link to the ones npm installed in the repo (Linux x64). */
    function fakeGpuStorage(): string | undefined {
        const installed = table.cuda[TARGET]!.map((p) => path.join(REPO_ROOT, "node_modules", "@node-llama-cpp", p));
        if (!installed.every((p) => fs.existsSync(path.join(p, "package.json")))) return undefined;
        const dir = path.join(unpacked, "globalStorage", "gpu-binaries", table.version);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(path.join(dir, "node_modules", "@node-llama-cpp"), { recursive: true });
        for (const p of installed) fs.symlinkSync(p, path.join(dir, "node_modules", "@node-llama-cpp", path.basename(p)), "dir");
        return dir;
    }

    it("node-llama-cpp from the VSIX picks up CUDA packages installed on request (up to where a GPU is needed)", function () {
        const gpuDir = fakeGpuStorage();
        if (!gpuDir) this.skip();
        const probe = (dir: string | undefined) => {
            const script = `
                const { registerGpuPackagesDir } = require(${JSON.stringify(path.join(REPO_ROOT, "out", "src", "engine", "gpuPackages.js"))});
                const registration = registerGpuPackagesDir(process.env.GPU_DIR || undefined);
                import(${JSON.stringify(path.join(extensionDir, "node_modules", "node-llama-cpp", "dist", "index.js"))})
                    .then((m) => m.getLlama({ gpu: "cuda", build: "never", logLevel: "warn" }))
                    .then((llama) => console.log("BACKEND " + llama.gpu), (err) => console.log("FAILED " + err.message))
                    .finally(() => console.log("REGISTRATION " + registration.kind));`;
            const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, GPU_DIR: dir ?? "" } });
            return r.stdout + r.stderr;
        };
        const without = probe(undefined);
        assert.match(without, /A prebuilt binary was not found/, without);
        assert.match(without, /REGISTRATION skipped/);
        const withCuda = probe(gpuDir);
        assert.match(withCuda, /REGISTRATION registered/);
        // With a GPU the CUDA backend loads; without one node-llama-cpp found and tested the CUDA binary and refused it.
        assert.match(withCuda, /BACKEND cuda|with CUDA support is not compatible with the current system/, withCuda);
        assert.doesNotMatch(withCuda, /A prebuilt binary was not found/, withCuda);
    });

    it("the engine registers the on-demand GPU folder from its environment and still loads the model", async function () {
        const gpuDir = fakeGpuStorage();
        if (!gpuDir) this.skip();
        const logLines: string[] = [];
        const engine = new EngineProcess({
            enginePath: path.join(extensionDir, "dist", "engine.mjs"),
            execPath: process.execPath,
            env: { HEARTH_GPU_PACKAGES_DIR: gpuDir },
            log: (level, message) => logLines.push(`${level} ${message}`),
        });
        try {
            const info = await engine.request("loadModel", params({ gpu: "auto" }));
            assert.ok(logLines.some((l) => l.includes(`GPU binary packages from ${gpuDir}: linux-x64-cuda, linux-x64-cuda-ext`)), logLines.join("\n"));
            const r = await engine.request("complete", { sequence: "chat", prompt: "Once upon a time", maxTokens: 20, sampling: { temperature: 0 } });
            assert.ok(r.tokens >= 10);
            console.log(`      with the CUDA folder registered: backend ${info.backend}`);
        } finally {
            engine.dispose();
        }
    });

    it("the engine resolves node-llama-cpp from the extension folder, not from the repository", () => {
        const r = spawnSync(process.execPath, ["--input-type=module", "-e",
            "console.log(import.meta.resolve('node-llama-cpp'))"], { cwd: path.join(extensionDir, "dist"), encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(r.stdout.trim().startsWith(`file://${extensionDir}/node_modules/node-llama-cpp/`), r.stdout);
    });
});
