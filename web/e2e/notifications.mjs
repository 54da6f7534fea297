// Notifications in the browser: the bell's count, the centre, preferences
// saved and read back, a channel added and tested through the same path as
// every delivery with the log showing it, a series followed, the admin's
// monitor run and server channel, a relation set by the admin, the
// upcoming list, month and calendar link, and a mail's unsubscribe page;
// every page scanned for accessibility.
import { writeFileSync } from "node:fs";
import { axe, cfg, check, clean, mailLink, open, signIn } from "./lib.mjs";

const bell = (page) => page.getByRole("banner").locator("a.bell");

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.email);
  await page.getByRole("heading", { name: "Home" }).waitFor();

  // The centre: this browser's sign-in was told (a new device); read it.
  await bell(page).click();
  await page.getByRole("heading", { name: "Notifications", exact: true }).waitFor();
  await page.locator('[data-event="auth.new_login"]').waitFor();
  await axe(page, "notification centre");
  await page.getByRole("button", { name: "Mark all read" }).click();
  await page.getByRole("status").filter({ hasText: "All marked read" }).waitFor();
  await page.getByRole("link", { name: "Notifications", exact: true }).waitFor(); // no count now

  // Settings: a webhook channel, its secret shown once, tested.
  await page.getByRole("link", { name: "Notification settings" }).click();
  await page.getByRole("heading", { name: "What reaches you, and how" }).waitFor();
  await page.getByLabel("Kind").selectOption("webhook");
  await page.getByLabel("Name", { exact: true }).fill("Home hook");
  await page.getByLabel("URL").fill(cfg.hook);
  await page.getByRole("button", { name: "Add the channel" }).click();
  await page.getByText("Copy the signing secret now: it is shown only once.").waitFor();
  const secret = await page.getByLabel("Signing secret").inputValue();
  check(secret.startsWith("whsec_"), secret);
  writeFileSync(cfg.out, JSON.stringify({ secret }));
  await page.getByRole("columnheader", { name: "Home hook" }).waitFor(); // a column in the preferences
  await page.getByRole("button", { name: "Send a test to Home hook" }).click();
  await page.getByRole("status").filter({ hasText: "A test is on its way to Home hook" }).waitFor();
  const log = page.locator("[data-deliveries]");
  for (let i = 0; i < 50 && !(await log.locator('tr[data-outcome="sent"]').count()); i++) {
    await page.waitForTimeout(200);
    await page.getByRole("button", { name: "Refresh" }).click();
  }
  check((await log.locator('tr[data-outcome="sent"]').count()) === 1, await log.innerText().catch(() => "no log"));
  check(/Test: /.test(await log.innerText()), await log.innerText());
  await page.locator('[data-channel="Home hook"]').getByText(/Last delivered/).waitFor();
  await axe(page, "notification settings");

  // Preferences: saved, and read back after a reload.
  await page.getByLabel("A new season is available: Home hook").selectOption("daily");
  await page.getByLabel("Hold notifications during quiet hours").check();
  await page.getByLabel("From", { exact: true }).fill("22:30");
  await page.getByLabel("Until", { exact: true }).fill("06:45");
  await page.getByLabel("Platforms you watch on").fill("Netflix, Apple TV Plus");
  await page.getByLabel("Region", { exact: true }).fill("us");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "What reaches you, and how" }).waitFor();
  check((await page.getByLabel("A new season is available: Home hook").inputValue()) === "daily", "digest kept");
  check((await page.getByLabel("From", { exact: true }).inputValue()) === "22:30", "quiet hours kept");
  check((await page.getByLabel("Region", { exact: true }).inputValue()) === "US", "region kept");
  check((await page.getByLabel("Platforms you watch on").inputValue()) === "netflix, apple_tv_plus", "platforms kept");
  // Quiet hours off again, so that nothing below waits for the morning.
  await page.getByLabel("Hold notifications during quiet hours").uncheck();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();

  // Follow the series.
  await page.goto("/media/" + cfg.series);
  await page.getByRole("heading", { name: /Severance/ }).waitFor();
  await page.getByRole("button", { name: "Follow Severance" }).click();
  await page.getByRole("button", { name: "Stop following Severance" }).waitFor();
  check((await page.getByRole("button", { name: "Stop following Severance" }).getAttribute("aria-pressed")) === "true", "pressed");
  await axe(page, "series with follow");
  // Whole-season mode for this series alone: kept, then off again (the
  // monitor below is to tell of the season's first episode).
  const whole = page.getByLabel("Tell me of a season of Severance only once all of it has aired");
  await whole.check();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
  await page.reload();
  await page.getByRole("button", { name: "Stop following Severance" }).waitFor();
  check(await whole.isChecked(), "whole-season mode kept");
  await whole.uncheck();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
  await page.goto("/settings/notifications");
  check((await page.getByLabel("Platforms you watch on").inputValue()) === "netflix, apple_tv_plus", "the rest kept");

  // The admin: the monitor run, a server channel tested, a relation.
  const admin = await open(browser);
  await signIn(admin.page, cfg.admin_email);
  await admin.page.getByRole("heading", { name: "Home" }).waitFor();
  await admin.page.goto("/admin");
  await admin.page.getByRole("link", { name: "Notifications and monitor" }).click();
  await admin.page.getByRole("heading", { name: "Monitor", exact: true }).waitFor();
  await admin.page.getByRole("button", { name: "Run the monitor now" }).click();
  await admin.page.locator('[data-monitor-runs] tr[data-state="done"]').waitFor({ timeout: 30000 });
  await admin.page.getByLabel("Kind").selectOption("webhook");
  await admin.page.getByLabel("Name", { exact: true }).fill("Ops hook");
  await admin.page.getByLabel("URL").fill(cfg.server_hook);
  await admin.page.getByLabel("A new account").check();
  await admin.page.getByRole("button", { name: "Add the channel" }).click();
  await admin.page.locator('[data-channel="Ops hook"]').waitFor();
  await admin.page.getByText("A new account", { exact: true }).first().waitFor();
  await admin.page.getByRole("button", { name: "Send a test to Ops hook" }).click();
  await admin.page.getByRole("status").filter({ hasText: "A test is on its way to Ops hook" }).waitFor();
  await axe(admin.page, "admin notifications");

  await admin.page.goto("/media/" + cfg.dune);
  await admin.page.getByRole("heading", { name: "Before and after" }).waitFor();
  const rels = admin.page.locator("[data-relations]");
  const derived = rels.getByRole("button", { name: "Delete the relation with Dune: Part Two" });
  if (await derived.count()) {
    await derived.click();
    await admin.page.getByRole("status").filter({ hasText: "Relation with Dune: Part Two deleted" }).waitFor();
  }
  await admin.page.getByLabel("Relate to another work").fill("Dune: Part Two");
  await admin.page.getByRole("button", { name: "Search" }).click();
  await admin.page.getByLabel("The other work").waitFor();
  await admin.page.getByLabel("Order").selectOption({ label: "Dune comes before it" });
  await admin.page.getByLabel("Relation", { exact: true }).selectOption("sequel_of");
  await admin.page.getByRole("button", { name: "Add the relation" }).click();
  await admin.page.getByRole("status").filter({ hasText: "Relation added" }).waitFor();
  await rels.getByText(/set by an admin/).waitFor();
  check(/After this:\s*Dune: Part Two/.test(await rels.innerText()), await rels.innerText());
  await axe(admin.page, "film with relations (admin)");
  clean(admin.page);

  // The member's bell counts the new season; the centre opens it.
  await page.goto("/");
  await page.getByRole("link", { name: "Notifications, 1 unread" }).waitFor();
  await page.getByRole("link", { name: "Notifications, 1 unread" }).click();
  const notice = page.locator('[data-event="season.available"]');
  await notice.getByRole("link", { name: "Severance: Season 2 is available" }).waitFor();
  check(/Apple TV Plus/.test(await notice.innerText()), await notice.innerText());
  await notice.getByRole("link", { name: "Severance: Season 2 is available" }).click();
  await page.waitForURL("**/media/" + cfg.season2);
  await page.getByRole("link", { name: "Notifications", exact: true }).waitFor(); // read now

  // Upcoming: episode 2 next week, in the list and in its month.
  await page.goto("/my/upcoming");
  await page.getByRole("heading", { name: "Upcoming" }).waitFor();
  await page.locator("[data-upcoming-list]").getByRole("link", { name: /Severance S2 E2/ }).waitFor();
  await axe(page, "upcoming list");
  await page.getByRole("link", { name: "Month" }).click();
  await page.locator("table.month").waitFor();
  if (!(await page.locator("table.month").getByRole("link", { name: /Severance S2 E2/ }).count())) {
    // Next week may be next month.
    await page.getByRole("button", { name: "Next month" }).click();
    await page.locator("table.month").getByRole("link", { name: /Severance S2 E2/ }).waitFor();
  }
  await axe(page, "upcoming month");
  await page.getByRole("button", { name: "Make a calendar link" }).click();
  const feed = await page.getByLabel("Calendar link").inputValue();
  check(/\/api\/v1\/users\/me\/calendar\.ics\?token=mqc_/.test(feed), feed);
  const ics = await (await fetch(feed.replace("//localhost:", "//127.0.0.1:"))).text();
  check(ics.startsWith("BEGIN:VCALENDAR") && ics.includes("Severance"), ics.slice(0, 300));
  await page.getByRole("button", { name: "Make a new link" }).waitFor();

  // A mail's unsubscribe link: the page asks, then stops that mail.
  const link = await mailLink("unsubscribe");
  await page.goto(link.replace(/^https?:\/\/[^/]+/, ""));
  await page.getByRole("heading", { name: "Stop these mails" }).waitFor();
  await page.getByText(/on the channel Mail/).waitFor();
  await axe(page, "unsubscribe");
  await page.getByRole("button", { name: "Stop these mails" }).click();
  await page.getByRole("status").filter({ hasText: /no more mail about/ }).waitFor();
  clean(page);
}
