// Second factors in the browser: TOTP set up on the Security page (the QR
// code and secret, confirmed with a code computed here), backup codes shown
// once, then sign-in with password + TOTP, and with a backup code.
import { axe, cfg, check, clean, open, signIn, signOut, totp } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.email);
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await page.getByRole("link", { name: "Security" }).click();
  await page.getByRole("heading", { name: "Security", exact: true }).waitFor();
  await axe(page, "security");
  await page.getByRole("button", { name: "Set up" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent()).trim();
  check(/^[A-Z2-7]{16,}$/.test(secret), "secret " + secret);
  check(await page.locator('img[src^="data:image/png;base64,"]').isVisible(), "QR code shown");
  await axe(page, "security (TOTP set-up)");
  await page.getByLabel("Code", { exact: true }).fill("000000");
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByRole("alert").waitFor();
  await page.getByLabel("Code", { exact: true }).fill(totp(secret));
  await page.getByRole("button", { name: "Confirm" }).click();
  const list = page.getByTestId("backup-codes");
  await list.waitFor();
  const codes = (await list.locator("li").allTextContents()).map((c) => c.trim());
  check(codes.length >= 8, codes);
  await page.getByText("These codes are shown once.").waitFor();
  await axe(page, "security (backup codes)");
  // Shown once: gone after a reload.
  await page.reload();
  await page.getByRole("heading", { name: "Security", exact: true }).waitFor();
  check((await page.getByTestId("backup-codes").count()) === 0, "backup codes shown twice");
  await signOut(page);

  // Password, then the app's code (the next step's: this one was used).
  await signIn(page, cfg.email);
  await page.getByRole("heading", { name: "Second step" }).waitFor();
  await axe(page, "sign-in (second step)");
  await page.getByLabel("Code", { exact: true }).fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("alert").waitFor();
  await page.getByLabel("Code", { exact: true }).fill(totp(secret, 1));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await signOut(page);

  // A backup code, which works once.
  await signIn(page, cfg.email);
  await page.getByRole("button", { name: "Use a backup code instead" }).click();
  await page.getByLabel("Code", { exact: true }).fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await signOut(page);
  await signIn(page, cfg.email);
  await page.getByRole("button", { name: "Use a backup code instead" }).click();
  await page.getByLabel("Code", { exact: true }).fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("alert").waitFor();
  clean(page);
}
