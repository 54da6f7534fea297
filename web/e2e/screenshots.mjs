// Pictures of the main pages at a phone's and a desktop's width, for
// tools/screenshots (not a test: it checks nothing).
import { cfg, launch, open, signIn } from "./lib.mjs";

const pages = [
  ["home", "/"],
  ["library", "/libraries/" + cfg.films],
  ["film", "/media/" + cfg.matrix],
  ["player", `/play/${cfg.file}?item=${cfg.matrix}`],
  ["account", "/account"],
  ["security", "/security"],
  ["admin", "/admin"],
  ["admin-users", "/admin/users"],
  ["admin-libraries", "/admin/libraries"],
  ["admin-settings", "/admin/settings"],
];

const browser = await launch();
for (const [label, width, height] of [["phone", 360, 740], ["desktop", 1280, 800]]) {
  const { page, context } = await open(browser, { width, height });
  await page.goto("/signin");
  await page.screenshot({ path: `${cfg.out}/${label}-signin.png` });
  await signIn(page, cfg.email);
  await page.getByRole("heading", { name: "Home" }).waitFor();
  for (const [name, path] of pages) {
    await page.goto(path);
    await page.locator("main h1").first().waitFor();
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${cfg.out}/${label}-${name}.png`, fullPage: name !== "library" });
  }
  await context.close();
}
await browser.close();
