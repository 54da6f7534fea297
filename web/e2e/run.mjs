// Runs one browser scenario: node e2e/run.mjs NAME (e2e/NAME.mjs). Prints
// "ok NAME" or the failure, and the pages it scanned for accessibility.
import { launch, pagesScanned } from "./lib.mjs";

const name = process.argv[2];
const timeout = Number(process.env.MQ_E2E_TIMEOUT || 120000);
const scenario = await import(`./${name}.mjs`);
const browser = await launch();
const timer = setTimeout(() => {
  console.error(`${name}: still running after ${timeout} ms`);
  process.exit(3);
}, timeout);
let code = 0;
try {
  await scenario.default(browser);
  console.log(`ok ${name}; accessibility scanned: ${pagesScanned().join(", ")}`);
} catch (e) {
  console.error(`${name} failed: ${e && e.stack ? e.stack : e}`);
  code = 1;
  // What the pages showed, for whoever reads the failure.
  for (const [i, ctx] of browser.contexts().entries())
    for (const [j, p] of ctx.pages().entries()) {
      const text = await p.evaluate(() => document.body.innerText).catch(() => "");
      console.error(`--- page ${i}.${j} ${p.url()}\n${text.slice(0, 4000)}`);
      if (process.env.MQ_E2E_SHOTS) await p.screenshot({ path: `${process.env.MQ_E2E_SHOTS}/${name}-${i}-${j}.png` }).catch(() => {});
    }
} finally {
  clearTimeout(timer);
  await browser.close();
}
process.exit(code);
