// An admin makes a library with the server-side folder picker, starts a
// scan and watches it finish.
import { axe, cfg, check, clean, open, signIn } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.admin_email);
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await page.getByRole("navigation").getByRole("link", { name: "Administration" }).click();
  await page.getByRole("heading", { name: "Administration" }).waitFor();
  await axe(page, "administration");
  await page.getByRole("main").getByRole("link", { name: "Libraries" }).click();
  await page.getByRole("heading", { name: "Libraries" }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill("Films");
  await page.getByLabel("Type").selectOption("movies");
  await page.getByLabel("Folder", { exact: true }).fill(cfg.root);
  await page.getByRole("button", { name: "Pick a folder" }).click();
  const picker = page.getByRole("group", { name: "Pick a folder" });
  await picker.getByRole("button", { name: "films", exact: true }).click();
  await picker.getByText(cfg.root + "/films", { exact: true }).waitFor();
  check((await page.getByLabel("Folder", { exact: true }).inputValue()) === cfg.root + "/films", "folder picked");
  // Files are never listed, nor hidden folders.
  check((await picker.getByText("notes.txt").count()) === 0 && (await picker.getByText(".secret").count()) === 0, "files listed");
  await axe(page, "admin libraries (picker)");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const card = page.locator('li[data-library="Films"]');
  await card.waitFor();
  await card.getByRole("button", { name: "Scan now" }).click();
  await card.locator('[data-scan-state="completed"]').waitFor({ timeout: 60000 });
  const text = await card.innerText();
  check(/of \d+ files/.test(text), text);
  await axe(page, "admin libraries");
  await card.getByRole("link").click();
  await page.getByRole("heading", { name: "Films" }).waitFor();
  await page.getByRole("link", { name: /Heat/ }).waitFor();
  clean(page);
}
