/** The message of anything thrown: an Error's message, else the value as text. Shared by host, engine and core. */
export function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
