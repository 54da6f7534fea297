// Tracking in the browser: importing a Netflix history through the page
// (the format found, the progress followed, the history listed), the
// review queue resolved by keyboard-reachable buttons, marking a film
// watched and putting one in the library, my library, history and
// statistics, and the player's position resumed in a second browser
// context; every page scanned for accessibility.
import { axe, cfg, check, clean, open, signIn } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.email);
  await page.getByRole("heading", { name: "Home" }).waitFor();

  // The import.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Import" }).click();
  await page.getByRole("heading", { name: "Import a history" }).waitFor();
  await axe(page, "import");
  await page.getByLabel("The exported file").setInputFiles(cfg.netflix_file);
  await page.getByText("Chosen: NetflixViewingHistory.csv").waitFor();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByRole("heading", { name: "Importing: Netflix viewing history" }).waitFor();
  await page.locator('[data-import="done"]').waitFor();
  const status = await page.locator("[data-import] [role=status]").innerText();
  check(/4 of 4 rows read: 2 matched, 2 to review/.test(status), status);
  await axe(page, "import done");
  await page.getByRole("link", { name: "Review 2 rows" }).first().click();

  // The review queue: a candidate by its button, another skipped after a search.
  await page.getByRole("heading", { name: "Rows to review" }).waitFor();
  await axe(page, "review queue");
  const onion = page.getByRole("button", { name: "This is it: Glass Onion: A Knives Out Mystery" });
  await onion.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "Recorded as Glass Onion: A Knives Out Mystery" }).waitFor();
  await page.getByLabel("Find another work").fill("heat");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("button", { name: /This is it: Heat/ }).first().waitFor();
  await page.getByRole("button", { name: "Skip" }).click();
  await page.getByText("Nothing left to review.").waitFor();

  // Mark a film watched; put another in the library.
  await page.goto("/media/" + cfg.heat);
  await page.getByRole("heading", { name: /Heat/ }).waitFor();
  await page.getByText("Watched 1 times").waitFor(); // the import's play
  await page.goto("/media/" + cfg.old_heat);
  await page.getByRole("heading", { name: /Heat/ }).waitFor();
  await page.getByText("Not watched yet").waitFor();
  await axe(page, "film with tracking");
  await page.getByRole("button", { name: "Mark watched" }).click();
  await page.getByText("Watched 1 times").waitFor();
  await page.getByRole("button", { name: "Mark unwatched" }).waitFor();
  await page.goto("/media/" + cfg.arrival);
  await page.getByLabel("In my library").selectOption("planned");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();

  // My library: the tabs, the list, history and statistics.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My library" }).click();
  await page.getByRole("heading", { name: "My library" }).waitFor();
  await page.locator("[data-library]").getByRole("link", { name: /Heat/ }).first().waitFor();
  await axe(page, "my library");
  await page.getByRole("link", { name: "Planned" }).click();
  await page.waitForURL(/status=planned/);
  await page.locator("[data-library]").getByRole("link", { name: /Arrival/ }).waitFor();
  check((await page.locator("[data-library]").getByRole("link", { name: /Heat/ }).count()) === 0, "planned only");
  await page.getByLabel("View").selectOption("list");
  await page.getByRole("columnheader", { name: "Status" }).waitFor();
  await axe(page, "my library as a list");
  await page.getByRole("link", { name: "History" }).click();
  await page.getByRole("heading", { name: "History" }).waitFor();
  await page.locator("[data-history]").getByRole("link", { name: /Glass Onion/ }).waitFor();
  await axe(page, "history");
  await page.getByRole("button", { name: "Delete Glass Onion: A Knives Out Mystery from history" }).click();
  await page.getByRole("status").filter({ hasText: "Deleted Glass Onion" }).waitFor();
  await page.goto("/my/stats");
  await page.getByRole("heading", { name: "Statistics" }).waitFor();
  await page.locator("[data-stats-total]").filter({ hasText: /plays/ }).waitFor();
  await page.getByRole("heading", { name: "Plays by month" }).waitFor();
  await axe(page, "statistics");

  // A scrobble URL for Plex: shown once, listed by name, revoked.
  await page.goto("/account");
  await page.getByRole("heading", { name: "Plays from other servers" }).waitFor();
  await page.getByLabel("Name of the server").fill("Plex in the den");
  await page.getByRole("button", { name: "Make a webhook URL" }).click();
  await page.getByText("Copy the URL now: it is shown only once.").waitFor();
  const url = await page.getByLabel("Webhook URL").inputValue();
  check(/\/api\/v1\/scrobble\/mqs_/.test(url), url);
  await page.getByText("Not used yet").waitFor();
  await axe(page, "account with scrobble URLs");
  await page.getByRole("button", { name: "Revoke Plex in the den" }).click();
  await page.getByText("Not used yet").waitFor({ state: "detached" });

  // The player saves where it stops; a second browser resumes there.
  await page.goto(`/play/${cfg.matrix_file}?item=${cfg.matrix}`);
  await page.locator("video").waitFor();
  const saved = page.waitForResponse((r) => r.url().includes("/progress") && r.request().method() === "PUT");
  await page.evaluate(async () => {
    const v = document.querySelector("video");
    v.muted = true;
    await v.play();
    await new Promise((r) => setTimeout(r, 400));
    v.pause();
  });
  const res = await saved;
  check(res.status() === 200, "report " + res.status());
  const at = (await res.json()).position_ms;
  check(at > 0, "position " + at);
  clean(page);

  const second = await open(browser);
  await signIn(second.page, cfg.email);
  await second.page.getByRole("heading", { name: "Home" }).waitFor();
  await second.page.getByRole("heading", { name: "Continue watching" }).waitFor();
  await axe(second.page, "home with continue watching");
  await second.page.goto(`/play/${cfg.matrix_file}?item=${cfg.matrix}`);
  await second.page.getByText(/Resumed at/).waitFor();
  const pos = await second.page.evaluate(() => document.querySelector("video").currentTime);
  check(Math.abs(pos * 1000 - at) < 250, `resumed at ${pos} s, saved ${at} ms`);
  clean(second.page);
}
