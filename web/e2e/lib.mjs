// What the browser tests share: Debian's Chromium driven by playwright-core
// (no browser download), an accessibility scan with axe-core, TOTP codes,
// links from the SMTP sink's mail, and checks that fail loudly.
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** What the Python side set up: base URL, accounts, folders, mail dir. */
export const cfg = JSON.parse(process.env.MQ_E2E || "{}");

export class Failure extends Error {}

export function check(cond, msg) {
  if (!cond) throw new Failure(typeof msg === "string" ? msg : JSON.stringify(msg));
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.MQ_CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

/** A page in a fresh context; every CSP violation and page error fails the test at the end. */
export async function open(browser, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ baseURL: cfg.base, viewport: { width, height } });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push("page error: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) page.problems.push("CSP: " + m.text());
  });
  page.setDefaultTimeout(15000);
  return { context, page };
}

export function clean(page) {
  check(page.problems.length === 0, page.problems.join("\n"));
}

const scanned = new Set();

/** axe-core on the page as it is now: no serious or critical violations. */
export async function axe(page, name) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  scanned.add(name);
  check(result.length === 0, `accessibility of ${name}:\n  ${result.join("\n  ")}`);
}

export function pagesScanned() {
  return [...scanned];
}

function base32(s) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of s.replace(/=+$/, "").toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) continue;
    bits += v.toString(2).padStart(5, "0");
  }
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

/** RFC 6238: six digits, 30 s steps; `steps` ahead of now. */
export function totp(secret, steps = 0, now = Date.now()) {
  const counter = Math.floor(now / 1000 / 30) + steps;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac("sha1", base32(secret)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1e6).padStart(6, "0");
}

/** The first PUBLIC_URL/path?token=… link in a mail the sink holds beyond `seen`. */
export async function mailLink(path, seen = 0, timeout = 20000) {
  // The page right under the host (not an API address with the same last
  // segment); tokens may be signed ("id.event.mac").
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const names = readdirSync(cfg.mail_dir).filter((n) => n.endsWith(".eml")).sort();
    for (const n of names.slice(seen)) {
      const text = readFileSync(join(cfg.mail_dir, n), "utf8").replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      const m = text.match(new RegExp(`https?://[^\\s"</]+/${path}\\?token=[A-Za-z0-9_.-]+`));
      if (m) return m[0].replace(/\.+$/, ""); // not a sentence's full stop
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Failure(`no ${path} link arrived`);
}

/** The API as the test's own client (to arrange what a page then shows). */
export async function apiCall(method, path, token, body) {
  // By address: Node 18's fetch tries only the first of localhost's (::1),
  // and the server listens on 127.0.0.1.
  const res = await fetch(cfg.base.replace("//localhost:", "//127.0.0.1:") + path, {
    method,
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function signIn(page, email, password = cfg.password) {
  await page.goto("/signin");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function signOut(page) {
  await page.getByRole("navigation").getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
}

/** Nothing on the page is wider than the window (a phone's 360 px). */
export async function noOverflow(page, what) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(scroll <= width + 1, `${what}: ${scroll} px wide in a ${width} px window`);
}
