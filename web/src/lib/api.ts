// The API client: the access token lives in this object's memory only; the
// refresh token is an HttpOnly cookie the script never sees. Every request
// says `X-Marquee-Session: cookie`, which both asks the server for cookie
// mode and is the CSRF guard (a page elsewhere cannot send it).

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code?: string;
  detail?: string;
  [k: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.status = problem.status;
    this.code = problem.code || "http_" + problem.status;
    this.problem = problem;
  }
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export interface Tokens {
  access_token: string;
  expires_in: number;
  session_id: string;
  token_type?: string;
  mfa_enrollment_required?: boolean;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Renew this long before expiry (a fifth of the lifetime, at least 5 s). */
export function renewDelay(expiresIn: number): number {
  const ahead = Math.max(5, expiresIn / 5);
  return Math.max(1, expiresIn - ahead) * 1000;
}

export async function problemOf(res: Response): Promise<Problem> {
  const type = res.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      const doc = await res.json();
      if (doc && typeof doc === "object") return { status: res.status, ...doc };
    } catch {
      /* a body that is not JSON: fall through */
    }
  }
  return { status: res.status, detail: res.statusText || `HTTP ${res.status}` };
}

export interface CallOptions {
  /** Send without the access token (sign-in, setup). */
  anonymous?: boolean;
  /** A body that is not JSON (an upload). */
  raw?: Blob;
  rawType?: string;
  /** Give back the Response itself (exports, downloads). */
  response?: boolean;
  /** Let the request outlive the page (a player's last position). */
  keepalive?: boolean;
}

export class Api {
  private token: string | null = null;
  private renewTimer: unknown = null;
  private renewing: Promise<boolean> | null = null;
  private impersonating: { token: string; expires: number } | null = null;
  /** Called once when the session is gone (revoked, expired, signed out). */
  onSignedOut: () => void = () => {};

  constructor(
    private readonly fetchFn: Fetch = (i, o) => fetch(i, o),
    private readonly clock: Clock = realClock,
  ) {}

  get signedIn(): boolean {
    return this.token !== null;
  }

  /** The token requests carry: an impersonation's while one is on. */
  private bearer(): string | null {
    return this.impersonating ? this.impersonating.token : this.token;
  }

  setTokens(t: Tokens): void {
    this.token = t.access_token;
    if (this.renewTimer !== null) this.clock.clearTimeout(this.renewTimer);
    this.renewTimer = this.clock.setTimeout(() => {
      this.renewTimer = null;
      void this.renew();
    }, renewDelay(t.expires_in));
  }

  private forget(): void {
    const had = this.token !== null;
    this.token = null;
    this.impersonating = null;
    if (this.renewTimer !== null) this.clock.clearTimeout(this.renewTimer);
    this.renewTimer = null;
    if (had) this.onSignedOut();
  }

  /** Trades the cookie for a new access token; false when there is no
   * session. One renewal at a time, across tabs too: the refresh token
   * rotates, and a second use of the old one would end the session. */
  renew(): Promise<boolean> {
    if (!this.renewing) {
      const run = async () => {
        try {
          const res = await this.fetchFn("/api/v1/auth/refresh", {
            method: "POST",
            headers: { "X-Marquee-Session": "cookie", Accept: "application/json" },
            credentials: "same-origin",
          });
          if (!res.ok) {
            if (res.status === 401) this.forget();
            return false;
          }
          this.setTokens((await res.json()) as Tokens);
          return true;
        } catch {
          return false;
        }
      };
      const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
      const p: Promise<boolean> = locks ? (locks.request("marquee-refresh", run) as unknown as Promise<boolean>) : run();
      this.renewing = p.finally(() => {
        this.renewing = null;
      });
    }
    return this.renewing as Promise<boolean>;
  }

  /** After a reload: the session the cookie holds, if any. */
  restore(): Promise<boolean> {
    return this.renew();
  }

  async signOut(): Promise<void> {
    try {
      await this.call("POST", "/api/v1/auth/logout");
    } catch {
      /* gone already */
    }
    this.forget();
  }

  startImpersonation(t: Tokens): void {
    this.impersonating = { token: t.access_token, expires: this.clock.now() + t.expires_in * 1000 };
  }

  /** Back to one's own account: a renewal puts one's own media cookie back. */
  async stopImpersonation(): Promise<void> {
    this.impersonating = null;
    await this.renew();
  }

  get impersonation(): boolean {
    return this.impersonating !== null;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
    const send = () => {
      const headers: Record<string, string> = { "X-Marquee-Session": "cookie", Accept: "application/json" };
      const bearer = this.bearer();
      if (bearer && !opts.anonymous) headers.Authorization = "Bearer " + bearer;
      let payload: BodyInit | undefined;
      if (opts.raw) {
        payload = opts.raw;
        headers["Content-Type"] = opts.rawType || opts.raw.type || "application/octet-stream";
      } else if (body !== undefined) {
        payload = JSON.stringify(body);
        headers["Content-Type"] = "application/json";
      }
      return this.fetchFn(path, { method, headers, body: payload, credentials: "same-origin", keepalive: opts.keepalive });
    };
    let res = await send();
    if (res.status === 401 && this.token && !opts.anonymous && !this.impersonating) {
      // An access token that expired or a session ended elsewhere: one
      // renewal tells which.
      if (await this.renew()) res = await send();
      else {
        this.forget();
        throw new ApiError(await problemOf(res));
      }
    }
    if (opts.response && res.ok) return res as unknown as T;
    if (!res.ok) throw new ApiError(await problemOf(res));
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }
  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.call<T>("POST", path, body === undefined ? {} : body);
  }
  patch<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.call<T>("PATCH", path, body);
  }
  put<T = unknown>(path: string, body: unknown, opts: CallOptions = {}): Promise<T> {
    return this.call<T>("PUT", path, body, opts);
  }
  del<T = unknown>(path: string): Promise<T> {
    return this.call<T>("DELETE", path);
  }
}

export const api = new Api();

/** A query string from the defined members of q. */
export function query(q: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? "?" + s : "";
}
