// PLACEHOLDER until its issue lands: the capability replaces this file.
import type { ChatApi, HearthServices } from "../services";

export function registerExplain(services: HearthServices, chat: ChatApi): void {
    void services;
    void chat;
}
