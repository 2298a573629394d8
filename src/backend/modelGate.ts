/**
 * First contact: before a feature's first request, "is there a model at all?". With the embedded engine and no
 * `hearth.model`, a feature the user started (chat, polish, explain, fix) gets one message with Select Model and
 * Download Model instead of an error, runs the one the user picks, and goes on as soon as a model is configured
 * (from that message, the chat panel's banner, the walkthrough or the settings — whichever comes first). Inline
 * suggestions, which nobody asked for explicitly, offer the same once per window and never wait.
 *
 * The single readiness point stays `backend.ready()`: this only decides whether asking it makes sense yet.
 */
import * as vscode from "vscode";
import { getSetting, onDidChangeSetting } from "../config/settings";
import type { BackendService } from "./backendService";

export class ModelGate implements vscode.Disposable {
    /** One offer at a time: two features asking together share it. */
    private offer: Promise<void> | undefined;
    private completionsOffered = false;
    private readonly configured = new vscode.EventEmitter<void>();
    private readonly subscription: vscode.Disposable;

    constructor(private readonly backend: BackendService) {
        this.subscription = onDidChangeSetting(["model", "backend"], () => {
            if (this.hasModel) this.configured.fire();
        });
    }

    /** A model is configured, or the backend answers from its own model (a server). */
    get hasModel(): boolean {
        return this.backend.kind !== "embedded" || getSetting("model").trim() !== "";
    }

    /**
     * Resolves true when a model is configured (at once when one already is); false when the user closed the offer
     * without choosing one, or `signal` aborted. `message` says what the model is needed for, in a full sentence.
     */
    async ensure(message: string, signal?: AbortSignal): Promise<boolean> {
        if (this.hasModel) return true;
        if (signal?.aborted) return false;
        this.offer ??= this.showOffer(message).finally(() => (this.offer = undefined));
        const offer = this.offer;
        return new Promise<boolean>((resolve) => {
            let settled = false;
            const done = (value: boolean) => {
                if (settled) return;
                settled = true;
                configured.dispose();
                signal?.removeEventListener("abort", aborted);
                resolve(value);
            };
            const aborted = () => done(false);
            const configured = this.configured.event(() => done(true));
            signal?.addEventListener("abort", aborted, { once: true });
            void offer.then(() => done(this.hasModel));
        });
    }

    /** Inline suggestions without a model: offer once per window (they run on every pause in typing). */
    offerForCompletions(): void {
        if (this.hasModel || this.completionsOffered) return;
        this.completionsOffered = true;
        void this.ensure(vscode.l10n.t("Hearth needs a model for inline suggestions. Choose a GGUF model on this machine or download one."));
    }

    private async showOffer(message: string): Promise<void> {
        const t = vscode.l10n.t;
        const select = t("Select Model");
        const download = t("Download Model");
        const choice = await vscode.window.showInformationMessage(message, select, download);
        if (choice === select) await vscode.commands.executeCommand("hearth.selectModel");
        else if (choice === download) await vscode.commands.executeCommand("hearth.downloadModel");
    }

    dispose(): void {
        this.subscription.dispose();
        this.configured.dispose();
    }
}
