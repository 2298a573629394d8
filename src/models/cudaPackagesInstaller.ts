/**
 * Downloads node-llama-cpp's CUDA binary packages from the npm registry into Hearth's global storage: checks the
 * registry's version document, streams each tarball while hashing it, refuses it unless the sha512 matches the
 * registry's integrity, unpacks it with the system `tar`, and only then swaps the finished folder into place, so a
 * cancelled or failed install leaves nothing half-written. Free of `vscode` so integration tests drive it in Node.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { NPM_REGISTRY, packageDirIn, parseIntegrity, parseVersionDocument, type TarballInfo } from "../core/gpuPackages";
import { errorText } from "../core/errorText";

export interface InstallProgress {
    /** Package being downloaded or unpacked. */
    name: string;
    phase: "download" | "unpack";
    receivedBytes: number;
    totalBytes: number;
    bytesPerSecond: number;
}

export interface InstallOptions {
    /** Final folder (gpuPackagesDir): receives node_modules/@node-llama-cpp/<name>. */
    targetDir: string;
    packages: readonly string[];
    version: string;
    registry?: string;
    signal?: AbortSignal;
    onProgress?: (p: InstallProgress) => void;
    fetchImpl?: typeof fetch;
}

export class InstallCancelled extends Error {
    constructor() {
        super("The CUDA download was cancelled.");
    }
}

/** Looks up each package's tarball, URL and checksum, and the download size (HEAD), before anything is written. */
export async function resolveTarballs(options: Pick<InstallOptions, "packages" | "version" | "registry" | "signal" | "fetchImpl">):
    Promise<(TarballInfo & { bytes?: number })[]> {
    const fetchImpl = options.fetchImpl ?? fetch;
    const registry = (options.registry ?? NPM_REGISTRY).replace(/\/$/, "");
    return Promise.all(options.packages.map(async (name) => {
        const url = `${registry}/@node-llama-cpp/${name}/${options.version}`;
        const res = await fetchImpl(url, { signal: options.signal, headers: { accept: "application/json" } });
        if (!res.ok) throw new Error(`The npm registry answered ${res.status} for @node-llama-cpp/${name}@${options.version} (${url}).`);
        const info = parseVersionDocument(await res.json(), name, options.version);
        const head = await fetchImpl(info.url, { method: "HEAD", signal: options.signal });
        const length = Number(head.headers.get("content-length"));
        return { ...info, bytes: head.ok && length > 0 ? length : undefined };
    }));
}

export async function installCudaPackages(options: InstallOptions): Promise<{ bytesDownloaded: number; packages: string[] }> {
    const tarballs = await resolveTarballs(options);
    const parent = path.dirname(options.targetDir);
    fs.mkdirSync(parent, { recursive: true });
    const work = path.join(parent, `.install-${randomBytes(4).toString("hex")}`);
    const staged = path.join(work, "result");
    let bytesDownloaded = 0;
    try {
        fs.mkdirSync(staged, { recursive: true });
        const totalBytes = tarballs.reduce((sum, t) => sum + (t.bytes ?? 0), 0);
        for (const tarball of tarballs) {
            const file = path.join(work, `${tarball.name}.tgz`);
            bytesDownloaded += await downloadVerified(tarball, file, options, bytesDownloaded, totalBytes);
            options.onProgress?.({ name: tarball.name, phase: "unpack", receivedBytes: bytesDownloaded, totalBytes, bytesPerSecond: 0 });
            await unpackPackage(file, path.join(work, `unpack-${tarball.name}`), packageDirIn(staged, tarball.name), tarball, options.signal);
            fs.rmSync(file, { force: true });
        }
        throwIfCancelled(options.signal);
        fs.rmSync(options.targetDir, { recursive: true, force: true });
        fs.renameSync(staged, options.targetDir);
        return { bytesDownloaded, packages: tarballs.map((t) => t.name) };
    } finally {
        fs.rmSync(work, { recursive: true, force: true, maxRetries: 3 });
    }
}

/** Streams one tarball to `file`, hashing as it goes; returns its size. */
async function downloadVerified(tarball: TarballInfo & { bytes?: number }, file: string, options: InstallOptions,
    doneBefore: number, totalBytes: number): Promise<number> {
    const expected = parseIntegrity(tarball.integrity);
    if (!expected) throw new Error(`@node-llama-cpp/${tarball.name} has no sha512 checksum.`);
    let res: Response;
    try {
        res = await (options.fetchImpl ?? fetch)(tarball.url, { signal: options.signal });
    } catch (err) {
        throwIfCancelled(options.signal);
        throw new Error(`Could not download ${tarball.url}: ${errorText(err)}`);
    }
    if (!res.ok || !res.body) throw new Error(`Downloading ${tarball.url} failed with HTTP ${res.status}.`);
    const hash = createHash("sha512");
    const out = fs.createWriteStream(file);
    let writeError: Error | undefined;
    out.on("error", (err) => (writeError = err));
    const started = Date.now();
    let received = 0;
    let lastReport = 0;
    try {
        const reader = res.body.getReader();
        for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            hash.update(value);
            received += value.length;
            if (writeError) throw writeError;
            if (!out.write(value)) {
                await new Promise<void>((resolve) => {
                    out.once("drain", () => resolve());
                    out.once("error", () => resolve());
                });
            }
            const now = Date.now();
            if (now - lastReport > 200) {
                lastReport = now;
                options.onProgress?.({
                    name: tarball.name, phase: "download", receivedBytes: doneBefore + received,
                    totalBytes: Math.max(totalBytes, doneBefore + received),
                    bytesPerSecond: received / Math.max(0.001, (now - started) / 1000),
                });
            }
        }
    } catch (err) {
        throwIfCancelled(options.signal);
        throw new Error(`The download of ${tarball.url} broke off: ${errorText(err)}`);
    } finally {
        await new Promise<void>((resolve) => (writeError ? resolve() : out.end(() => resolve())));
    }
    if (writeError) throw new Error(`Could not write ${file}: ${writeError.message}`);
    const digest = hash.digest("base64");
    if (digest !== expected.digestBase64) {
        throw new Error(`@node-llama-cpp/${tarball.name}@${tarball.version} failed its sha512 check (the download is corrupt or was altered); nothing was installed.`);
    }
    return received;
}

async function unpackPackage(file: string, scratch: string, dest: string, tarball: TarballInfo, signal?: AbortSignal): Promise<void> {
    fs.mkdirSync(scratch, { recursive: true });
    await runTar(["-xzf", file, "-C", scratch], signal);
    const root = path.join(scratch, "package");
    let manifest: { name?: unknown; version?: unknown };
    try {
        manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as typeof manifest;
    } catch {
        throw new Error(`@node-llama-cpp/${tarball.name}: the tarball holds no package/package.json.`);
    }
    if (manifest.name !== `@node-llama-cpp/${tarball.name}` || manifest.version !== tarball.version) {
        throw new Error(`@node-llama-cpp/${tarball.name}: the tarball holds ${String(manifest.name)}@${String(manifest.version)}.`);
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.renameSync(root, dest);
}

/** The system tar: GNU/bsd tar on Linux, bsdtar shipped with Windows 10+ (System32, not Git's GNU tar). */
function tarCommand(): string {
    if (process.platform === "win32") return path.join(process.env.SystemRoot ?? "C:\\Windows", "System32", "tar.exe");
    return "tar";
}

function runTar(args: string[], signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(tarCommand(), args, { stdio: ["ignore", "ignore", "pipe"], signal });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", (err) => reject(signal?.aborted ? new InstallCancelled() : new Error(`Could not run tar: ${err.message}`)));
        child.on("close", (code) => {
            if (signal?.aborted) reject(new InstallCancelled());
            else if (code === 0) resolve();
            else reject(new Error(`tar failed (${code}): ${stderr.trim()}`));
        });
    });
}

function throwIfCancelled(signal?: AbortSignal): void {
    if (signal?.aborted) throw new InstallCancelled();
}
