/** The status bar item: engine state, model, backend and memory; a click opens Hearth's quick menu. */
import * as path from "node:path";
import * as vscode from "vscode";
import { getSetting, onDidChangeSetting } from "../config/settings";
import type { EngineService, ServiceState } from "./engineService";

export class EngineStatusBar implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly disposables: vscode.Disposable[] = [];
    private memory: string | undefined;
    private memoryRequest = 0;

    constructor(private readonly engine: EngineService) {
        this.item = vscode.window.createStatusBarItem("hearth.engine", vscode.StatusBarAlignment.Right, 100);
        this.item.name = vscode.l10n.t("Hearth Engine");
        this.item.command = "hearth.showMenu";
        this.disposables.push(this.item, engine.onDidChangeState((s) => this.onState(s)),
            onDidChangeSetting(["model"], () => this.render(engine.state)));
        this.render(engine.state);
        this.item.show();
    }

    private onState(state: ServiceState): void {
        void vscode.commands.executeCommand("setContext", "hearth.generating", state.kind === "generating");
        this.render(state);
        if (state.kind === "ready") void this.refreshMemory();
    }

    private render(state: ServiceState): void {
        const item = this.item;
        item.backgroundColor = undefined;
        item.command = "hearth.showMenu";
        // Before the first request the service is "idle"; with no model configured say so from the start.
        if (state.kind === "idle" && !getSetting("model")) state = { kind: "noModel" };
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
                item.tooltip = vscode.l10n.t("Hearth: loading {0}", path.basename(state.modelPath));
                break;
            case "ready":
            case "generating": {
                const m = state.model;
                const icon = state.kind === "generating" ? "$(sync~spin)" : "$(flame)";
                item.text = `${icon} ${m.modelName} · ${m.backend.toUpperCase()}`;
                item.tooltip = new vscode.MarkdownString([
                    `**Hearth** — ${state.kind === "generating" ? vscode.l10n.t("generating") : vscode.l10n.t("ready")}`,
                    `${vscode.l10n.t("Model")}: ${m.modelName} (${formatBytes(m.sizeBytes)})`,
                    `${vscode.l10n.t("Backend")}: ${m.backend}, ${m.gpuLayers}/${m.totalLayers} ${vscode.l10n.t("layers on GPU")}, ${m.threads} ${vscode.l10n.t("threads")}`,
                    `${vscode.l10n.t("Context")}: ${m.contextSize} ${vscode.l10n.t("tokens")}`,
                    ...(this.memory ? [`${vscode.l10n.t("Memory")}: ${this.memory}`] : []),
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

    /** Engine memory (RSS, and VRAM on a GPU) for the tooltip; asked once per ready state, never polled. */
    private async refreshMemory(): Promise<void> {
        const request = ++this.memoryRequest;
        try {
            const stats = await this.engine.requestRaw("stats", {});
            if (request !== this.memoryRequest) return;
            const vram = stats.vram ? `, VRAM ${formatBytes(stats.vram.used)} / ${formatBytes(stats.vram.total)}` : "";
            this.memory = `RAM ${formatBytes(stats.rssBytes)}${vram}`;
            if (this.engine.state.kind === "ready") this.render(this.engine.state);
        } catch {
            // The tooltip simply omits memory when the engine cannot answer.
        }
    }

    dispose(): void {
        for (const d of this.disposables) d.dispose();
    }
}

export function formatBytes(bytes: number): string {
    if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
    if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
    return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
