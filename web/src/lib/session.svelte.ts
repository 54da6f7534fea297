import { api, type Tokens } from "./api";
import { setLocale } from "./format";
import { setLanguage } from "./i18n";

export interface User {
  id: string;
  email: string;
  display_name: string;
  roles: string[];
  session_id?: string;
}

export interface Prefs {
  language?: string;
  theme?: "system" | "light" | "dark";
  time_zone?: string;
  [k: string]: unknown;
}

export const session = $state({
  ready: false,
  user: null as User | null,
  permissions: [] as string[],
  prefs: {} as Prefs,
  impersonating: null as string | null,
  endedElsewhere: false,
});

/** Whether the member holds perm ("users:read"); "*:*" and "users:*" too. */
export function can(perm: string): boolean {
  const [res] = perm.split(":");
  return session.permissions.some((p) => p === "*:*" || p === perm || p === res + ":*");
}

export function applyPrefs(p: Prefs): void {
  session.prefs = p;
  setLanguage(p.language || navigator.language);
  setLocale({ language: p.language || undefined, timeZone: p.time_zone || undefined });
  const theme = p.theme || "dark";
  const light = theme === "light" || (theme === "system" && matchMedia("(prefers-color-scheme: light)").matches);
  document.documentElement.dataset.theme = light ? "light" : "dark";
  if (p.language) document.documentElement.lang = p.language;
}

export async function loadSession(): Promise<void> {
  const [me, roles, prefs] = await Promise.all([
    api.get<User>("/api/v1/users/me"),
    api.get<{ permissions: string[] }>("/api/v1/users/me/roles"),
    api.get<Prefs>("/api/v1/users/me/preferences"),
  ]);
  session.user = me;
  session.permissions = roles.permissions;
  applyPrefs(prefs);
}

export async function signedIn(t: Tokens): Promise<void> {
  api.setTokens(t);
  session.endedElsewhere = false;
  await loadSession();
}

export async function start(): Promise<void> {
  api.onSignedOut = () => {
    if (session.user) session.endedElsewhere = true;
    session.user = null;
    session.permissions = [];
    session.impersonating = null;
  };
  applyPrefs({});
  try {
    if (await api.restore()) await loadSession();
  } finally {
    session.ready = true;
  }
}

export async function signOut(): Promise<void> {
  session.endedElsewhere = false;
  session.user = null; /* first, so this is not taken for a session ended elsewhere */
  session.permissions = [];
  await api.signOut();
}
