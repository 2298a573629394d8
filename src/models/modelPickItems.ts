/** Builds the Select Model QuickPick items from the ranked list: facts, fit, source and path, grouped by usability. */
import * as os from "node:os";
import * as vscode from "vscode";
import { SOURCE_NAMES } from "../core/models/modelLocations";
import { describeModelFacts, type RankedModel } from "../core/models/rankModels";

export type PickAction = "browse" | "download" | "addFolder";

export type ModelPickItem =
    | (vscode.QuickPickItem & { kind?: undefined; model: RankedModel; action?: undefined })
    | (vscode.QuickPickItem & { kind?: undefined; action: PickAction; model?: undefined })
    | (vscode.QuickPickItem & { kind: vscode.QuickPickItemKind.Separator; model?: undefined; action?: undefined });

function separator(label: string): ModelPickItem {
    return { label, kind: vscode.QuickPickItemKind.Separator };
}

function tildePath(p: string): string {
    const home = os.homedir();
    return home && p.startsWith(home) ? `~${p.slice(home.length)}` : p;
}

function fitText(model: RankedModel, reading: boolean): string {
    switch (model.fit) {
        case "fitsGpu":
            return vscode.l10n.t("Fits this machine (runs on the GPU)");
        case "fitsCpu":
            return model.info?.gpuLayers ? vscode.l10n.t("Fits this machine (partly on the GPU)") : vscode.l10n.t("Fits this machine (runs on the CPU)");
        case "tooLarge":
            return vscode.l10n.t("Too large for this machine's memory");
        case "unusable":
            return vscode.l10n.t("Cannot be used: {0}", model.reason ?? "");
        case "unknown":
            return reading ? vscode.l10n.t("Reading model details…") : vscode.l10n.t("Details could not be read; loading the model will say why");
    }
}

const ICONS: Record<RankedModel["fit"], string> = {
    fitsGpu: "$(pass-filled)",
    fitsCpu: "$(pass)",
    tooLarge: "$(warning)",
    unusable: "$(error)",
    unknown: "$(loading~spin)",
};

/** `reading`: the engine is still reading model details (an unread model says so; afterwards it no longer does). */
export function modelItem(model: RankedModel, currentPath: string, reading = true): ModelPickItem {
    const current = model.discovered.path === currentPath;
    const extras: string[] = [];
    if (model.info?.hasFimTokens) extras.push(vscode.l10n.t("code completions"));
    if (model.info?.ok && model.info.hasChatTemplate === false) extras.push(vscode.l10n.t("no chat template"));
    const facts = describeModelFacts(model, vscode.l10n.t("context"));
    const where = `${SOURCE_NAMES[model.discovered.source]}: ${tildePath(model.discovered.path)}`;
    const icon = model.fit === "unknown" && !reading ? "$(question)" : ICONS[model.fit];
    // A file that cannot be used gets the detail line to itself for the reason (a QuickPick line is cut with "…").
    const unusable = model.fit === "unusable";
    return {
        label: `${icon} ${model.displayName}`,
        description: [current ? vscode.l10n.t("(current)") : "", unusable ? where : facts, ...extras].filter(Boolean).join(" · "),
        detail: unusable ? fitText(model, reading) : `${fitText(model, reading)} — ${where}`,
        picked: current,
        model,
    };
}

export function buildPickItems(ranked: readonly RankedModel[], currentPath: string, reading = true): ModelPickItem[] {
    const usable = ranked.filter((m) => m.fit !== "unusable");
    const unusable = ranked.filter((m) => m.fit === "unusable");
    const items: ModelPickItem[] = [];
    if (usable.length) items.push(separator(vscode.l10n.t("Models on this computer, best fit first")), ...usable.map((m) => modelItem(m, currentPath, reading)));
    if (unusable.length) items.push(separator(vscode.l10n.t("Cannot be used")), ...unusable.map((m) => modelItem(m, currentPath, reading)));
    items.push(
        separator(vscode.l10n.t("More")),
        { label: "$(folder-opened) " + vscode.l10n.t("Browse…"), description: vscode.l10n.t("Choose a .gguf file"), action: "browse" },
        { label: "$(cloud-download) " + vscode.l10n.t("Download a model…"), description: vscode.l10n.t("Curated models for code and for Chinese/English writing"), action: "download" },
        { label: "$(gear) " + vscode.l10n.t("Add a models folder…"), description: "hearth.modelFolders", action: "addFolder" },
    );
    return items;
}
