// bench/web.sh's measurements, in headless Chromium (playwright-core, run
// from web/ where it is installed): the app's library grid against the
// reference page, each from a signed-in tab. Times are from the start of
// navigation to the first poster drawn; the DOM count is taken when the
// first posters show and again after scrolling to the middle.
import { createRequire } from "node:module";

// playwright-core is the web app's (web/node_modules).
const { chromium } = createRequire(new URL("../../web/package.json", import.meta.url))("playwright-core");

const url = process.env.MQ_BENCH_URL;
const lib = process.env.MQ_BENCH_LIBRARY;
const runs = Number(process.env.MQ_BENCH_RUNS || 5);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
page.on("console", (m) => m.type() === "error" && console.error("page: " + m.text()));
// The reference's fetches are cut when a run navigates away: not an error.
page.on("pageerror", (e) => e.message !== "Failed to fetch" && console.error("page error: " + e.message));
await page.goto("/signin");
await page.getByLabel("E-mail address").fill(process.env.MQ_BENCH_EMAIL);
await page.getByLabel("Password", { exact: true }).fill(process.env.MQ_BENCH_PASSWORD);
await page.getByRole("button", { name: "Sign in", exact: true }).click();
await page.getByRole("heading", { name: "Home" }).waitFor();

const firstPoster = () =>
  page.waitForFunction(() => [...document.images].some((i) => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().top < innerHeight), null, {
    polling: "raf",
    timeout: 60000,
  });
const dom = () => page.evaluate(() => document.getElementsByTagName("*").length);

async function measure(path) {
  const times = [];
  let atFirst = 0;
  let middle = 0;
  for (let i = 0; i < runs; i++) {
    await page.goto("/admin"); // leave, so each run loads the page anew
    const t0 = Date.now();
    await page.goto(path);
    await firstPoster().catch(async (e) => {
      const state = await page.evaluate(() => ({
        url: location.href,
        images: document.images.length,
        loaded: [...document.images].filter((i) => i.complete && i.naturalWidth > 0).length,
        text: document.body.innerText.slice(0, 300),
      }));
      throw new Error(`${path}: no poster drawn: ${JSON.stringify(state)}`, { cause: e });
    });
    times.push(Date.now() - t0);
    atFirst = await dom();
  }
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 2));
  await page.waitForTimeout(1500);
  middle = await dom();
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], best: times[0], atFirst, middle };
}

// By address: Node 18's fetch tries only the first of localhost's (::1).
const login = await fetch(url.replace("//localhost:", "//127.0.0.1:") + "/api/v1/auth/login", {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ email: process.env.MQ_BENCH_EMAIL, password: process.env.MQ_BENCH_PASSWORD }),
});
const { access_token } = await login.json();
const app = await measure(`/libraries/${lib}`);
const ref = await measure(`/naive.html?library=${lib}#token=${access_token}`);
await page.waitForFunction(() => document.body.dataset.done === "1", null, { timeout: 120000 });
const refFull = await dom();
const fmt = (r) => `first poster ${r.median} ms median (best ${r.best}), DOM ${r.atFirst} elements at first poster, ${r.middle} scrolled to the middle`;
console.log(`app grid:  ${fmt(app)}`);
console.log(`reference: ${fmt(ref)}; ${refFull} once every card is in`);
console.log(`ratio (app / reference): first poster ${(app.median / ref.median).toFixed(2)}×, DOM ${(app.middle / refFull).toFixed(3)}×`);
console.log(`budgets: first poster under 1000 ms: ${app.median < 1000 ? "ok" : "OVER"}; under 1000 DOM elements: ${app.middle < 1000 ? "ok" : "OVER"}`);
await browser.close();
