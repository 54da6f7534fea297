import { match } from "./paths";

export { match };

// History-mode routing: the server answers every app path with index.html,
// and this reads location itself.
export const route = $state({ path: location.pathname, search: location.search });

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  const u = new URL(to, location.href);
  route.path = u.pathname;
  route.search = u.search;
  window.scrollTo(0, 0);
}

export function param(name: string): string | null {
  return new URLSearchParams(route.search).get(name);
}

addEventListener("popstate", () => {
  route.path = location.pathname;
  route.search = location.search;
});

// Same-origin links move within the app instead of reloading it.
addEventListener("click", (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.("a");
  if (!a || a.target || a.hasAttribute("download")) return;
  const u = new URL(a.href, location.href);
  if (u.origin !== location.origin || u.pathname.startsWith("/api/")) return;
  e.preventDefault();
  navigate(u.pathname + u.search);
});
