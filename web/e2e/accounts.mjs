// Registration by invitation, the e-mailed confirmation, and a forgotten
// password reset by the e-mailed link (a real SMTP sink holds the mail).
import { axe, cfg, check, clean, mailLink, open, signIn, signOut } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await page.goto(cfg.invite_url);
  await page.getByRole("heading", { name: "Create an account" }).waitFor();
  check((await page.getByLabel("Invitation code").inputValue()) === cfg.invite_code, "code from the link");
  await axe(page, "register");
  await page.getByLabel("E-mail address").fill("zed@example.org");
  await page.getByLabel("Display name").fill("Zed");
  await page.getByLabel("Password").fill(cfg.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("Check your mail").waitFor();

  // Not confirmed yet: the page says so and sends the link again.
  await signIn(page, "zed@example.org");
  await page.getByText("Confirm your e-mail address first").waitFor();
  await page.getByRole("button", { name: "Send the link again" }).click();
  await page.getByText("a new link is on its way").waitFor();
  const verify = await mailLink("verify-email", 1);
  await page.goto(verify);
  await page.getByText("Your address is confirmed").waitFor();
  await axe(page, "verify e-mail");
  await signIn(page, "zed@example.org");
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await signOut(page);

  // Forgot: the same answer whether or not the account exists.
  await page.goto("/forgot-password");
  await axe(page, "forgot password");
  await page.getByLabel("E-mail address").fill("nobody@example.org");
  await page.getByRole("button", { name: "Send me a link" }).click();
  await page.getByText("If an account has that address").waitFor();
  await page.goto("/forgot-password");
  await page.getByLabel("E-mail address").fill("zed@example.org");
  await page.getByRole("button", { name: "Send me a link" }).click();
  await page.getByText("If an account has that address").waitFor();
  const reset = await mailLink("reset-password", 2);
  await page.goto(reset);
  await axe(page, "reset password");
  await page.getByLabel("New password").fill(cfg.new_password);
  await page.getByRole("button", { name: "Set the password" }).click();
  await page.getByText("Your password is changed").waitFor();
  await signIn(page, "zed@example.org", cfg.password);
  await page.getByRole("alert").waitFor();
  await signIn(page, "zed@example.org", cfg.new_password);
  await page.getByRole("heading", { name: "Home" }).waitFor();

  // Deleting the account signs out; signing in within the grace restores it.
  await page.goto("/account");
  await axe(page, "account");
  await page.locator("#del-password").fill(cfg.new_password);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await signIn(page, "zed@example.org", cfg.new_password);
  await page.getByText("This account was deleted").waitFor();
  await page.getByRole("button", { name: "Restore my account" }).click();
  await page.getByRole("heading", { name: "Home" }).waitFor();
  clean(page);
}
