// Some changes (second factors, API keys) want a recent sign-in; the API says
// so with 403 reauthentication_required. The page asks for the password,
// proves it, and tries the change again.
import { api, ApiError } from "./api";

export const reauth = $state({ asking: false, error: null as unknown });
let pending: { resolve: (ok: boolean) => void } | null = null;

export async function withReauth<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== "reauthentication_required") throw err;
    reauth.asking = true;
    reauth.error = null;
    const ok = await new Promise<boolean>((resolve) => (pending = { resolve }));
    if (!ok) throw err;
    return fn();
  }
}

export async function answerReauth(password: string | null): Promise<void> {
  if (password === null) {
    reauth.asking = false;
    pending?.resolve(false);
    pending = null;
    return;
  }
  try {
    await api.post("/api/v1/auth/reauthenticate", { password });
    reauth.asking = false;
    pending?.resolve(true);
    pending = null;
  } catch (e) {
    reauth.error = e;
  }
}
