// llama.cpp's own tools (llama-server, llama-bench), built once per machine from the llama.cpp source that
// node-llama-cpp ships (node_modules/node-llama-cpp/llama/gitRelease.bundle), for the server-backend tests and
// the benchmarks. CPU only, no network at build time.
//
//   node scripts/llama-cpp-tools.mjs              build if needed, then print "llama-server <path>" lines
//   node scripts/llama-cpp-tools.mjs --json       the same as one JSON object (commit, paths, build time)
//   node scripts/llama-cpp-tools.mjs --if-cached  never build: print the paths, or exit 3 if not built yet
//
// The build is cached in a user folder keyed by the llama.cpp commit, $HEARTH_LLAMA_CPP_CACHE or
// ${XDG_CACHE_HOME:-~/.cache}/hearth/llama.cpp/<commit>/, so every checkout on the machine (worktrees, later CI
// runs) shares one build; a clean machine builds from scratch (about 8 minutes on 2 cores). Concurrent callers
// are serialised with flock(1) (a pid lock where flock is missing), and the binaries are published by renaming a
// finished folder into place (bin/), so a half-finished or killed build is never taken for a finished one: the
// next caller resumes the cmake build folder.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(import.meta.url);
export const REPO_ROOT = path.resolve(path.dirname(SCRIPT), "..");
export const TOOLS = ["llama-server", "llama-bench"];
// Bump when the flags below change, so an older build in the cache is rebuilt instead of reused.
export const RECIPE = 3;

// Release, CPU only, static executables. GGML_NATIVE (default ON) tunes the kernels to this CPU, as a user's own
// build is; OpenMP is off because node-llama-cpp's prebuilt ggml uses ggml's own thread pool too, so both sides
// of a comparison schedule threads the same way. No UI download (LLAMA_USE_PREBUILT_UI fetches from Hugging
// Face), no npm UI build, no OpenSSL (loopback HTTP only). LLAMA_CURL is deprecated at this commit (no libcurl is
// used any more), so it is not passed.
const CMAKE_FLAGS = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DGGML_OPENMP=OFF",
    "-DGGML_METAL=OFF",
    "-DGGML_BLAS=OFF",
    "-DGGML_CUDA=OFF",
    "-DGGML_VULKAN=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_APP=OFF",
    "-DLLAMA_BUILD_TOOLS=ON",
    "-DLLAMA_BUILD_SERVER=ON",
];

/**
 * ggml's AMX kernels (x86-64 CPUs with AMX, picked by GGML_NATIVE) load their tile configuration from a struct they
 * fill on the stack; GCC 12 does not see `_tile_loadconfig` read it, drops the stores, and the first tile
 * instruction dies of SIGILL (`tilezero` in tinygemm_kernel_amx<block_q8_0>, llama-server's warm-up decode; 2 of the
 * server-backend tests failed on a Xeon with AMX, 2026-12-05; upstream ggml-org/llama.cpp#26954). An empty asm
 * statement that takes the struct's address keeps the stores (checked in the disassembly). node-llama-cpp's
 * prebuilt sapphirerapids variant runs these kernels on the same machine, so patching rather than leaving AMX out
 * keeps the comparison like for like (without them llama-bench generated 11.7 tok/s there, the prebuilt 21.8).
 * Returns whether the AMX kernels are safe to build: false when the code no longer looks as expected, and then the
 * build leaves AMX out (amxFlags) instead of risking the crash.
 */
export const AMX_SOURCE = path.join("ggml", "src", "ggml-cpu", "amx", "mmq.cpp");
const AMX_LOAD = "    _tile_loadconfig(&tc);\n";
const AMX_FIX = "    __asm__ __volatile__(\"\" : : \"r\"(&tc) : \"memory\"); // Hearth: keep tc's stores (GCC 12, llama.cpp#26954)\n";

export function fixAmxTileConfig(src) {
    const file = path.join(src, AMX_SOURCE);
    if (!fs.existsSync(file)) return false;
    const code = fs.readFileSync(file, "utf8");
    if (code.includes(AMX_FIX + AMX_LOAD)) return true;
    if (code.split(AMX_LOAD).length !== 2 || !code.includes("alignas(64) tile_config_t tc = {};")) return false;
    fs.writeFileSync(file, code.replace(AMX_LOAD, AMX_FIX + AMX_LOAD));
    return true;
}

/**
 * Compiler flags that leave ggml's AMX kernels out when they are not safe (x86-64 only: other compilers reject the
 * flags). Always passed, empty when not needed, so that a build folder configured earlier with them is reset.
 */
export function amxFlags(amxSafe) {
    // -mno-* wins over -march=native whatever the order (GCC and Clang).
    const flags = amxSafe || process.arch !== "x64" ? "" : "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16";
    return [`-DCMAKE_C_FLAGS=${flags}`, `-DCMAKE_CXX_FLAGS=${flags}`];
}

export function llamaCppBundle() {
    // node-llama-cpp's "exports" hide package.json, so find its folder from the entry point.
    const entry = createRequire(path.join(REPO_ROOT, "package.json")).resolve("node-llama-cpp");
    let pkgDir = path.dirname(entry);
    while (!fs.existsSync(path.join(pkgDir, "package.json")) && path.dirname(pkgDir) !== pkgDir) pkgDir = path.dirname(pkgDir);
    const bundle = path.join(pkgDir, "llama", "gitRelease.bundle");
    if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm ci.`);
    return bundle;
}

/** The commit the bundle checks out (its HEAD), which keys the cache. */
export function llamaCppCommit(bundle = llamaCppBundle()) {
    const r = spawnSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" });
    if (r.error) throw new Error(`git is needed to read ${bundle}: ${r.error.message}`);
    const head = /^([0-9a-f]{40}) HEAD$/m.exec(r.stdout ?? "") ?? /^([0-9a-f]{40}) /m.exec(r.stdout ?? "");
    if (r.status !== 0 || !head) throw new Error(`cannot read the commit of ${bundle}: ${r.stderr || r.stdout}`);
    return head[1];
}

export function cacheRoot() {
    if (process.env.HEARTH_LLAMA_CPP_CACHE) return path.resolve(process.env.HEARTH_LLAMA_CPP_CACHE);
    const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(base, "hearth", "llama.cpp");
}

/** The published build for `commit`, or undefined when there is none (or it is from an older recipe). */
function readManifest(dir) {
    const file = path.join(dir, "bin", "manifest.json");
    let manifest;
    try {
        manifest = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return undefined;
    }
    if (manifest.recipe !== RECIPE || manifest.platform !== `${process.platform}-${process.arch}`) return undefined;
    const exe = (name) => path.join(dir, "bin", process.platform === "win32" ? `${name}.exe` : name);
    if (!TOOLS.every((t) => fs.existsSync(exe(t)))) return undefined;
    return {
        commit: manifest.commit,
        dir: path.join(dir, "bin"),
        llamaServer: exe("llama-server"),
        llamaBench: exe("llama-bench"),
        buildSeconds: manifest.buildSeconds,
        builtAt: manifest.builtAt,
        cmakeFlags: manifest.cmakeFlags,
    };
}

/**
 * The built tools ({ commit, dir, llamaServer, llamaBench, buildSeconds, builtAt, built }), building them first
 * when `build` is true (the default) and they are not cached; undefined when `build` is false and they are not.
 * `built` is true when this call did the build. Build output goes to <dir>/build.log; progress to `log`.
 */
export async function llamaCppTools({ build = true, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
    const commit = llamaCppCommit();
    const dir = path.join(cacheRoot(), commit);
    const cached = readManifest(dir);
    if (cached) return { ...cached, built: false };
    if (!build) return undefined;
    fs.mkdirSync(dir, { recursive: true });
    await runLocked(dir, log);
    const done = readManifest(dir);
    if (!done) throw new Error(`llama.cpp tools build finished without publishing ${path.join(dir, "bin")}; see ${path.join(dir, "build.log")}`);
    return { ...done, built: true };
}

/** Runs this script's --build-locked step in a child under an exclusive lock on <dir>/.lock. */
async function runLocked(dir, log) {
    const lock = path.join(dir, ".lock");
    const inner = [SCRIPT, "--build-locked", dir];
    const hasFlock = process.platform !== "win32" && spawnSync("flock", ["--version"], { stdio: "ignore" }).status === 0;
    if (hasFlock) {
        // flock(1) holds the lock for the child's lifetime and the kernel drops it if anything dies.
        const busy = spawnSync("flock", ["-n", lock, "true"], { stdio: "ignore" }).status !== 0;
        log(busy ? `llama.cpp tools: another process is building them in ${dir}; waiting for it to finish`
            : `llama.cpp tools: not built for this llama.cpp commit yet; building into ${dir}`);
        await run("flock", ["-w", "5400", lock, process.execPath, ...inner]);
        return;
    }
    await withPidLock(`${lock}.d`, log, () => run(process.execPath, inner));
}

function run(cmd, args) {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"] });
        child.on("error", reject);
        child.on("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed (${signal ?? `exit ${code}`})`))));
    });
}

/** Where flock(1) is missing: a lock folder holding the owner's pid; a lock whose owner is gone is taken over. */
async function withPidLock(lockDir, log, fn) {
    for (let waited = 0; ; waited++) {
        try {
            fs.mkdirSync(lockDir);
            fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
            break;
        } catch (err) {
            if (err.code !== "EEXIST") throw err;
            const owner = Number(fs.readFileSync(path.join(lockDir, "pid"), "utf8").trim() || "0");
            let alive = false;
            try {
                if (owner) process.kill(owner, 0);
                alive = owner > 0;
            } catch { /* no such process */ }
            if (!alive && waited > 1) fs.rmSync(lockDir, { recursive: true, force: true });
            else if (waited % 30 === 0) log(`llama.cpp tools: waiting for the build in progress (pid ${owner})`);
            await new Promise((r) => setTimeout(r, 2000));
        }
    }
    try {
        await fn();
    } finally {
        fs.rmSync(lockDir, { recursive: true, force: true });
    }
}

/** The build itself; runs with the lock held (so re-checks first: the previous holder may have just finished). */
async function buildLocked(dir) {
    if (readManifest(dir)) return;
    const started = Date.now();
    const logFile = path.join(dir, "build.log");
    fs.writeFileSync(logFile, `build started ${new Date().toISOString()}\n`);
    const say = (m) => {
        process.stderr.write(`[llama.cpp tools ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
        fs.appendFileSync(logFile, `${m}\n`);
    };
    const commit = path.basename(dir);

    const src = path.join(dir, "src");
    if (!fs.existsSync(path.join(src, ".hearth-complete"))) {
        // Cloned next to its final place and renamed, so a killed clone is never mistaken for the source.
        say(`extracting llama.cpp ${commit.slice(0, 12)} from node-llama-cpp's gitRelease.bundle`);
        const tmp = `${src}.tmp`;
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.rmSync(src, { recursive: true, force: true });
        await runLogged("git", ["clone", "-q", "--no-checkout", llamaCppBundle(), tmp], logFile);
        await runLogged("git", ["-C", tmp, "-c", "advice.detachedHead=false", "checkout", "-q", commit], logFile);
        fs.writeFileSync(path.join(tmp, ".hearth-complete"), commit);
        fs.renameSync(tmp, src);
    }

    const amxSafe = fixAmxTileConfig(src);
    if (!amxSafe) say(`${AMX_SOURCE} is not as expected: building without ggml's AMX kernels`);
    const cmakeFlags = [...CMAKE_FLAGS, ...amxFlags(amxSafe)];

    const buildDir = path.join(dir, "build");
    const ninja = spawnSync("ninja", ["--version"], { stdio: "ignore" }).status === 0;
    const jobs = String(os.availableParallelism());
    const configure = () => runLogged("cmake", ["-S", src, "-B", buildDir, ...(ninja ? ["-G", "Ninja"] : []), ...cmakeFlags], logFile);
    const compile = () => runLogged("cmake", ["--build", buildDir, "--config", "Release", "-j", jobs, "--target", ...TOOLS], logFile, say);
    const resuming = fs.existsSync(path.join(buildDir, "CMakeCache.txt"));
    say(`${resuming ? "resuming the build in" : "configuring"} ${buildDir} (cmake${ninja ? " + Ninja" : ""}, ${jobs} jobs; output in ${logFile})`);
    // Configured again when resuming too: a build folder left by an older recipe must take the current flags.
    await configure();
    try {
        await compile();
    } catch (err) {
        if (!resuming) throw err;
        // A build folder left by a killed build can hold a truncated object file: start it over once.
        say(`resumed build failed (${err.message.split("\n")[0]}); building again from a clean folder`);
        fs.rmSync(buildDir, { recursive: true, force: true });
        await configure();
        await compile();
    }

    // Publish: copy the executables into a fresh folder, then rename it to bin/ (atomic), manifest included.
    const staging = path.join(dir, `bin.tmp-${process.pid}`);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging);
    for (const tool of TOOLS) {
        const name = process.platform === "win32" ? `${tool}.exe` : tool;
        const built = [path.join(buildDir, "bin", name), path.join(buildDir, "bin", "Release", name)].find((f) => fs.existsSync(f));
        if (!built) throw new Error(`${name} was not produced in ${buildDir}/bin; see ${logFile}`);
        fs.copyFileSync(built, path.join(staging, name));
        fs.chmodSync(path.join(staging, name), 0o755);
    }
    const buildSeconds = Math.round((Date.now() - started) / 1000);
    fs.writeFileSync(path.join(staging, "manifest.json"), `${JSON.stringify({
        commit, recipe: RECIPE, platform: `${process.platform}-${process.arch}`, tools: TOOLS, cmakeFlags, amxPatched: amxSafe,
        buildSeconds, resumed: resuming, builtAt: new Date().toISOString(), cores: os.availableParallelism(),
    }, null, 2)}\n`);
    const bin = path.join(dir, "bin");
    const old = path.join(dir, `bin.old-${process.pid}`);
    if (fs.existsSync(bin)) fs.renameSync(bin, old);
    fs.renameSync(staging, bin);
    fs.rmSync(old, { recursive: true, force: true });
    say(`built ${TOOLS.join(" and ")} in ${(buildSeconds / 60).toFixed(1)} min → ${bin}`);
}

/** Runs a command with its output appended to the log file; `progress` gets the build step every 30 s. */
function runLogged(cmd, args, logFile, progress) {
    fs.appendFileSync(logFile, `$ ${cmd} ${args.join(" ")}\n`);
    return new Promise((resolve, reject) => {
        const out = fs.createWriteStream(logFile, { flags: "a" });
        const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
        let step = "";
        const watch = (chunk) => {
            // Ninja prints "[12/345] Building ...", make "[ 45%] Building ...".
            const m = [...String(chunk).matchAll(/\[(\d+\/\d+)\]|\[\s*(\d+%)\]/g)].at(-1);
            if (m) step = m[1] ?? m[2];
        };
        child.stdout.on("data", watch);
        child.stdout.pipe(out, { end: false });
        child.stderr.pipe(out, { end: false });
        const timer = progress ? setInterval(() => step && progress(`compiling: ${step}`), 30_000) : undefined;
        child.on("error", (err) => {
            clearInterval(timer);
            out.end();
            reject(new Error(`${cmd}: ${err.message} (is it installed?)`));
        });
        child.on("close", (code, signal) => {
            clearInterval(timer);
            out.end(() => {
                if (code === 0) return resolve();
                const tail = fs.readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n");
                reject(new Error(`${cmd} ${args[0]} … exited with ${signal ?? code}; last lines of ${logFile}:\n${tail}`));
            });
        });
    });
}

async function main(argv) {
    if (argv[0] === "--build-locked") {
        await buildLocked(argv[1]);
        return;
    }
    const ifCached = argv.includes("--if-cached");
    const tools = await llamaCppTools({ build: !ifCached });
    if (!tools) {
        process.stderr.write(`llama.cpp tools are not built for this commit yet (${path.join(cacheRoot(), llamaCppCommit())}); run node scripts/llama-cpp-tools.mjs\n`);
        process.exit(3);
    }
    if (argv.includes("--json")) {
        process.stdout.write(`${JSON.stringify(tools)}\n`);
        return;
    }
    process.stdout.write(`llama-server ${tools.llamaServer}\nllama-bench ${tools.llamaBench}\n`);
    process.stderr.write(tools.built
        ? `llama.cpp tools built in ${(tools.buildSeconds / 60).toFixed(1)} min (llama.cpp ${tools.commit.slice(0, 12)})\n`
        : `llama.cpp tools cached (llama.cpp ${tools.commit.slice(0, 12)}, built ${tools.builtAt} in ${(tools.buildSeconds / 60).toFixed(1)} min)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === SCRIPT) {
    main(process.argv.slice(2)).catch((err) => {
        process.stderr.write(`llama.cpp tools: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    });
}
