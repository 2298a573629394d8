// PLACEHOLDER until its issue lands: the capability replaces this file.
import type { HearthServices } from "../services";

export function registerPolish(services: HearthServices): void {
    void services;
}
