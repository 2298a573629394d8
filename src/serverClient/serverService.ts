/**
 * The server backend inside the extension: feeds ServerBackend the `hearth.server.*` settings and the API key from
 * VS Code's SecretStorage (never from settings, never logged), forgets the connection when either changes, and
 * registers **Hearth: Set Server API Key**.
 */
import * as vscode from "vscode";
import { getSetting, onDidChangeSetting } from "../config/settings";
import { DisposableStore } from "../core/disposables";
import { ServerBackend, type ServerConfig } from "./serverBackend";

/** SecretStorage key of the server's API key. */
export const API_KEY_SECRET = "hearth.server.apiKey";

export class ServerService implements vscode.Disposable {
    readonly backend: ServerBackend;
    private readonly disposables = new DisposableStore();

    constructor(private readonly context: vscode.ExtensionContext, log: vscode.LogOutputChannel) {
        this.backend = new ServerBackend({
            config: () => this.config(),
            timeouts: () => ({ firstByteMs: Math.max(5, getSetting("server.timeoutSeconds")) * 1000 }),
            localize: (template, ...args) => vscode.l10n.t(template, ...args),
            log: (level, message) => log[level](message),
        });
        this.disposables.add(
            this.backend,
            onDidChangeSetting(["server.url", "server.model", "server.contextSize", "server.timeoutSeconds"], () => this.backend.invalidate()),
            context.secrets.onDidChange((e) => {
                if (e.key === API_KEY_SECRET) this.backend.invalidate();
            }),
            vscode.commands.registerCommand("hearth.setServerApiKey", () => this.setApiKey()),
        );
    }

    private async config(): Promise<ServerConfig> {
        return {
            url: getSetting("server.url"),
            model: getSetting("server.model"),
            apiKey: (await this.context.secrets.get(API_KEY_SECRET)) ?? undefined,
            contextSize: getSetting("server.contextSize"),
        };
    }

    /** Asks for the key (hidden input); an empty answer removes it. Escape leaves it as it is. */
    async setApiKey(): Promise<void> {
        const current = await this.context.secrets.get(API_KEY_SECRET);
        const key = await vscode.window.showInputBox({
            title: vscode.l10n.t("Hearth: Set Server API Key"),
            prompt: current
                ? vscode.l10n.t("A key is stored. Enter a new one, or leave this empty to remove it.")
                : vscode.l10n.t("The key your server expects (llama-server --api-key, vLLM --api-key). It is kept in VS Code's secret storage."),
            password: true,
            ignoreFocusOut: true,
            placeHolder: vscode.l10n.t("API key"),
        });
        if (key === undefined) return;
        if (key.trim()) {
            await this.context.secrets.store(API_KEY_SECRET, key.trim());
            void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: the server API key is stored in VS Code's secret storage."));
        } else {
            await this.context.secrets.delete(API_KEY_SECRET);
            void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: the server API key was removed."));
        }
    }

    dispose(): void {
        this.disposables.dispose();
    }
}
