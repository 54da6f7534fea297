// An admin acts as a member: a banner says so on every page until "Back to
// my account"; the member's own view (their libraries only) is shown.
import { axe, cfg, check, clean, open, signIn } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.admin_email);
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await page.getByRole("navigation").getByRole("link", { name: "Administration" }).click();
  await page.getByRole("link", { name: "Users" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();
  await axe(page, "admin users");
  await page.getByLabel("Search users").fill("ada@");
  await page.getByRole("button", { name: "Search users" }).click();
  const row = page.locator('tr[data-user="ada@example.org"]');
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
  await row.waitFor();
  await row.getByRole("button", { name: "Impersonate" }).click();
  const banner = page.getByText("You are acting as Ada.");
  await banner.waitFor();
  // The member's view: no administration, and their library alone.
  await page.getByRole("heading", { name: "Home" }).waitFor();
  check((await page.getByRole("link", { name: "Administration" }).count()) === 0, "admin links hidden");
  await page.getByText("Recently added to Open").waitFor();
  check((await page.getByText("Recently added to Private").count()) === 0, "restricted library hidden");
  await page.getByRole("link", { name: "Account" }).click();
  await banner.waitFor();
  await axe(page, "impersonation banner");
  await page.getByRole("button", { name: "Back to my account" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();
  check((await page.getByText("You are acting as").count()) === 0, "banner gone");
  clean(page);
}
