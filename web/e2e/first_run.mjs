// First run: the setup link the server logged creates the admin; without a
// token the page says where to find one; then the admin signs in.
import { axe, cfg, check, clean, open, signIn, signOut } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await page.goto("/setup");
  await page.getByText("Open the link the server wrote to its log").waitFor();
  await axe(page, "setup without a token");

  await page.goto(cfg.setup_url);
  await page.getByRole("heading", { name: "Create the first admin" }).waitFor();
  await axe(page, "setup");
  await page.getByLabel("E-mail address").fill("root@example.org");
  await page.getByLabel("Display name").fill("Root");
  await page.getByLabel("Password").fill("password1234");
  await page.getByRole("button", { name: "Create the first admin" }).click();
  // The API's problem, shown with its detail.
  await page.getByRole("alert").waitFor();
  await page.getByLabel("Password").fill(cfg.password);
  await page.getByRole("button", { name: "Create the first admin" }).click();
  await page.getByText("The admin exists. Sign in with it.").waitFor();
  await axe(page, "sign-in");

  await signIn(page, "root@example.org");
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await page.getByText("No library is shared with you yet.").waitFor();
  await axe(page, "home (empty)");

  // A reload keeps the session (the cookie), with no token in storage.
  await page.reload();
  await page.getByRole("heading", { name: "Home" }).waitFor();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  check(!/eyJ|mqr_|refresh/.test(stored), "a token in web storage: " + stored);
  const cookies = await page.context().cookies();
  const refresh = cookies.find((c) => c.name === "mq_refresh");
  check(refresh && refresh.httpOnly && refresh.sameSite === "Strict" && refresh.path === "/api/v1/auth", cookies);
  check(!(await page.evaluate(() => document.cookie)).includes("mq_"), "a session cookie scripts can read");

  // Signed out, the app asks for a sign-in again, and the setup link is spent.
  await signOut(page);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.goto("/");
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.goto(cfg.setup_url);
  await page.getByLabel("E-mail address").fill("second@example.org");
  await page.getByLabel("Password").fill(cfg.password);
  await page.getByRole("button", { name: "Create the first admin" }).click();
  await page.getByRole("alert").waitFor();
  clean(page);
}
