/** Typed access to Hearth's settings; the only place that reads `vscode.workspace.getConfiguration("hearth")`. */
import * as vscode from "vscode";
import { SETTINGS_DEFAULTS, type HearthSettings, type SettingKey } from "../core/settingsDefaults";

export function getSetting<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): HearthSettings[K] {
    const value = vscode.workspace.getConfiguration("hearth", scope).get<HearthSettings[K]>(key);
    return value ?? SETTINGS_DEFAULTS[key];
}

export async function updateSetting<K extends SettingKey>(key: K, value: HearthSettings[K], global = true): Promise<void> {
    await vscode.workspace.getConfiguration("hearth").update(key, value, global ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace);
}

export function onDidChangeSetting(keys: SettingKey[], listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
        if (keys.some((k) => e.affectsConfiguration(`hearth.${k}`))) listener();
    });
}
