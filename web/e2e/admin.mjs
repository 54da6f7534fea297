// The rest of administration: a member's roles and parental controls, a
// custom role, an invitation, the audit log (filter, export), server
// settings (one locked by the operator), jobs, a library's folders and
// grants; and the member's own Account page.
import { axe, cfg, check, clean, noOverflow, open, signIn } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.admin_email);
  await page.getByRole("heading", { name: "Home" }).waitFor();

  // A member: roles and parental controls.
  await page.goto("/admin/users");
  await page.getByRole("link", { name: "Ada" }).click();
  await page.getByRole("heading", { name: "Ada" }).waitFor();
  await page.getByLabel("Add a role").selectOption("moderator");
  await page.getByRole("button", { name: "Add a role" }).click();
  await page.locator("code", { hasText: "moderator" }).waitFor();
  await page.getByLabel("Highest rating allowed").selectOption("PG-13");
  await page.getByLabel("Unrated items").selectOption("block");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
  await axe(page, "admin user");

  // A custom role.
  await page.goto("/admin/roles");
  await page.getByRole("button", { name: "New role" }).click();
  await page.getByLabel("Name", { exact: true }).fill("curator");
  await page.getByLabel("Description").fill("tends the catalogue");
  await page.getByRole("checkbox", { name: /content:moderate/ }).check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.locator('tr[data-role="curator"]').getByText("content:moderate").waitFor();
  await axe(page, "admin roles");

  // An invitation: its link is shown.
  await page.goto("/admin/invites");
  await page.getByLabel("Role it gives").selectOption("curator");
  await page.getByRole("button", { name: "New invitation" }).click();
  const url = (await page.getByTestId("invite-url").textContent()).trim();
  check(url.startsWith(cfg.base + "/register?invite=mqi_"), url);
  await page.locator("td", { hasText: "curator" }).first().waitFor();
  await axe(page, "admin invitations");

  // The audit log: what was just done, filtered; and its export.
  await page.goto("/admin/audit");
  await page.getByLabel("Action").fill("role.create");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("tbody tr")];
    return rows.length === 1 && rows[0].innerText.includes("role.create");
  });
  await axe(page, "admin audit log");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /Export/ }).click()]);
  const path = await download.path();
  const { readFileSync } = await import("node:fs");
  const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  check(lines.length === 1 && lines[0].action === "role.create", lines);

  // Settings: typed forms; the operator's are locked.
  await page.goto("/admin/settings");
  const name = page.locator('[data-setting="server_name"] input');
  await name.fill("Our Cinema");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
  check((await name.inputValue()) === "Our Cinema", "saved");
  const locked = page.locator('[data-setting="rate_limit_login"]');
  check(await locked.locator("input").isDisabled(), "a locked setting is read-only");
  await locked.getByText("Set by the operator").waitFor();
  await axe(page, "admin settings");

  // Jobs: the scan that ran.
  await page.goto("/admin/jobs");
  await page.locator('tr[data-job="media.scan"]').first().waitFor();
  await axe(page, "admin jobs");

  // A library: restrict it and grant it to Ada.
  await page.goto("/admin/libraries");
  const card = page.locator('li[data-library="Films"]');
  await card.getByRole("button", { name: "Folders and access" }).click();
  await card.getByLabel("Only for those granted").check();
  await card.getByPlaceholder("Grant to a user (e-mail)").fill("ada@example.org");
  await card.getByRole("button", { name: "Grant to a user (e-mail)" }).click();
  await card.getByRole("button", { name: "Revoke" }).waitFor();
  await axe(page, "admin libraries (editing)");

  // One's own account: the theme and the profile.
  await page.goto("/account");
  await page.getByLabel("Theme").selectOption("light");
  await page.locator("form", { has: page.getByLabel("Theme") }).getByRole("button", { name: "Save" }).click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
  await axe(page, "account (light theme)");
  await page.getByLabel("Display name").fill("Root Admin");
  await page.locator("form", { has: page.getByLabel("Display name") }).getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved" }).first().waitFor();

  // At a phone's width, wide tables scroll in their box, not the page.
  await page.setViewportSize({ width: 360, height: 740 });
  for (const path of ["/security", "/account", "/admin", "/admin/users", "/admin/roles", "/admin/invites",
                      "/admin/audit", "/admin/settings", "/admin/jobs", "/admin/libraries"]) {
    await page.goto(path);
    await page.locator("main h1").first().waitFor();
    await page.waitForTimeout(300);
    await noOverflow(page, path);
  }
  await axe(page, "admin libraries (phone)");
  clean(page);
}
