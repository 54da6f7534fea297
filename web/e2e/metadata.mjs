// Metadata in the browser: the unidentified queue, identifying a work with
// the picker, its poster appearing once identified, cast photos and where
// to watch on the item's page, and the providers' page with its test.
import { axe, cfg, check, clean, open, signIn } from "./lib.mjs";

/** An <img> that has loaded a real picture. */
async function loaded(locator) {
  await locator.waitFor();
  for (let i = 0; i < 100; i++) {
    const w = await locator.evaluate((img) => (img.complete ? img.naturalWidth : 0)).catch(() => 0);
    if (w > 0) return w;
    await new Promise((r) => setTimeout(r, 100));
  }
  return 0;
}

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.admin_email);
  await page.getByRole("heading", { name: "Home" }).waitFor();

  // The queue: Hercules, several films of that name and no year.
  await page.goto("/admin");
  await page.getByRole("main").getByRole("link", { name: "Unidentified works" }).click();
  await page.getByRole("heading", { name: "Unidentified works" }).waitFor();
  const row = page.locator('li[data-unidentified="Hercules"]');
  await row.waitFor();
  check((await row.innerText()).includes("Needs review"), await row.innerText());
  await axe(page, "unidentified works");

  // The item has no poster yet: the placeholder says so.
  await row.getByRole("link", { name: "Hercules" }).click();
  await page.getByRole("heading", { name: /Hercules/ }).waitFor();
  await page.getByRole("img", { name: "No picture" }).waitFor();
  await page.locator('[data-ident-state="review"]').waitFor();

  // The picker: a search with the year, candidates with pictures, one picked.
  await page.getByRole("button", { name: "Identify…" }).click();
  const dialog = page.getByRole("dialog", { name: /Identify Hercules/ });
  await dialog.waitFor();
  check((await dialog.getByLabel("Title").inputValue()) === "Hercules", "the title is there");
  await dialog.getByLabel("Year").fill("2014");
  await dialog.getByRole("button", { name: "Search" }).click();
  const pick = dialog.getByRole("button", { name: "This one: Hercules (2014)" });
  await pick.waitFor();
  check((await loaded(dialog.locator("img").first())) > 0, "a candidate's picture");
  await axe(page, "identify dialog");
  await pick.click();
  await page.locator('[data-ident-state="matched"]').waitFor({ timeout: 30000 });
  check((await page.getByRole("heading", { name: /Hercules/ }).innerText()).includes("2014"), "the year");

  // The poster appears once the picture job has fetched it.
  let width = 0;
  for (let i = 0; i < 30 && !width; i++) {
    await page.reload();
    await page.getByRole("heading", { name: /Hercules/ }).waitFor();
    const img = page.locator("img[data-poster]");
    if (await img.count()) width = await loaded(img);
    if (!width) await new Promise((r) => setTimeout(r, 300));
  }
  check(width > 0, "the poster after identification");

  // A work identified by the id in its name: cast with photos, where to
  // watch, the provider's page.
  await page.goto("/libraries/" + cfg.library_id);
  await page.getByRole("link", { name: /Riddick/ }).click();
  await page.getByRole("heading", { name: /Riddick/ }).waitFor();
  await page.getByText("Survival Is His Revenge").waitFor();
  await page.getByRole("heading", { name: "Cast" }).waitFor();
  await page.getByText("Vin Diesel").first().waitFor();
  await page.getByRole("heading", { name: "Where to watch" }).waitFor();
  await page.getByRole("link", { name: "This title on TMDb" }).waitFor();
  let photo = 0;
  for (let i = 0; i < 30 && !photo; i++) {
    const img = page.locator(".people img").first();
    if (await img.count()) photo = await loaded(img);
    if (!photo) {
      await new Promise((r) => setTimeout(r, 300));
      await page.reload();
      await page.getByRole("heading", { name: "Cast" }).waitFor();
    }
  }
  check(photo > 0, "a cast photo");
  await axe(page, "item with metadata");

  // A person's page, followed: their next work will be told.
  await page.locator(".people").getByRole("link", { name: "Vin Diesel" }).first().click();
  await page.getByRole("heading", { name: "Vin Diesel" }).waitFor();
  await page.getByRole("button", { name: "Follow Vin Diesel" }).click();
  await page.getByRole("button", { name: "Stop following Vin Diesel" }).waitFor();
  await axe(page, "person with follow");
  await page.reload();
  await page.getByRole("button", { name: "Stop following Vin Diesel" }).waitFor();

  // The providers' page: ready, and the test says the connection works.
  await page.goto("/admin/metadata");
  await page.getByRole("heading", { name: "Metadata providers" }).waitFor();
  const tmdb = page.locator('li[data-provider="tmdb"]');
  await tmdb.getByText("Ready").waitFor();
  await tmdb.getByRole("button", { name: "Test connection" }).click();
  await tmdb.getByText("TMDb: the connection works.").waitFor();
  check((await page.getByLabel("tmdb_api_key").inputValue()) === "", "the key is never shown");
  await axe(page, "metadata providers");
  clean(page);
}
