/**
 * Which VS Code platform target a machine is (the names `vsce package --target` and the Marketplace use), and the
 * words for "the llama.cpp binary is missing": a VSIX installed on the wrong platform, an unsupported platform,
 * or an installation whose binaries are gone. node-llama-cpp itself only says "NoBinaryFoundError".
 */

/** The targets Hearth publishes (scripts/package-targets.mjs builds one VSIX each). */
export const PUBLISHED_TARGETS = ["linux-x64", "linux-arm64", "linux-armhf", "darwin-arm64", "darwin-x64", "win32-x64", "win32-arm64"] as const;

/** VS Code's target name for a Node platform/arch pair ("linux"/"arm" → "linux-armhf"); undefined for others. */
export function platformTarget(platform: string, arch: string): string | undefined {
    const archName = arch === "arm" ? "armhf" : arch;
    if (!["win32", "linux", "darwin"].includes(platform) || !["x64", "arm64", "armhf"].includes(archName)) return undefined;
    return `${platform}-${archName}`;
}

/** What the packaging step records next to the engine (dist/target.json) about the VSIX it went into. */
export interface PackageTarget {
    target: string;
    version: string;
}

/** The message for node-llama-cpp's NoBinaryFoundError: what is wrong and which package to install instead. */
export function missingBinaryMessage(here: { platform: string; arch: string }, packaged: PackageTarget | undefined): string {
    const target = platformTarget(here.platform, here.arch);
    const machine = target ?? `${here.platform}-${here.arch}`;
    if (!target || !(PUBLISHED_TARGETS as readonly string[]).includes(target)) {
        return `Hearth has no llama.cpp build for this machine (${machine}). Packages exist for ${PUBLISHED_TARGETS.join(", ")}; ` +
            "on other machines, point Hearth at an OpenAI-compatible server (hearth.backend).";
    }
    if (packaged && packaged.target !== target) {
        return `This Hearth package is for ${packaged.target}; this machine is ${target}. Install the ${target} one ` +
            `(hearth-${target}-${packaged.version}.vsix; the Marketplace and Open VSX pick it by themselves).`;
    }
    return `The llama.cpp binary for ${target} is missing from this Hearth installation. Reinstall Hearth` +
        `${packaged ? ` (hearth-${target}-${packaged.version}.vsix)` : "; in a development checkout run npm ci"}.`;
}

/** node-llama-cpp's NoBinaryFoundError (matched by name: the class is internal to node-llama-cpp). */
export function isNoBinaryFoundError(err: unknown): boolean {
    return err instanceof Error && (err.name === "NoBinaryFoundError" || err.constructor?.name === "NoBinaryFoundError" || err.message === "NoBinaryFoundError"
        || /No prebuilt binaries found/.test(err.message));
}
