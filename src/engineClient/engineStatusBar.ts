/**
 * The status bar item: the backend's state, the model, where it runs (CPU/GPU here, or which server) and memory;
 * a click opens Hearth's quick menu. With a server backend it says plainly that text goes to that host.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { getSetting, onDidChangeSetting } from "../config/settings";
import { DisposableStore } from "../core/disposables";
import { formatBytes } from "../core/formatBytes";
import type { BackendModel, BackendState } from "../backend/llmBackend";
import type { BackendService } from "../backend/backendService";
import type { EngineService } from "./engineService";

export class EngineStatusBar implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly disposables = new DisposableStore();
    private memory: string | undefined;
    private memoryRequest = 0;

    constructor(private readonly backend: BackendService, private readonly engine: EngineService) {
        this.item = vscode.window.createStatusBarItem("hearth.engine", vscode.StatusBarAlignment.Right, 100);
        this.item.name = vscode.l10n.t("Hearth Engine");
        this.item.command = "hearth.showMenu";
        this.disposables.add(this.item, backend.onDidChangeState((s) => this.onState(s)),
            onDidChangeSetting(["model"], () => this.render(backend.state)));
        this.render(backend.state);
        this.item.show();
    }

    private onState(state: BackendState): void {
        void vscode.commands.executeCommand("setContext", "hearth.generating", state.kind === "generating");
        this.render(state);
        if (state.kind === "ready" && state.model.location.kind === "embedded") void this.refreshMemory();
    }

    private render(state: BackendState): void {
        const item = this.item;
        item.backgroundColor = undefined;
        item.command = "hearth.showMenu";
        // Before the first request the backend is "idle"; with no model configured say so from the start.
        if (state.kind === "idle" && this.backend.kind === "embedded" && !getSetting("model")) state = { kind: "noModel" };
        switch (state.kind) {
            case "idle":
                item.text = "$(flame) Hearth";
                item.tooltip = vscode.l10n.t("Hearth: idle. The model loads on first use.");
                break;
            case "noModel":
                item.text = "$(flame) Hearth: " + vscode.l10n.t("no model");
                item.tooltip = vscode.l10n.t("No model selected. Click to select or download one.");
                item.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
                item.command = "hearth.selectModel";
                break;
            case "starting":
                item.text = "$(loading~spin) Hearth";
                item.tooltip = vscode.l10n.t("Hearth: starting the engine…");
                break;
            case "loading":
                item.text = `$(loading~spin) Hearth ${Math.round(state.progress * 100)}%`;
                item.tooltip = vscode.l10n.t("Hearth: loading {0}", path.basename(state.label));
                break;
            case "ready":
            case "generating": {
                const icon = state.kind === "generating" ? "$(sync~spin)" : "$(flame)";
                const where = state.model.location.kind === "embedded" ? state.model.location.compute.toUpperCase() : state.model.location.host;
                item.text = `${icon} ${state.model.name} · ${where}`;
                item.tooltip = new vscode.MarkdownString([
                    `**Hearth** — ${state.kind === "generating" ? vscode.l10n.t("generating") : vscode.l10n.t("ready")}`,
                    ...this.modelLines(state.model),
                ].join("\n\n"));
                break;
            }
            case "error":
                item.text = "$(error) Hearth";
                item.tooltip = state.message;
                item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
                break;
        }
    }

    private modelLines(m: BackendModel): string[] {
        const context = `${vscode.l10n.t("Context")}: ${m.contextSize} ${vscode.l10n.t("tokens")}`;
        const loc = m.location;
        if (loc.kind === "server") {
            return [
                `${vscode.l10n.t("Model")}: ${m.name}`,
                `$(globe) ${vscode.l10n.t("Your text is sent to the server {0}.", loc.host)}`,
                context,
            ];
        }
        return [
            `${vscode.l10n.t("Model")}: ${m.name} (${formatBytes(loc.sizeBytes)})`,
            `${vscode.l10n.t("Backend")}: ${loc.compute}, ${loc.gpuLayers}/${loc.totalLayers} ${vscode.l10n.t("layers on GPU")}, ${loc.threads} ${vscode.l10n.t("threads")}`,
            context,
            ...(this.memory ? [`${vscode.l10n.t("Memory")}: ${this.memory}`] : []),
        ];
    }

    /** Engine memory (RSS, and VRAM on a GPU) for the tooltip; asked once per ready state, never polled. */
    private async refreshMemory(): Promise<void> {
        const request = ++this.memoryRequest;
        try {
            const stats = await this.engine.request("stats", {});
            if (request !== this.memoryRequest) return;
            const vram = stats.vram ? `, VRAM ${formatBytes(stats.vram.used)} / ${formatBytes(stats.vram.total)}` : "";
            this.memory = `RAM ${formatBytes(stats.rssBytes)}${vram}`;
            if (this.backend.state.kind === "ready") this.render(this.backend.state);
        } catch {
            // The tooltip simply omits memory when the engine cannot answer.
        }
    }

    dispose(): void {
        this.disposables.dispose();
    }
}
