// Sessions and keys: a member signed in on two browsers ends the other one
// from the Security page, and that browser's next request lands on sign-in;
// an API key is shown once; an admin disabling the member sends their open
// page back to sign-in too.
import { apiCall, axe, cfg, check, clean, open, signIn } from "./lib.mjs";

export default async function (browser) {
  const a = await open(browser);
  const b = await open(browser);
  await signIn(a.page, cfg.email);
  await a.page.getByRole("heading", { name: "Home" }).waitFor();
  await signIn(b.page, cfg.email);
  await b.page.getByRole("heading", { name: "Home" }).waitFor();

  await a.page.goto("/security");
  const sessions = a.page.locator("ul.sessions li");
  await a.page.getByText("This session").waitFor();
  check((await sessions.count()) >= 2, "two sessions listed");
  await sessions.filter({ hasNot: a.page.getByText("This session") }).first().getByRole("button", { name: "Sign out" }).click();
  await a.page.waitForFunction(() => document.querySelectorAll("ul.sessions li").length === 1);

  // B's next request fails, and the app says why.
  await b.page.getByRole("link", { name: "Security" }).click();
  await b.page.getByRole("heading", { name: "Sign in" }).waitFor();
  await b.page.getByText("Your session ended. Sign in again.").waitFor();

  // An API key, shown once.
  await a.page.locator("#key-name").fill("scripts");
  await a.page.getByRole("button", { name: "New API key" }).click();
  const key = (await a.page.getByTestId("new-api-key").textContent()).trim();
  check(key.startsWith("mq_"), "key " + key);
  const me = await apiCall("GET", "/api/v1/users/me", key);
  check(me.status === 200 && me.body.email === cfg.email, me);
  await axe(a.page, "security (API key)");
  await a.page.reload();
  await a.page.getByText("scripts").waitFor();
  check(!(await a.page.evaluate(() => document.body.innerText)).includes(key), "the key shown twice");

  // An admin disables the member: their open page returns to sign-in.
  const users = await apiCall("GET", "/api/v1/admin/users?q=" + encodeURIComponent(cfg.email), cfg.admin_token);
  const id = users.body.items[0].id;
  check((await apiCall("POST", `/api/v1/admin/users/${id}/disable`, cfg.admin_token, {})).status === 200, "disabled");
  await a.page.getByRole("link", { name: "Home" }).click();
  await a.page.getByRole("heading", { name: "Sign in" }).waitFor();
  clean(a.page);
  clean(b.page);
}
