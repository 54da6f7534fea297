// Search in the browser: the header's field on every page, its
// autocomplete by keyboard (a typo still finds the work), the results page
// with "did you mean", people and facets that live in the URL, and a
// person's page.
import { axe, cfg, check, clean, open, signIn } from "./lib.mjs";

export default async function (browser) {
  const { page } = await open(browser);
  await signIn(page, cfg.member_email);
  await page.getByRole("heading", { name: "Home" }).waitFor();

  // A typo, then the arrow and Enter: the work's page.
  const box = page.getByRole("combobox", { name: "Search" });
  await box.fill("interstelar");
  const list = page.getByRole("listbox", { name: "Suggestions" });
  await list.getByRole("option", { name: /Interstellar/ }).waitFor();
  await page.getByRole("status").filter({ hasText: /suggestions/ }).waitFor();
  await axe(page, "search suggestions");
  await box.press("ArrowDown");
  check((await box.getAttribute("aria-activedescendant")) === "search-option-0", "the first is active");
  await box.press("Enter");
  await page.getByRole("heading", { name: /Interstellar/ }).waitFor();
  check(new URL(page.url()).pathname.startsWith("/media/"), page.url());

  // Enter without a suggestion chosen: the results page, corrected.
  await box.fill("the matirx");
  await box.press("Enter");
  await page.getByRole("heading", { name: "Results for “the matirx”" }).waitFor();
  await page.getByText("Showing results for").waitFor();
  await page.getByRole("link", { name: "the matrix", exact: true }).waitFor();
  await page.locator("[data-results]").getByRole("link", { name: /The Matrix/ }).first().waitFor();
  await axe(page, "search results");

  // Facets filter through the URL, and back clears them.
  await page.goto("/search?q=matrix");
  await page.getByRole("heading", { name: "Results for “matrix”" }).waitFor();
  const series = page.locator('a[data-facet="type"][data-value="series"]');
  await series.waitFor();
  check((await series.innerText()).includes("(1)"), await series.innerText());
  await series.click();
  await page.waitForURL(/type=series/);
  await page.locator("[data-results]").getByRole("link", { name: /Matrix Show/ }).waitFor();
  check((await page.locator("[data-results] li").count()) === 1, "one series");
  check((await series.getAttribute("aria-current")) === "true", "the facet is chosen");
  await page.goBack();
  await page.waitForURL((u) => !u.search.includes("type="));
  await page.locator("[data-results]").getByRole("link", { name: /The Matrix Reloaded/ }).waitFor();

  // People, and a person's page with their works.
  await page.goto("/search?q=" + encodeURIComponent("penelope cruz"));
  await page.getByRole("heading", { name: "People" }).waitFor();
  await page.getByRole("link", { name: "Penélope Cruz" }).click();
  await page.getByRole("heading", { name: "Penélope Cruz" }).waitFor();
  await page.getByRole("heading", { name: "Works (1)" }).waitFor();
  await page.getByRole("link", { name: /Volver/ }).waitFor();
  await page.getByText("as Raimunda").waitFor();
  await axe(page, "person");

  // From a work's cast to the person.
  await page.getByRole("link", { name: /Volver/ }).click();
  await page.getByRole("heading", { name: /Volver/ }).waitFor();
  await page.getByRole("link", { name: "Penélope Cruz" }).click();
  await page.getByRole("heading", { name: "Penélope Cruz" }).waitFor();

  // The field is on every page, and an empty query asks nothing.
  await page.goto("/account");
  await box.waitFor();
  await page.goto("/search");
  await page.getByText("Type what you are looking for").waitFor();
  clean(page);
}
