// Which node-llama-cpp prebuilt binary packages each platform VSIX ships, shared by scripts/package.mjs, the
// registry check (scripts/check-binary-packages.mjs) and the VSIX tests (test/package/).
//
// A VSIX holds the CPU build plus the GPU build that needs no extra download on that platform (Vulkan on Linux and
// Windows x64, Metal on Apple silicon). CUDA (~540 MB unpacked) is never shipped in a VSIX: NVIDIA users get the
// Vulkan build, and "Hearth: Install CUDA Acceleration" fetches the CUDA packages on request (see cudaPackages).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The pinned node-llama-cpp version; its binary packages are published with the same version. */
export const NODE_LLAMA_CPP_VERSION = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies["node-llama-cpp"];

/** vsce target -> @node-llama-cpp/<name> packages shipped inside that VSIX. */
export const TARGET_BINARY_PACKAGES = {
    "linux-x64": ["linux-x64", "linux-x64-vulkan"],
    "linux-arm64": ["linux-arm64"],
    "linux-armhf": ["linux-armv7l"],
    "darwin-arm64": ["mac-arm64-metal"],
    "darwin-x64": ["mac-x64"],
    "win32-x64": ["win-x64", "win-x64-vulkan"],
    "win32-arm64": ["win-arm64"],
};

/** Packages fetched on request by "Hearth: Install CUDA Acceleration" (never in a VSIX). */
export const CUDA_PACKAGES = {
    "linux-x64": ["linux-x64-cuda", "linux-x64-cuda-ext"],
    "win32-x64": ["win-x64-cuda", "win-x64-cuda-ext"],
};

export const ALL_TARGETS = Object.keys(TARGET_BINARY_PACKAGES);

/** Every binary package name any target uses, shipped or on demand. */
export function allBinaryPackageNames() {
    return [...new Set([...Object.values(TARGET_BINARY_PACKAGES).flat(), ...Object.values(CUDA_PACKAGES).flat()])];
}

export function vsixFileName(target, version) {
    return `hearth-${target}-${version}.vsix`;
}

export const VSIX_DIR = path.join(REPO_ROOT, "dist-vsix");
