// A change that wants a recent sign-in (setting up an authenticator app,
// after reauth_window) asks for the password in a dialog, then goes on.
import { axe, cfg, check, clean, open, signIn } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.email);
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await page.goto("/security");
  await page.getByRole("button", { name: "Set up" }).waitFor();
  await page.waitForTimeout(cfg.window_ms + 500); // the sign-in is no longer recent
  await page.getByRole("button", { name: "Set up" }).click();
  const dialog = page.getByRole("dialog", { name: "Enter your password to continue" });
  await dialog.waitFor();
  await axe(page, "re-authentication");
  await dialog.getByLabel("Password").fill("not the password at all");
  await dialog.getByRole("button", { name: "Verify" }).click();
  await dialog.getByRole("alert").waitFor();
  await dialog.getByLabel("Password").fill(cfg.password);
  await dialog.getByRole("button", { name: "Verify" }).click();
  await page.getByTestId("totp-secret").waitFor();
  check(!(await dialog.isVisible()), "the dialog closed");
  clean(page);
}
