import { en, type Catalogue, type MessageKey } from "./messages";

const catalogues: Record<string, Catalogue> = { en };
let current: Catalogue = en;

export function setLanguage(tag: string | undefined): void {
  const base = (tag || "en").split("-")[0];
  current = catalogues[tag || ""] || catalogues[base] || en;
}

/** The message for key, with {name} placeholders filled from vars. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text: string = current[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in vars ? String(vars[name]) : `{${name}}`));
}
