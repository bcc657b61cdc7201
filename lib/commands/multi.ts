/** Placeholder: filled by the issue-12 work. */
import type { CommandSpec } from "./table.ts";

export const multiCommands: CommandSpec[] = [];
