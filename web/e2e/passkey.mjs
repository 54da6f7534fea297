// A passkey registered on the Security page through Chromium's virtual
// authenticator (CDP WebAuthn), then used to sign in with no password.
import { axe, cfg, check, clean, open, signIn, signOut } from "./lib.mjs";

export default async function (browser) {
  const { context, page } = await open(browser);
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await signIn(page, cfg.email);
  await page.getByRole("heading", { name: "Home" }).waitFor();
  await page.goto("/security");
  await page.getByLabel("Name", { exact: true }).first().waitFor();
  await page.locator("#passkey-name").fill("This laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await page.getByText("This laptop").waitFor();
  await axe(page, "security (passkey)");
  await signOut(page);

  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await page.getByRole("heading", { name: "Home" }).waitFor();
  const me = await page.evaluate(() => document.body.innerText);
  check(me.includes("Sign out"), "signed in");
  clean(page);
}
