/**
 * "Hearth: Install CUDA Acceleration". The VSIX carries the CPU and Vulkan builds of llama.cpp (Vulkan already runs
 * on NVIDIA GPUs); the CUDA build is ~320 MB to download, so Hearth fetches it only when the user runs this command:
 * from the npm registry, checksum-verified, into Hearth's global storage (kept across extension updates), then
 * restarts the engine, which finds it through src/engine/gpuPackages.ts. Running it again offers to remove it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { getSetting } from "../config/settings";
import { cudaPackagesFor, formatMegabytes, GPU_PACKAGES_ENV, gpuPackagesDir, packageDirIn } from "../core/gpuPackages";
import type { HearthServices } from "../services";
import { InstallCancelled, installCudaPackages, resolveTarballs } from "./cudaPackagesInstaller";
import { errorText } from "../core/errorText";

export function registerCudaInstall(services: HearthServices): void {
    services.context.subscriptions.push(
        vscode.commands.registerCommand("hearth.installCudaAcceleration", () => installCudaCommand(services)),
    );
}

/** The node-llama-cpp version inside this installation; the CUDA packages must match it exactly. */
function shippedNodeLlamaCppVersion(extensionPath: string): string | undefined {
    try {
        const manifest = path.join(extensionPath, "node_modules", "node-llama-cpp", "package.json");
        return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version?: string }).version;
    } catch {
        return undefined;
    }
}

/** Environment for the engine process: where downloaded GPU packages live (see EngineService). */
export function gpuPackagesEnv(context: vscode.ExtensionContext): Record<string, string> {
    const version = shippedNodeLlamaCppVersion(context.extensionPath);
    return version ? { [GPU_PACKAGES_ENV]: gpuPackagesDir(context.globalStorageUri.fsPath, version) } : {};
}

const installed = (dir: string, packages: readonly string[]) => packages.every((p) => fs.existsSync(path.join(packageDirIn(dir, p), "package.json")));

async function installCudaCommand(services: HearthServices): Promise<void> {
    const { context, engine, log } = services;
    const packages = cudaPackagesFor(process.platform, process.arch);
    if (!packages) {
        void vscode.window.showInformationMessage(vscode.l10n.t(
            "CUDA acceleration is available for NVIDIA GPUs on Linux x64 and Windows x64. On this machine Hearth uses the GPU backend included in the extension (Metal or Vulkan) or the CPU."));
        return;
    }
    const version = shippedNodeLlamaCppVersion(context.extensionPath);
    if (!version) {
        void vscode.window.showErrorMessage(vscode.l10n.t("Hearth could not find its node-llama-cpp runtime; reinstall the extension."));
        return;
    }
    if (installed(context.extensionPath, packages)) {
        void vscode.window.showInformationMessage(vscode.l10n.t("This installation of Hearth already includes the CUDA build."));
        return;
    }
    const targetDir = gpuPackagesDir(context.globalStorageUri.fsPath, version);
    if (installed(targetDir, packages)) {
        const remove = vscode.l10n.t("Remove CUDA Build");
        const choice = await vscode.window.showInformationMessage(
            vscode.l10n.t("Hearth's CUDA build is installed in {0}.", targetDir), remove);
        if (choice === remove) {
            fs.rmSync(path.dirname(targetDir), { recursive: true, force: true });
            log.info(`Removed the CUDA build from ${targetDir}`);
            await engine.restart().catch(() => undefined);
        }
        return;
    }

    const controller = new AbortController();
    let sizes: Awaited<ReturnType<typeof resolveTarballs>>;
    try {
        sizes = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: asking the npm registry for the CUDA build…"), cancellable: true },
            (_p, token) => {
                token.onCancellationRequested(() => controller.abort());
                return resolveTarballs({ packages, version, signal: controller.signal });
            });
    } catch (err) {
        if (!controller.signal.aborted) void vscode.window.showErrorMessage(vscode.l10n.t("Hearth could not reach the npm registry: {0}", errorText(err)));
        return;
    }
    const total = sizes.reduce((sum, s) => sum + (s.bytes ?? 0), 0);
    const download = vscode.l10n.t("Download");
    const confirm = await vscode.window.showInformationMessage(
        vscode.l10n.t("Download Hearth's CUDA build ({0}) from registry.npmjs.org?", total ? formatMegabytes(total) : "~320 MB"),
        {
            modal: true,
            detail: vscode.l10n.t("It needs an NVIDIA GPU and driver. Without it Hearth already uses your GPU through Vulkan. Files go to {0}.", targetDir),
        },
        download);
    if (confirm !== download) return;

    const installController = new AbortController();
    try {
        const result = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: installing CUDA acceleration"), cancellable: true },
            (progress, token) => {
                token.onCancellationRequested(() => installController.abort());
                let reported = 0;
                return installCudaPackages({
                    targetDir, packages, version, signal: installController.signal,
                    onProgress: (p) => {
                        const pct = p.totalBytes ? Math.floor((p.receivedBytes / p.totalBytes) * 100) : 0;
                        const message = p.phase === "unpack"
                            ? vscode.l10n.t("unpacking {0}", p.name)
                            : `${formatMegabytes(p.receivedBytes)} / ${formatMegabytes(p.totalBytes)} (${formatMegabytes(p.bytesPerSecond)}/s)`;
                        progress.report({ message, increment: Math.max(0, pct - reported) });
                        reported = Math.max(reported, pct);
                    },
                });
            });
        log.info(`Installed ${result.packages.join(", ")} (${formatMegabytes(result.bytesDownloaded)}) into ${targetDir}`);
        await engine.restart();
        const cpuOnly = getSetting("gpu") === "cpu";
        const message = cpuOnly
            ? vscode.l10n.t("CUDA acceleration is installed, but hearth.gpu is set to \"cpu\". Set it to \"auto\" to use your NVIDIA GPU.")
            : vscode.l10n.t("CUDA acceleration is installed and Hearth's engine restarted. The next model load uses CUDA when your NVIDIA driver supports it; the status bar shows the backend.");
        const showLog = vscode.l10n.t("Show Log");
        if (await vscode.window.showInformationMessage(message, showLog) === showLog) log.show(true);
    } catch (err) {
        if (err instanceof InstallCancelled || installController.signal.aborted) {
            log.info("CUDA install cancelled; nothing was installed.");
            return;
        }
        log.error(`CUDA install failed: ${errorText(err)}`);
        const retry = vscode.l10n.t("Retry");
        const choice = await vscode.window.showErrorMessage(vscode.l10n.t("Installing CUDA acceleration failed: {0}", errorText(err)), retry);
        if (choice === retry) await installCudaCommand(services);
    }
}
