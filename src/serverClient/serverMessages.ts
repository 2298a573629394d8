/**
 * Every sentence the server backend shows a person, in English with {n} placeholders. The backend is free of
 * `vscode`; the extension passes `localize` (vscode.l10n.t) and l10n/bundle.l10n.zh-cn.json has each one
 * (test/unit/serverL10n.test.ts checks that).
 */
export const SERVER_MESSAGES = {
    noUrl: "No server is configured. Set “hearth.server.url” (for example http://gpu-box:8080), or switch “hearth.backend” back to “embedded”.",
    badUrl: "“hearth.server.url” is not a valid http(s) URL: {0}",
    credentialsInUrl: "“hearth.server.url” must not contain a user name or key. Run “Hearth: Set Server API Key” for the key.",
    unreachable: "Cannot reach the server at {0}: {1}. Check “hearth.server.url” and that the server is running.",
    connectTimeout: "The server at {0} did not accept a connection within {1} seconds. Check “hearth.server.url” and the network.",
    firstByteTimeout: "The server at {0} did not start answering within {1} seconds (it may be overloaded).",
    idleTimeout: "The server at {0} stopped sending the answer for {1} seconds; the request was ended. The text received so far is kept.",
    totalTimeout: "The server at {0} did not finish answering within {1} seconds.",
    unauthorized: "The server at {0} refused the request ({1}): the API key is missing or wrong. Run “Hearth: Set Server API Key”.",
    notOpenAi: "{0} does not answer like an OpenAI-compatible server (GET /v1/models returned {1}). Check “hearth.server.url”.",
    noModels: "The server at {0} lists no models.",
    modelNotFound: "The server at {0} has no model “{1}”. Run “Hearth: Select Model” to pick one of its models.",
    serverFailed: "The server at {0} failed ({1}): {2}",
    badResponse: "The server at {0} sent an answer Hearth cannot read: {1}",
    streamCut: "The connection to {0} closed before the answer was complete. The text received so far is kept.",
    contextOverflow: "The request is longer than the model's context on the server at {0}: {1}",
    tooLarge: "The server at {0} sent more data than Hearth accepts in one answer.",
    noInfill: "The server's model cannot fill in the middle; completions continue the text before the cursor only.",
} as const;

export type ServerMessageKey = keyof typeof SERVER_MESSAGES;

/** Formats a message template with its arguments ({0}, {1}, …); the extension passes vscode.l10n.t. */
export type Localize = (template: string, ...args: string[]) => string;

export const englishOnly: Localize = (template, ...args) => template.replace(/\{(\d+)\}/g, (m, i: string) => args[Number(i)] ?? m);

export function serverMessage(localize: Localize, key: ServerMessageKey, ...args: (string | number)[]): string {
    return localize(SERVER_MESSAGES[key], ...args.map(String));
}
