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
import { parseServerUrl } from "../core/server/serverUrl";
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
            onDidChangeSetting(["model", "backend", "server.url"], () => this.render(backend.state)));
        this.render(backend.state);
        this.item.show();
    }

    /** What the item shows now (in-host tests check that a server backend says where text goes). */
    get shown(): { text: string; tooltip: string } {
        const t = this.item.tooltip;
        return { text: this.item.text, tooltip: typeof t === "string" ? t : t?.value ?? "" };
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
        // With a server backend every state says where the text goes, before the first request too.
        const serverHost = this.backend.kind === "openai-compatible" ? this.configuredServerHost() : undefined;
        switch (state.kind) {
            case "idle":
                item.text = serverHost !== undefined ? `$(globe) Hearth → ${serverHost || "?"}` : "$(flame) Hearth";
                item.tooltip = serverHost !== undefined
                    ? (serverHost
                        ? vscode.l10n.t("Hearth uses the server {0}: the text of your requests is sent there. It connects on first use.", serverHost)
                        : vscode.l10n.t("Hearth is set to use a server, but “hearth.server.url” is empty."))
                    : vscode.l10n.t("Hearth: idle. The model loads on first use.");
                break;
            case "noModel":
                item.text = "$(flame) Hearth: " + vscode.l10n.t("no model");
                item.tooltip = vscode.l10n.t("No model selected. Click to select or download one.");
                item.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
                item.command = "hearth.selectModel";
                break;
            case "starting":
                item.text = serverHost !== undefined ? `$(loading~spin) Hearth → ${serverHost}` : "$(loading~spin) Hearth";
                item.tooltip = serverHost !== undefined ? vscode.l10n.t("Hearth: connecting to the server {0}…", serverHost) : vscode.l10n.t("Hearth: starting the engine…");
                break;
            case "loading":
                item.text = `$(loading~spin) Hearth ${Math.round(state.progress * 100)}%`;
                item.tooltip = vscode.l10n.t("Hearth: loading {0}", path.basename(state.label));
                break;
            case "ready":
            case "generating": {
                const remote = state.model.location.kind === "server";
                const icon = state.kind === "generating" ? "$(sync~spin)" : remote ? "$(globe)" : "$(flame)";
                item.text = state.model.location.kind === "embedded"
                    ? `${icon} ${state.model.name} · ${state.model.location.compute.toUpperCase()}`
                    : `${icon} ${state.model.name} → ${state.model.location.host}`;
                item.tooltip = new vscode.MarkdownString([
                    `**Hearth** — ${state.kind === "generating" ? vscode.l10n.t("generating") : vscode.l10n.t("ready")}`,
                    ...this.modelLines(state.model),
                ].join("\n\n"));
                break;
            }
            case "error":
                item.text = serverHost !== undefined ? `$(error) Hearth → ${serverHost || "?"}` : "$(error) Hearth";
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
                `$(globe) ${vscode.l10n.t("Your text is sent to the server {0}.", loc.host)}`,
                `${vscode.l10n.t("Model")}: ${m.name}`,
                `${vscode.l10n.t("Server")}: ${loc.url}`,
                context,
                `${vscode.l10n.t("Inline suggestions")}: ${m.capabilities.fim ? vscode.l10n.t("fill in the middle") : vscode.l10n.t("text before the cursor only (the model has no FIM)")}`,
            ];
        }
        return [
            `${vscode.l10n.t("Model")}: ${m.name} (${formatBytes(loc.sizeBytes)})`,
            `${vscode.l10n.t("Backend")}: ${loc.compute}, ${loc.gpuLayers}/${loc.totalLayers} ${vscode.l10n.t("layers on GPU")}, ${loc.threads} ${vscode.l10n.t("threads")}`,
            context,
            ...(this.memory ? [`${vscode.l10n.t("Memory")}: ${this.memory}`] : []),
        ];
    }

    /** Host (and port) of `hearth.server.url`, "" when it is empty or invalid. */
    private configuredServerHost(): string {
        const parsed = parseServerUrl(getSetting("server.url"));
        return parsed.ok ? parsed.address.host : "";
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
