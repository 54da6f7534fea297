// A member browses and plays: home rows, the library grid, a film's page,
// the player (the video plays and its position advances, subtitles load as
// WebVTT), a series' seasons and episodes, an audiobook's chapters, and a
// parental limit hiding a film. At a phone's width and a desktop's.
import { axe, cfg, check, clean, noOverflow, open, signIn } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.email);
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await page.getByText("Recently added to Films").waitFor();
  await axe(page, "home");

  await page.getByRole("link", { name: "Recently added to Films" }).click();
  await page.getByRole("heading", { name: "Films" }).waitFor();
  await page.getByRole("link", { name: /Matrix/ }).waitFor();
  // Its poster is drawn (the others have none: their initials show).
  await page.waitForFunction(() => [...document.images].some((i) => i.complete && i.naturalWidth > 0));
  await axe(page, "library grid");
  // Filters: the years 1999 to 1999 hold one film.
  await page.getByLabel("From year").fill("1999");
  await page.getByLabel("To year").fill("1999");
  await page.waitForFunction(() => document.querySelectorAll(".grid li").length === 1);
  await page.getByRole("link", { name: /Matrix/ }).waitFor();
  await page.getByLabel("From year").fill("");
  await page.getByLabel("To year").fill("");
  await page.waitForFunction(() => document.querySelectorAll(".grid li").length > 1);
  // The parental limit: the member sees no "Horror".
  check((await page.getByRole("link", { name: /Horror/ }).count()) === 0, "a film past the limit shown");

  await page.getByRole("link", { name: /Matrix/ }).click();
  await page.getByRole("heading", { name: /The Matrix/ }).waitFor();
  await page.getByText("Files", { exact: true }).waitFor();
  await page.waitForFunction(() => [...document.images].some((i) => i.complete && i.naturalWidth > 0));
  await axe(page, "film");
  await page.getByRole("link", { name: "Play" }).first().click();
  const video = page.locator("video");
  await video.waitFor();
  await axe(page, "player");
  await page.evaluate(() => {
    const v = document.querySelector("video");
    v.muted = true;
    v.loop = true; // the clip lasts a second: it must not end between the checks
    return v.play();
  });
  await page.waitForFunction(() => {
    const v = document.querySelector("video");
    return v && !v.paused && v.currentTime > 0.2;
  });
  const cues = await page.evaluate(async () => {
    const v = document.querySelector("video");
    const track = v.textTracks[0];
    if (!track) return -1;
    track.mode = "showing";
    for (let i = 0; i < 50 && !(track.cues && track.cues.length); i++) await new Promise((r) => setTimeout(r, 100));
    return track.cues ? track.cues.length : 0;
  });
  check(cues > 0, "subtitle cues: " + cues);
  // A keyboard shortcut pauses it; with the video focused, Space plays it
  // again once (the element's own controls must not toggle it back).
  await page.locator("body").press("k");
  await page.waitForFunction(() => document.querySelector("video").paused);
  await video.focus();
  await page.keyboard.press(" ");
  await page.waitForFunction(() => !document.querySelector("video").paused);
  await page.waitForTimeout(300);
  check(await page.evaluate(() => !document.querySelector("video").paused), "Space toggled twice");

  // A file the browser cannot play says so, kindly.
  await page.goto(`/play/${cfg.avi_file}?item=${cfg.avi_item}`);
  await page.getByText("Your browser cannot play this file directly").waitFor();
  await page.getByRole("link", { name: "Download" }).waitFor();

  // Series: seasons, then episodes.
  await page.goto("/media/" + cfg.series);
  await page.getByRole("heading", { name: "Seasons" }).waitFor();
  await page.getByRole("link", { name: "Season 1" }).click();
  await page.getByRole("heading", { name: "Episodes" }).waitFor();
  await page.getByRole("link", { name: /Pilot/ }).waitFor();
  await axe(page, "season");

  // An audiobook: chapters and speed.
  await page.goto("/media/" + cfg.audiobook);
  await page.getByRole("link", { name: "Play" }).click();
  await page.locator("audio").waitFor();
  await page.getByRole("button", { name: /Closing/ }).waitFor();
  await page.getByLabel("Speed").selectOption("1.5");
  check(await page.evaluate(() => document.querySelector("audio").playbackRate === 1.5), "speed");
  await axe(page, "audiobook player");

  // A phone's width: nothing wider than the screen.
  await page.setViewportSize({ width: 360, height: 740 });
  for (const path of ["/", "/libraries/" + cfg.films, "/media/" + cfg.matrix]) {
    await page.goto(path);
    await page.locator("main h1").first().waitFor();
    await page.waitForTimeout(300);
    await noOverflow(page, path);
  }
  await axe(page, "film (phone)");
  clean(page);
}
