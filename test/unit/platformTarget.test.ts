/** The words for a missing llama.cpp binary, instead of node-llama-cpp's bare "NoBinaryFoundError". */
import * as assert from "node:assert/strict";
import { isNoBinaryFoundError, missingBinaryMessage, platformTarget } from "../../src/core/platformTarget";

describe("platform targets and the missing-binary message", () => {
    it("names machines as VS Code's platform targets", () => {
        assert.equal(platformTarget("linux", "x64"), "linux-x64");
        assert.equal(platformTarget("linux", "arm"), "linux-armhf");
        assert.equal(platformTarget("win32", "arm64"), "win32-arm64");
        assert.equal(platformTarget("darwin", "arm64"), "darwin-arm64");
        assert.equal(platformTarget("freebsd", "x64"), undefined);
        assert.equal(platformTarget("linux", "ppc64"), undefined);
    });

    it("says which package to install when the VSIX is for another platform", () => {
        const text = missingBinaryMessage({ platform: "linux", arch: "x64" }, { target: "win32-arm64", version: "0.1.0" });
        assert.equal(text, "This Hearth package is for win32-arm64; this machine is linux-x64. Install the linux-x64 one " +
            "(hearth-linux-x64-0.1.0.vsix; the Marketplace and Open VSX pick it by themselves).");
    });

    it("says the binary is missing when the package is for this machine, or in a development checkout", () => {
        assert.match(missingBinaryMessage({ platform: "darwin", arch: "arm64" }, { target: "darwin-arm64", version: "1.2.3" }),
            /binary for darwin-arm64 is missing .* Reinstall Hearth \(hearth-darwin-arm64-1\.2\.3\.vsix\)/);
        assert.match(missingBinaryMessage({ platform: "linux", arch: "x64" }, undefined), /run npm ci/);
    });

    it("says there is no build at all for an unsupported machine, and what works there instead", () => {
        assert.match(missingBinaryMessage({ platform: "freebsd", arch: "x64" }, undefined), /no llama\.cpp build for this machine \(freebsd-x64\).*OpenAI-compatible server/);
    });

    it("recognises node-llama-cpp's NoBinaryFoundError by its class name and messages", () => {
        class NoBinaryFoundError extends Error {}
        assert.ok(isNoBinaryFoundError(new NoBinaryFoundError("NoBinaryFoundError")));
        assert.ok(isNoBinaryFoundError(new Error("No prebuilt binaries found, no llama.cpp source found and `skipDownload` …")));
        assert.ok(!isNoBinaryFoundError(new Error("out of memory")));
    });
});
