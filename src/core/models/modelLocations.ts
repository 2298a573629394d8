/**
 * Where GGUF models live on a person's machine: Hearth's own folder, the folders they configured, and the folders of
 * tools they may already use (LM Studio, GPT4All, node-llama-cpp, Ollama). Pure: the caller passes home, platform and
 * environment, so every platform's rules are unit-tested on any machine.
 */
import * as path from "node:path";

/** "setting": the configured model (hearth.model) when it is in none of the scanned folders (chosen with Browse…). */
export type ModelSourceKind = "hearth" | "custom" | "lmstudio" | "gpt4all" | "nodeLlamaCpp" | "ollama" | "setting";

export interface ModelFolder {
    kind: ModelSourceKind;
    /** Absolute folder path. For "ollama" it is Ollama's models root (holding manifests/ and blobs/). */
    path: string;
}

export interface LocationInputs {
    home: string;
    platform: NodeJS.Platform;
    env: Record<string, string | undefined>;
    /** Hearth's own download folder (globalStorageUri/models). */
    hearthModelsDir: string;
    /** `hearth.modelFolders`, as the user wrote them (may start with ~). */
    customFolders: readonly string[];
}

/** Human names of the sources, shown next to each model (not translated: they are product names). */
export const SOURCE_NAMES: Record<ModelSourceKind, string> = {
    hearth: "Hearth",
    custom: "hearth.modelFolders",
    lmstudio: "LM Studio",
    gpt4all: "GPT4All",
    nodeLlamaCpp: "node-llama-cpp",
    ollama: "Ollama",
    setting: "hearth.model",
};

function pathApi(platform: NodeJS.Platform): typeof path.posix {
    return platform === "win32" ? path.win32 : path.posix;
}

/** Expands a leading ~ and ${env:NAME}; relative paths are ignored (there is no sensible base for them). */
export function expandUserPath(raw: string, inputs: Pick<LocationInputs, "home" | "platform" | "env">): string | undefined {
    const p = pathApi(inputs.platform);
    let value = raw.trim().replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => inputs.env[name] ?? "");
    if (!value) return undefined;
    if (value === "~" || value.startsWith("~/") || value.startsWith("~\\")) value = p.join(inputs.home, value.slice(1));
    return p.isAbsolute(value) ? p.normalize(value) : undefined;
}

export function knownModelFolders(inputs: LocationInputs): ModelFolder[] {
    const p = pathApi(inputs.platform);
    const { home, env, platform } = inputs;
    const folders: ModelFolder[] = [{ kind: "hearth", path: inputs.hearthModelsDir }];
    for (const raw of inputs.customFolders) {
        const expanded = expandUserPath(raw, inputs);
        if (expanded) folders.push({ kind: "custom", path: expanded });
    }
    folders.push({ kind: "lmstudio", path: p.join(home, ".lmstudio", "models") });
    folders.push({ kind: "lmstudio", path: p.join(home, ".cache", "lm-studio", "models") });
    if (platform === "win32") {
        const localAppData = env.LOCALAPPDATA || p.join(home, "AppData", "Local");
        folders.push({ kind: "gpt4all", path: p.join(localAppData, "nomic.ai", "GPT4All") });
    } else if (platform === "darwin") {
        folders.push({ kind: "gpt4all", path: p.join(home, "Library", "Application Support", "nomic.ai", "GPT4All") });
    } else {
        const dataHome = env.XDG_DATA_HOME && p.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : p.join(home, ".local", "share");
        folders.push({ kind: "gpt4all", path: p.join(dataHome, "nomic.ai", "GPT4All") });
    }
    folders.push({ kind: "nodeLlamaCpp", path: p.join(home, ".node-llama-cpp", "models") });
    // Ollama honours OLLAMA_MODELS; its Linux service install keeps models under the `ollama` user's home.
    if (env.OLLAMA_MODELS && p.isAbsolute(env.OLLAMA_MODELS)) folders.push({ kind: "ollama", path: p.normalize(env.OLLAMA_MODELS) });
    folders.push({ kind: "ollama", path: p.join(home, ".ollama", "models") });
    if (platform === "linux") {
        folders.push({ kind: "ollama", path: "/usr/share/ollama/.ollama/models" });
        folders.push({ kind: "ollama", path: "/var/lib/ollama/.ollama/models" });
    }
    // The same folder may be configured twice (e.g. LM Studio's folder added to hearth.modelFolders): keep the first.
    const seen = new Set<string>();
    return folders.filter((f) => {
        const key = `${f.kind === "ollama" ? "o" : "g"}:${platform === "win32" || platform === "darwin" ? f.path.toLowerCase() : f.path}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}
