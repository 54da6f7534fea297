import { describe, expect, it } from "vitest";
import { Api, ApiError, problemOf, query, renewDelay, type Clock } from "../../src/lib/api";

/** A clock whose timers run when the test says. */
function fakeClock(): Clock & { fire(): void; pending: number } {
  let t = 1_000_000;
  const timers: { fn: () => void; at: number }[] = [];
  return {
    now: () => t,
    setTimeout(fn, ms) {
      const timer = { fn, at: t + ms };
      timers.push(timer);
      return timer;
    },
    clearTimeout(h) {
      const i = timers.indexOf(h as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    fire() {
      const due = timers.splice(0);
      for (const d of due) {
        t = Math.max(t, d.at);
        d.fn();
      }
    },
    get pending() {
      return timers.length;
    },
  };
}

interface Seen {
  url: string;
  init: RequestInit;
}

/** A server that answers from a script of responses, recording requests. */
function server(script: ((s: Seen) => Response)[]) {
  const seen: Seen[] = [];
  const fetchFn = async (url: string, init: RequestInit = {}) => {
    const s = { url, init };
    seen.push(s);
    const next = script.shift();
    if (!next) throw new Error("unexpected request " + url);
    return next(s);
  };
  return { seen, fetchFn };
}

const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" },
  });

const tokens = (n: number) => ({ access_token: "access-" + n, expires_in: 900, session_id: "s" });
const headers = (s: Seen) => s.init.headers as Record<string, string>;

describe("renewDelay", () => {
  it("renews a fifth of the lifetime early, at least 5 s", () => {
    expect(renewDelay(900)).toBe(720_000);
    expect(renewDelay(20)).toBe(15_000);
    expect(renewDelay(3)).toBe(1000);
  });
});

describe("Api", () => {
  it("sends the access token and the cookie-mode header, never a refresh token", async () => {
    const { seen, fetchFn } = server([json(200, { ok: 1 })]);
    const api = new Api(fetchFn, fakeClock());
    api.setTokens(tokens(1));
    await api.get("/api/v1/users/me");
    expect(headers(seen[0]).Authorization).toBe("Bearer access-1");
    expect(headers(seen[0])["X-Marquee-Session"]).toBe("cookie");
    expect(seen[0].init.credentials).toBe("same-origin");
  });

  it("renews before expiry on its own", async () => {
    const clock = fakeClock();
    const { seen, fetchFn } = server([json(200, tokens(2)), json(200, {})]);
    const api = new Api(fetchFn, clock);
    api.setTokens(tokens(1));
    expect(clock.pending).toBe(1);
    clock.fire();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen[0].url).toBe("/api/v1/auth/refresh");
    await api.get("/x");
    expect(headers(seen[1]).Authorization).toBe("Bearer access-2");
  });

  it("retries a request once after a 401 that a renewal cures", async () => {
    const { seen, fetchFn } = server([
      json(401, { status: 401, code: "invalid_token" }),
      json(200, tokens(2)),
      json(200, { fine: true }),
    ]);
    const api = new Api(fetchFn, fakeClock());
    api.setTokens(tokens(1));
    expect(await api.get("/x")).toEqual({ fine: true });
    expect(seen.map((s) => s.url)).toEqual(["/x", "/api/v1/auth/refresh", "/x"]);
  });

  it("signs out when the session ended elsewhere", async () => {
    const { fetchFn } = server([
      json(401, { status: 401, code: "session_revoked", detail: "revoked" }),
      json(401, { status: 401, code: "invalid_refresh_token" }),
    ]);
    const api = new Api(fetchFn, fakeClock());
    let out = 0;
    api.onSignedOut = () => out++;
    api.setTokens(tokens(1));
    await expect(api.get("/x")).rejects.toBeInstanceOf(ApiError);
    expect(out).toBe(1);
    expect(api.signedIn).toBe(false);
  });

  it("renews once for many callers (the refresh token rotates)", async () => {
    const { seen, fetchFn } = server([json(200, tokens(2))]);
    const api = new Api(fetchFn, fakeClock());
    const results = await Promise.all([api.renew(), api.renew(), api.renew()]);
    expect(results).toEqual([true, true, true]);
    expect(seen.length).toBe(1);
  });

  it("gives the problem's code and detail", async () => {
    const { fetchFn } = server([json(422, { status: 422, code: "invalid_path", detail: "no such folder" })]);
    const api = new Api(fetchFn, fakeClock());
    const err = (await api.post("/x", {}).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("invalid_path");
    expect(err.message).toBe("no such folder");
  });

  it("reads a problem that is not JSON", async () => {
    const p = await problemOf(new Response("<html>", { status: 502, statusText: "Bad Gateway" }));
    expect(p).toEqual({ status: 502, detail: "Bad Gateway" });
  });

  it("impersonates with the other token and comes back", async () => {
    const { seen, fetchFn } = server([json(200, {}), json(200, tokens(3)), json(200, {})]);
    const api = new Api(fetchFn, fakeClock());
    api.setTokens(tokens(1));
    api.startImpersonation({ access_token: "imp", expires_in: 3600, session_id: "x" });
    await api.get("/a");
    expect(headers(seen[0]).Authorization).toBe("Bearer imp");
    await api.stopImpersonation();
    await api.get("/b");
    expect(headers(seen[2]).Authorization).toBe("Bearer access-3");
  });
});

describe("query", () => {
  it("keeps what is set, escaped", () => {
    expect(query({ a: "x y", b: undefined, c: null, d: "", e: 0 })).toBe("?a=x+y&e=0");
    expect(query({})).toBe("");
  });
});
