/**
 * On/off state of inline suggestions: its own small status-bar item (click = toggle), the commands
 * `hearth.completions.toggle` and `hearth.completions.snooze` (30 minutes, survives a reload), and the check the
 * provider makes for each document.
 */
import * as vscode from "vscode";
import { DisposableStore } from "../core/disposables";
import { getSetting, onDidChangeSetting, updateSetting } from "../config/settings";
import { completionEnablement, snoozeMinutesLeft, SNOOZE_MS, type Enablement } from "../core/completion/enablement";

const SNOOZE_KEY = "hearth.completions.snoozedUntil";

export class CompletionToggle implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly disposables = new DisposableStore();
    private snoozeTimer: NodeJS.Timeout | undefined;
    private busy = false;

    constructor(private readonly state: vscode.Memento) {
        this.item = vscode.window.createStatusBarItem("hearth.completions", vscode.StatusBarAlignment.Right, 99);
        this.item.name = vscode.l10n.t("Hearth Inline Suggestions");
        this.item.command = "hearth.completions.toggle";
        this.disposables.add(
            this.item,
            vscode.commands.registerCommand("hearth.completions.toggle", () => this.toggle()),
            vscode.commands.registerCommand("hearth.completions.snooze", () => this.snooze()),
            onDidChangeSetting(["completions.enabled", "completions.languages"], () => this.render()),
            vscode.window.onDidChangeActiveTextEditor(() => this.render()),
        );
        this.scheduleSnoozeEnd();
        this.render();
        this.item.show();
    }

    get snoozedUntil(): number {
        return this.state.get<number>(SNOOZE_KEY, 0);
    }

    enablementFor(languageId: string): Enablement {
        return completionEnablement({
            enabled: getSetting("completions.enabled"),
            languages: getSetting("completions.languages") ?? {},
            languageId,
            snoozedUntil: this.snoozedUntil,
            now: Date.now(),
        });
    }

    /** Shows a spinner while a suggestion is being generated. */
    setBusy(busy: boolean): void {
        if (this.busy === busy) return;
        this.busy = busy;
        this.render();
    }

    /** Snoozed: resume. Otherwise flip the global setting. */
    async toggle(): Promise<void> {
        if (this.snoozedUntil > Date.now()) {
            await this.setSnooze(0);
            return;
        }
        await updateSetting("completions.enabled", !getSetting("completions.enabled"));
        this.render();
    }

    async snooze(): Promise<void> {
        await this.setSnooze(Date.now() + SNOOZE_MS);
        void vscode.window.showInformationMessage(vscode.l10n.t("Hearth inline suggestions are snoozed for 30 minutes. Click the status bar item to resume."));
    }

    private async setSnooze(until: number): Promise<void> {
        await this.state.update(SNOOZE_KEY, until);
        this.scheduleSnoozeEnd();
        this.render();
    }

    private scheduleSnoozeEnd(): void {
        if (this.snoozeTimer) clearInterval(this.snoozeTimer);
        this.snoozeTimer = undefined;
        if (this.snoozedUntil <= Date.now()) return;
        // Once a minute: the item counts the snooze down and turns back on by itself.
        this.snoozeTimer = setInterval(() => {
            if (this.snoozedUntil <= Date.now()) this.scheduleSnoozeEnd();
            this.render();
        }, 60_000);
    }

    private render(): void {
        const languageId = vscode.window.activeTextEditor?.document.languageId;
        const state = this.enablementFor(languageId ?? "plaintext");
        const item = this.item;
        switch (state) {
            case "on":
                item.text = this.busy ? "$(loading~spin) Tab" : "$(sparkle) Tab";
                item.tooltip = vscode.l10n.t("Hearth inline suggestions are on. Click to turn them off.");
                break;
            case "off":
                item.text = "$(circle-slash) Tab";
                item.tooltip = vscode.l10n.t("Hearth inline suggestions are off. Click to turn them on.");
                break;
            case "offForLanguage":
                item.text = "$(circle-slash) Tab";
                item.tooltip = vscode.l10n.t("Hearth inline suggestions are off for {0} (setting hearth.completions.languages).", languageId ?? "");
                break;
            case "snoozed":
                item.text = `$(clock) ${snoozeMinutesLeft(this.snoozedUntil, Date.now())}m`;
                item.tooltip = vscode.l10n.t("Hearth inline suggestions are snoozed for {0} more minutes. Click to resume.",
                    snoozeMinutesLeft(this.snoozedUntil, Date.now()));
                break;
        }
        item.accessibilityInformation = { label: typeof item.tooltip === "string" ? item.tooltip : "Hearth" };
    }

    dispose(): void {
        if (this.snoozeTimer) clearInterval(this.snoozeTimer);
        this.disposables.dispose();
    }
}
