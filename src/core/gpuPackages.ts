/**
 * On-demand CUDA binaries: which node-llama-cpp packages hold them per platform, where Hearth keeps them, and how a
 * registry answer is checked before anything is downloaded. The VSIX ships the CPU and Vulkan/Metal builds only;
 * the CUDA builds (~320 MB to download, ~540 MB unpacked on Linux) come from the npm registry when the user runs
 * "Hearth: Install CUDA Acceleration". Kept in sync with scripts/package-targets.mjs (a unit test compares them).
 */
import * as path from "node:path";

/** `${process.platform}-${process.arch}` -> @node-llama-cpp/<name> packages holding that platform's CUDA build. */
export const CUDA_PACKAGES: Readonly<Record<string, readonly string[]>> = {
    "linux-x64": ["linux-x64-cuda", "linux-x64-cuda-ext"],
    "win32-x64": ["win-x64-cuda", "win-x64-cuda-ext"],
};

export const NPM_REGISTRY = "https://registry.npmjs.org";

/** Environment variable that tells the engine where the downloaded binary packages are (see src/engine/gpuPackages.ts). */
export const GPU_PACKAGES_ENV = "HEARTH_GPU_PACKAGES_DIR";

export function cudaPackagesFor(platform: string, arch: string): readonly string[] | undefined {
    return CUDA_PACKAGES[`${platform}-${arch}`];
}

/**
 * Folder holding `node_modules/@node-llama-cpp/<name>` for one node-llama-cpp version. Versioned, because
 * node-llama-cpp only uses a binary package of exactly its own version; an update downloads anew.
 */
export function gpuPackagesDir(globalStoragePath: string, nodeLlamaCppVersion: string): string {
    return path.join(globalStoragePath, "gpu-binaries", nodeLlamaCppVersion);
}

export function packageDirIn(packagesDir: string, name: string): string {
    return path.join(packagesDir, "node_modules", "@node-llama-cpp", name);
}

export interface TarballInfo {
    name: string;
    version: string;
    url: string;
    /** Subresource-integrity string from the registry, e.g. "sha512-…". */
    integrity: string;
    /** Unpacked size when the registry states it. */
    unpackedSize?: number;
}

/**
 * Checks a registry document for `@node-llama-cpp/<name>@<version>` (GET <registry>/@node-llama-cpp/<name>/<version>)
 * and returns what to download. Throws with a readable reason when it is not what was asked for.
 */
export function parseVersionDocument(doc: unknown, name: string, version: string): TarballInfo {
    const fullName = `@node-llama-cpp/${name}`;
    if (typeof doc !== "object" || doc === null) throw new Error(`The registry sent no package document for ${fullName}@${version}.`);
    const d = doc as { name?: unknown; version?: unknown; dist?: { tarball?: unknown; integrity?: unknown; unpackedSize?: unknown } };
    if (d.name !== fullName || d.version !== version) {
        throw new Error(`The registry answered with ${String(d.name)}@${String(d.version)} instead of ${fullName}@${version}.`);
    }
    const url = d.dist?.tarball;
    const integrity = d.dist?.integrity;
    // Plain http only on loopback (a local test registry); the checksum is verified either way.
    if (typeof url !== "string" || !/^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost)[:/])/.test(url)) {
        throw new Error(`${fullName}@${version} has no https tarball URL.`);
    }
    if (typeof integrity !== "string" || !parseIntegrity(integrity)) {
        throw new Error(`${fullName}@${version} has no sha512 integrity checksum; refusing to download it.`);
    }
    const unpackedSize = typeof d.dist?.unpackedSize === "number" ? d.dist.unpackedSize : undefined;
    return { name, version, url, integrity, unpackedSize };
}

/** "sha512-<base64>" -> the expected digest; only sha512 is accepted (what npm publishes). */
export function parseIntegrity(integrity: string): { algorithm: "sha512"; digestBase64: string } | undefined {
    for (const part of integrity.trim().split(/\s+/)) {
        const m = /^sha512-([A-Za-z0-9+/]{86}==)$/.exec(part);
        if (m) return { algorithm: "sha512", digestBase64: m[1]! };
    }
    return undefined;
}

/** "12.3 MB" style progress text. */
export function formatMegabytes(bytes: number): string {
    return `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
}
