/**
 * llama-bench linked against node-llama-cpp's own prebuilt libraries: the very libllama, libggml and CPU variant
 * (e.g. libggml-cpu-zen4.so, chosen at run time by ggml as in the engine) that Hearth's engine loads. With it,
 * engine_vs_llamabench_tg splits into what the prebuilt binaries cost (this build ÷ the native build from
 * scripts/llama-cpp-tools.mjs) and what generating inside node-llama-cpp costs (engine ÷ this build).
 *
 * Compiled from llama-bench's two source files of the same llama.cpp release (node-llama-cpp's gitRelease.bundle,
 * extracted by bench/models.ts) with the system C++ compiler, about 15 s on two cores; everything else comes from
 * node-llama-cpp's binaries (libllama-common.so carries llama-bench's helpers and the build info). Cached in
 * bench/.cache, keyed by node-llama-cpp's version and the libraries' sizes. Linux x64 only (the platform whose
 * prebuilt package ships those shared libraries side by side); elsewhere the bench notes why it is missing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CACHE_DIR, log, REPO_ROOT } from "./lib";
import { ensureLlamaCppSource } from "./models";

/** The libraries llama-bench links to, as node-llama-cpp's linux-x64 package names them. */
const LINKED_LIBRARIES = ["libllama-common.so", "libllama.v0.4.0.so", "libggml.v0.4.0.so", "libggml-base.so"];

export type PrebuiltLlamaBench = { exe: string } | { missing: string };

function prebuiltBinsDir(): string {
    const platform = `${process.platform}-${process.arch}`;
    return path.join(REPO_ROOT, "node_modules", "@node-llama-cpp", platform, "bins", platform);
}

export function ensurePrebuiltLlamaBench(): PrebuiltLlamaBench {
    if (process.platform !== "linux" || process.arch !== "x64") return { missing: `not built on ${process.platform}-${process.arch} (Linux x64 only)` };
    const bins = prebuiltBinsDir();
    const missingLib = LINKED_LIBRARIES.find((lib) => !fs.existsSync(path.join(bins, lib)));
    if (missingLib) return { missing: `${path.relative(REPO_ROOT, bins)}/${missingLib} not found (another node-llama-cpp version names its libraries differently)` };
    const nlcVersion = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "node-llama-cpp", "package.json"), "utf8")) as { version: string }).version;
    const key = createHash("sha256")
        .update(JSON.stringify([nlcVersion, LINKED_LIBRARIES.map((lib) => fs.statSync(path.join(bins, lib)).size)]))
        .digest("hex").slice(0, 16);
    const dir = path.join(CACHE_DIR, "llama-bench-prebuilt", key);
    const exe = path.join(dir, "llama-bench");
    // ggml loads its CPU variants from the executable's folder: link node-llama-cpp's next to it.
    const linkCpuVariants = () => {
        for (const file of fs.readdirSync(bins).filter((f) => /^libggml-cpu-.+\.so$/.test(f))) {
            const link = path.join(dir, file);
            if (!fs.existsSync(link)) fs.symlinkSync(path.join(bins, file), link);
        }
    };
    if (fs.existsSync(exe)) {
        linkCpuVariants();
        return { exe };
    }
    const src = ensureLlamaCppSource();
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${exe}.${process.pid}.tmp`;
    const compiler = process.env.CXX ?? "g++";
    log(`  compiling llama-bench against node-llama-cpp ${nlcVersion}'s prebuilt libraries (${compiler}, about 15 s)`);
    try {
        execFileSync(compiler, [
            "-O2", "-DNDEBUG", "-std=c++17",
            ...["include", "common", "ggml/include", "vendor"].map((d) => `-I${path.join(src, d)}`),
            path.join(src, "tools", "llama-bench", "main.cpp"), path.join(src, "tools", "llama-bench", "llama-bench.cpp"),
            "-o", tmp, `-L${bins}`, ...LINKED_LIBRARIES.map((lib) => `-l:${lib}`), `-Wl,-rpath,${bins}`, "-lpthread",
        ], { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 16 << 20 });
    } catch (err) {
        fs.rmSync(tmp, { force: true });
        const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split("\n").slice(-3).join(" ") ?? String(err);
        return { missing: `compiling llama-bench against node-llama-cpp's libraries failed: ${stderr}` };
    }
    fs.renameSync(tmp, exe);
    linkCpuVariants();
    return { exe };
}

/** Which of node-llama-cpp's CPU variants ggml picks on this machine (e.g. "zen4"), as llama-bench reports loading it. */
export function prebuiltCpuVariant(exe: string): string | undefined {
    const run = spawnSync(exe, ["--list-devices"], { encoding: "utf8" });
    return /loaded CPU backend from .*libggml-cpu-([\w-]+)\.so/.exec(`${run.stderr}${run.stdout}`)?.[1];
}
