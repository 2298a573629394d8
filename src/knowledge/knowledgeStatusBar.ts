/**
 * The index's status bar item: visible while an index builds ("Indexing 1,234/5,000", a click cancels) and when a
 * build failed (a click shows the log); hidden otherwise, so a ready index costs no status bar space.
 */
import * as vscode from "vscode";
import type { KnowledgeIndexStatus } from "../protocol/knowledge";
import type { KnowledgeService } from "./knowledgeService";

export class KnowledgeStatusBar implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem("hearth.knowledge", vscode.StatusBarAlignment.Right, 99);
    private readonly subscription: vscode.Disposable;

    constructor(private readonly service: KnowledgeService) {
        this.item.name = vscode.l10n.t("Hearth Index");
        this.subscription = service.onDidChangeStatus(() => this.render());
        this.render();
    }

    private render(): void {
        const statuses = [this.service.status("workspace"), this.service.status("library")];
        const building = statuses.find((s) => s.state === "building" || s.state === "loading");
        const failed = statuses.find((s) => s.state === "error");
        const embedding = statuses.find((s) => (s.pendingEmbeddings ?? 0) > 0);
        if (building) {
            this.item.text = `$(sync~spin) ${this.progressText(building)}`;
            this.item.tooltip = vscode.l10n.t("Hearth is indexing the {0} on this computer. Click to cancel.", this.service.kindLabel(building.kind));
            this.item.command = "hearth.knowledge.cancel";
            this.item.backgroundColor = undefined;
            this.item.show();
        } else if (embedding) {
            this.item.text = `$(sync~spin) ${vscode.l10n.t("Indexing by meaning: {0} chunks left", embedding.pendingEmbeddings!.toLocaleString())}`;
            this.item.tooltip = vscode.l10n.t("Hearth is computing embeddings of the {0} on this computer, so it can be searched by meaning. Click to cancel.", this.service.kindLabel(embedding.kind));
            this.item.command = "hearth.knowledge.cancel";
            this.item.backgroundColor = undefined;
            this.item.show();
        } else if (failed) {
            this.item.text = `$(warning) ${vscode.l10n.t("Index")}`;
            this.item.tooltip = vscode.l10n.t("Hearth could not index the {0}: {1}. Click to show the log.", this.service.kindLabel(failed.kind), failed.error ?? "");
            this.item.command = "hearth.showLog";
            this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
            this.item.show();
        } else {
            this.item.hide();
        }
    }

    private progressText(status: KnowledgeIndexStatus): string {
        const p = status.progress;
        if (!p || p.total === 0) return vscode.l10n.t("Indexing…");
        if (p.done === 0) return vscode.l10n.t("Indexing: found {0} files", p.total.toLocaleString());
        return vscode.l10n.t("Indexing {0}/{1}", p.done.toLocaleString(), p.total.toLocaleString());
    }

    dispose(): void {
        this.subscription.dispose();
        this.item.dispose();
    }
}
