// PLACEHOLDER until its issue lands: the capability replaces this file.
import type { HearthServices } from "../services";

export function registerModels(services: HearthServices): void {
    void services;
}
