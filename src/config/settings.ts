/** Typed access to Hearth's settings; the only place that reads `vscode.workspace.getConfiguration("hearth")`. */
import * as vscode from "vscode";
import { isUserOnlySetting, SETTINGS_DEFAULTS, type HearthSettings, type SettingKey } from "../core/settingsDefaults";

export function getSetting<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): HearthSettings[K] {
    const config = vscode.workspace.getConfiguration("hearth", scope);
    if (isUserOnlySetting(key)) {
        // Their machine/application scope already makes VS Code drop workspace values; reading only the user's
        // (global, local + remote) value keeps that true on any VS Code version and for any future scope mistake.
        const inspected = config.inspect<HearthSettings[K]>(key);
        return inspected?.globalValue ?? inspected?.defaultValue ?? SETTINGS_DEFAULTS[key];
    }
    const value = config.get<HearthSettings[K]>(key);
    return value ?? SETTINGS_DEFAULTS[key];
}

export async function updateSetting<K extends SettingKey>(key: K, value: HearthSettings[K], global = true): Promise<void> {
    // A user-only setting is never written into a workspace (VS Code would refuse it anyway).
    const target = global || isUserOnlySetting(key) ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace;
    await vscode.workspace.getConfiguration("hearth").update(key, value, target);
}

export function onDidChangeSetting(keys: SettingKey[], listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
        if (keys.some((k) => e.affectsConfiguration(`hearth.${k}`))) listener();
    });
}
